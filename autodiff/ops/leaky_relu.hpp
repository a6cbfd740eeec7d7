#pragma once
#include "autodiff/graph.hpp"

namespace gradflow::autodiff::ops {

// y = x where x > 0, else alpha x   (0 < alpha < 1, an attribute; the op has no default:
//                                    nn::kLeakyReluAlpha is the one a model uses)
//
// dy/dx = 1 where x > 0, else alpha (at x = 0 we pick alpha), so
//   dx = dy * (x > 0 ? 1 : alpha)
// Unlike relu, a negative input still passes back a fraction alpha of the gradient, so a
// unit cannot "die".
struct LeakyRelu final : Op {
  explicit LeakyRelu(float alpha) : alpha_(alpha) {}
  [[nodiscard]] float alpha() const { return alpha_; }

  [[nodiscard]] std::string_view name() const override { return "leaky_relu"; }
  [[nodiscard]] std::size_t arity() const override { return 1; }
  [[nodiscard]] std::string attributes() const override;  // "alpha=0.2"
  [[nodiscard]] Shape output_shape(std::span<const Shape> x) const override { return x[0]; }
  void forward(const Operands& x, Tensor& y) const override;
  [[nodiscard]] std::vector<Tensor> backward(const Operands& x, const Tensor& y, const Tensor& dy,
                                             const GradMask& needed) const override;

 private:
  float alpha_;
};

Var leaky_relu(Var x, float alpha);

}  // namespace gradflow::autodiff::ops
