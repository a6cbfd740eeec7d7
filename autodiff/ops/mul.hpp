#pragma once
#include "autodiff/graph.hpp"

namespace gradflow::autodiff::ops {

// y = x0 * x1, elementwise (same shapes): y_i = x0_i x1_i
//
// Each output depends on one element of each operand: dy_i/dx0_i = x1_i, dy_i/dx1_i = x0_i.
// So each operand's gradient is the incoming gradient times the *other* operand:
//   dx0 = dy * x1,  dx1 = dy * x0
// For mul(x, x) both lines apply to the same node and the graph adds them: dx = 2 x dy.
struct Mul final : Op {
  [[nodiscard]] std::string_view name() const override { return "mul"; }
  [[nodiscard]] std::size_t arity() const override { return 2; }
  [[nodiscard]] Shape output_shape(std::span<const Shape> x) const override;
  void forward(const Operands& x, Tensor& y) const override;
  [[nodiscard]] std::vector<Tensor> backward(const Operands& x, const Tensor& y, const Tensor& dy,
                                             const GradMask& needed) const override;
};

Var mul(Var a, Var b);

}  // namespace gradflow::autodiff::ops
