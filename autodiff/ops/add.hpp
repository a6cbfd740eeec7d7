#pragma once
#include "autodiff/graph.hpp"

namespace gradflow::autodiff::ops {

// y = x0 + x1 (same shapes)
//
// dy/dx0 = dy/dx1 = I, so both operands receive the incoming gradient unchanged:
//   dx0 = dy,  dx1 = dy
struct Add final : Op {
  [[nodiscard]] std::string_view name() const override { return "add"; }
  [[nodiscard]] std::size_t arity() const override { return 2; }
  [[nodiscard]] Shape output_shape(std::span<const Shape> x) const override;
  void forward(const Operands& x, Tensor& y) const override;
  [[nodiscard]] std::vector<Tensor> backward(const Operands& x, const Tensor& y, const Tensor& dy,
                                             const GradMask& needed) const override;
};

Var add(Var a, Var b);

}  // namespace gradflow::autodiff::ops
