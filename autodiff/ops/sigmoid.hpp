#pragma once
#include <cmath>

#include "autodiff/graph.hpp"

namespace gradflow::autodiff::ops {

// y = sigmoid(x) = 1 / (1 + e^-x), elementwise, squashing every input into (0, 1)
//
// sigmoid'(x) = e^-x / (1 + e^-x)^2 = sigmoid(x) (1 - sigmoid(x)) = y (1 - y), so backward
// needs only the output:
//   dx = dy * y * (1 - y)
// y (1 - y) is largest at y = 1/2 (x = 0), where it is 1/4: sigmoid' <= 1/4 everywhere, and it
// is almost 0 once |x| is a few units ("saturated"). Back through n sigmoid layers the
// gradient is multiplied by at most (1/4)^n times the weights: the vanishing gradient.
struct Sigmoid final : Op {
  [[nodiscard]] std::string_view name() const override { return "sigmoid"; }
  [[nodiscard]] std::size_t arity() const override { return 1; }
  [[nodiscard]] Shape output_shape(std::span<const Shape> x) const override { return x[0]; }
  void forward(const Operands& x, Tensor& y) const override;
  [[nodiscard]] std::vector<Tensor> backward(const Operands& x, const Tensor& y, const Tensor& dy,
                                             const GradMask& needed) const override;
};

// sigmoid of one number, stable for large |x|: e^-x overflows to infinity for x < -88 in
// float, so for negative x we use the equal form e^x / (1 + e^x), whose e^x only underflows
// harmlessly towards 0.
inline float stable_sigmoid(float x) {
  if (x >= 0.0F) return 1.0F / (1.0F + std::exp(-x));
  const float e = std::exp(x);
  return e / (1.0F + e);
}

Var sigmoid(Var x);

}  // namespace gradflow::autodiff::ops
