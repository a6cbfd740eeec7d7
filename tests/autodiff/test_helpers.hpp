#pragma once
// Small helpers shared by the autodiff tests.
#include <catch2/catch.hpp>
#include <memory>
#include <vector>

#include "autodiff/autodiff.hpp"

namespace gradflow::autodiff::testing {

// Every element of `actual` equals the row-major `expected`, within a relative 1e-5.
inline void check_tensor(const Tensor& actual, const Tensor& expected, double margin = 1e-6) {
  REQUIRE(actual.shape() == expected.shape());
  for (std::size_t i = 0; i < actual.size(); ++i) {
    INFO("element " << i);
    CHECK(actual[i] == Approx(expected[i]).epsilon(1e-5).margin(margin));
  }
}

struct OpRun {
  Tensor y;
  std::vector<Tensor> dx;
};

// Calls op.forward and op.backward directly (no graph), every gradient requested.
inline OpRun run_op(const Op& op, const std::vector<Tensor>& x, const Tensor& dy) {
  std::array<const Tensor*, kMaxArity> ptrs{};
  std::vector<Shape> shapes;
  for (std::size_t i = 0; i < x.size(); ++i) {
    ptrs[i] = &x[i];
    shapes.push_back(x[i].shape());
  }
  const Operands operands(ptrs, x.size());
  OpRun run;
  run.y = Tensor(op.output_shape(shapes));
  op.forward(operands, run.y);
  run.dx = op.backward(operands, run.y, dy, GradMask());
  return run;
}

}  // namespace gradflow::autodiff::testing
