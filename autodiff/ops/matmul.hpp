#pragma once
#include "autodiff/graph.hpp"

namespace gradflow::autodiff::ops {

// y = x0 x1, with x0 [m x k], x1 [k x n], y [m x n]:  y_ij = sum_p x0_ip x1_pj
//
// Each x0_ip meets every x1_pj, so by the chain rule
//   dL/dx0_ip = sum_j dy_ij x1_pj   ->  dx0 = dy x1^T   [m x n][n x k] = [m x k]
//   dL/dx1_pj = sum_i x0_ip dy_ij   ->  dx1 = x0^T dy   [k x m][m x n] = [k x n]
// (check the shapes: a gradient always has its operand's shape).
struct MatMul final : Op {
  [[nodiscard]] std::string_view name() const override { return "matmul"; }
  [[nodiscard]] std::size_t arity() const override { return 2; }
  [[nodiscard]] Shape output_shape(std::span<const Shape> x) const override;
  void forward(const Operands& x, Tensor& y) const override;
  [[nodiscard]] std::vector<Tensor> backward(const Operands& x, const Tensor& y, const Tensor& dy,
                                             const GradMask& needed) const override;
};

Var matmul(Var a, Var b);

}  // namespace gradflow::autodiff::ops
