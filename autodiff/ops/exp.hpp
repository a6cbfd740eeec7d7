#pragma once
#include "autodiff/graph.hpp"

namespace gradflow::autodiff::ops {

// y = e^x, elementwise
//
// (e^x)' = e^x: the exponential is its own derivative, and backward can reuse the output y:
//   dx = dy * y
struct Exp final : Op {
  [[nodiscard]] std::string_view name() const override { return "exp"; }
  [[nodiscard]] std::size_t arity() const override { return 1; }
  [[nodiscard]] Shape output_shape(std::span<const Shape> x) const override { return x[0]; }
  void forward(const Operands& x, Tensor& y) const override;
  [[nodiscard]] std::vector<Tensor> backward(const Operands& x, const Tensor& y, const Tensor& dy,
                                             const GradMask& needed) const override;
};

Var exp(Var x);

}  // namespace gradflow::autodiff::ops
