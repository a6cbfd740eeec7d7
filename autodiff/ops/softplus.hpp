#pragma once
#include "autodiff/graph.hpp"

namespace gradflow::autodiff::ops {

// y = softplus(x) = ln(1 + e^x), elementwise: a smooth relu (about 0 for x << 0, about x for
// x >> 0)
//
// softplus'(x) = e^x / (1 + e^x) = 1 / (1 + e^-x) = sigmoid(x), so
//   dx = dy * sigmoid(x)
// Computing ln(1 + e^x) as written overflows for x > 88 (e^x = inf in float) and loses every
// digit for x < -17 (1 + e^x rounds to 1). The stable form is equal for every x:
//   ln(1 + e^x) = max(x, 0) + ln(1 + e^-|x|)
// where e^-|x| <= 1 never overflows and log1p keeps the small values accurate.
struct Softplus final : Op {
  [[nodiscard]] std::string_view name() const override { return "softplus"; }
  [[nodiscard]] std::size_t arity() const override { return 1; }
  [[nodiscard]] Shape output_shape(std::span<const Shape> x) const override { return x[0]; }
  void forward(const Operands& x, Tensor& y) const override;
  [[nodiscard]] std::vector<Tensor> backward(const Operands& x, const Tensor& y, const Tensor& dy,
                                             const GradMask& needed) const override;
};

Var softplus(Var x);

}  // namespace gradflow::autodiff::ops
