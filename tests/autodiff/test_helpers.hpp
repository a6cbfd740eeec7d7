#pragma once
// Small helpers shared by the autodiff tests.
#include <catch2/catch.hpp>
#include <memory>
#include <vector>

#include "autodiff/autodiff.hpp"

namespace gradflow::autodiff {
// The tests' way to the Graph's private members (Graph declares it a friend).
struct GraphTestAccess {
  static void add_edge_unchecked(Graph& g, NodeId from, NodeId to, std::size_t position) {
    g.add_edge_unchecked(from, to, position);
  }
};
}  // namespace gradflow::autodiff

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
  OperandList operands;
  for (std::size_t i = 0; i < x.size(); ++i) operands.set(i, x[i], true);
  OpRun run;
  run.y = Tensor(op.output_shape(operands.shape_list()));
  op.forward(operands.view(), run.y);
  run.dx = op.backward(operands.view(), run.y, dy, GradMask());
  return run;
}

}  // namespace gradflow::autodiff::testing
