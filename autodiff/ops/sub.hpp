#pragma once
#include "autodiff/graph.hpp"

namespace gradflow::autodiff::ops {

// y = x0 - x1 (same shapes)
//
// dy/dx0 = I and dy/dx1 = -I, so the first operand receives the incoming gradient unchanged
// and the second receives it negated:
//   dx0 = dy,  dx1 = -dy
struct Sub final : Op {
  [[nodiscard]] std::string_view name() const override { return "sub"; }
  [[nodiscard]] std::size_t arity() const override { return 2; }
  [[nodiscard]] Shape output_shape(std::span<const Shape> x) const override;
  void forward(const Operands& x, Tensor& y) const override;
  [[nodiscard]] std::vector<Tensor> backward(const Operands& x, const Tensor& y, const Tensor& dy,
                                             const GradMask& needed) const override;
};

Var sub(Var a, Var b);

}  // namespace gradflow::autodiff::ops
