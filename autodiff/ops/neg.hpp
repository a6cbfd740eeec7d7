#pragma once
#include "autodiff/graph.hpp"

namespace gradflow::autodiff::ops {

// y = -x
//
// dy/dx = -I, so
//   dx = -dy
struct Neg final : Op {
  [[nodiscard]] std::string_view name() const override { return "neg"; }
  [[nodiscard]] std::size_t arity() const override { return 1; }
  [[nodiscard]] Shape output_shape(std::span<const Shape> x) const override { return x[0]; }
  void forward(const Operands& x, Tensor& y) const override;
  [[nodiscard]] std::vector<Tensor> backward(const Operands& x, const Tensor& y, const Tensor& dy,
                                             const GradMask& needed) const override;
};

Var neg(Var x);

}  // namespace gradflow::autodiff::ops
