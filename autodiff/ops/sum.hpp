#pragma once
#include "autodiff/graph.hpp"

namespace gradflow::autodiff::ops {

// y = sum_ij x_ij, a [1 x 1] scalar
//
// dy/dx_ij = 1 for every element, so every element receives the (single) incoming gradient:
//   dx = dy * ones(shape of x)
struct Sum final : Op {
  [[nodiscard]] std::string_view name() const override { return "sum"; }
  [[nodiscard]] std::size_t arity() const override { return 1; }
  [[nodiscard]] Shape output_shape(std::span<const Shape> /*x*/) const override { return {1, 1}; }
  void forward(const Operands& x, Tensor& y) const override;
  [[nodiscard]] std::vector<Tensor> backward(const Operands& x, const Tensor& y, const Tensor& dy,
                                             const GradMask& needed) const override;
};

Var sum(Var x);

}  // namespace gradflow::autodiff::ops
