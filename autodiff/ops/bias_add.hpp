#pragma once
#include "autodiff/graph.hpp"

namespace gradflow::autodiff::ops {

// y = x + b, with x [m x n] and the bias b [1 x n] added to every row:  y_ij = x_ij + b_j
//
// dx = dy, as for add. But b_j is used by all m rows, and the chain rule sums over every use,
// so the bias gradient is dy summed over the rows: the gradient reduced back to b's shape.
//   dx = dy            [m x n]
//   db_j = sum_i dy_ij [1 x n]
// This is "broadcasting" and its backward rule: whatever is copied forward is summed backward.
struct BiasAdd final : Op {
  [[nodiscard]] std::string_view name() const override { return "bias_add"; }
  [[nodiscard]] std::size_t arity() const override { return 2; }
  [[nodiscard]] Shape output_shape(std::span<const Shape> x) const override;
  void forward(const Operands& x, Tensor& y) const override;
  [[nodiscard]] std::vector<Tensor> backward(const Operands& x, const Tensor& y, const Tensor& dy,
                                             const GradMask& needed) const override;
};

Var bias_add(Var x, Var b);

}  // namespace gradflow::autodiff::ops
