#pragma once
#include "autodiff/graph.hpp"

namespace gradflow::autodiff::ops {

// y = softplus(x) = (1/beta) ln(1 + e^(beta x)), elementwise: a smooth relu (about 0 for
// x << 0, about x for x >> 0); beta > 0 (an attribute, 1 by default, as in PyTorch) sets how
// sharp the bend at 0 is: the larger beta, the closer to relu.
//
// With u = beta x:  dy/dx = (1/beta) * beta e^u / (1 + e^u) = 1 / (1 + e^-u) = sigmoid(beta x), so
//   dx = dy * sigmoid(beta x)
// Computing ln(1 + e^u) as written overflows for u > 88 (e^u = inf in float) and loses every
// digit for u < -17 (1 + e^u rounds to 1). The stable form is equal for every u:
//   ln(1 + e^u) = max(u, 0) + ln(1 + e^-|u|)
// where e^-|u| <= 1 never overflows and log1p keeps the small values accurate.
struct Softplus final : Op {
  // Throws std::invalid_argument unless beta is positive and finite.
  explicit Softplus(float beta = 1.0F);
  [[nodiscard]] float beta() const { return beta_; }

  [[nodiscard]] std::string_view name() const override { return "softplus"; }
  [[nodiscard]] std::size_t arity() const override { return 1; }
  [[nodiscard]] std::string attributes() const override;  // "beta=1"
  [[nodiscard]] Shape output_shape(std::span<const Shape> x) const override { return x[0]; }
  void forward(const Operands& x, Tensor& y) const override;
  [[nodiscard]] std::vector<Tensor> backward(const Operands& x, const Tensor& y, const Tensor& dy,
                                             const GradMask& needed) const override;

 private:
  float beta_;
};

Var softplus(Var x, float beta = 1.0F);

}  // namespace gradflow::autodiff::ops
