#pragma once
// Exercise 05: layer_norm over rows, with its backward (the classic hard one). You write forward
// and backward in coursework/ex05_layer_norm.cpp.
//
// For each row x (m values):
//   mu = (1/m) sum_j x_j            var = (1/m) sum_j (x_j - mu)^2      (biased, like PyTorch)
//   sigma = sqrt(var + eps)          y_j = xhat_j = (x_j - mu) / sigma
// (no learnable scale and shift here: a dense layer after it can learn those).
//
// Backward, per row, with dy the incoming gradient (derivation in docs/coursework.md):
//   dx_j = (1 / sigma) * ( dy_j - mean_k(dy_k) - xhat_j * mean_k(dy_k xhat_k) )
// The three terms: the direct path through x_j, the path through mu, the path through var.
// eps matters: it keeps sigma > 0 for a constant row and damps rows of small variance, so the
// tests check several eps; a backward that drops 1/sigma or a 1/m goes red.

#include <fmt/format.h>

#include "autodiff/graph.hpp"

namespace gradflow::coursework {

inline constexpr float kLayerNormDefaultEps = 1e-5F;

struct LayerNorm final : autodiff::Op {
  explicit LayerNorm(float eps = kLayerNormDefaultEps) : eps_(eps) {}
  [[nodiscard]] float eps() const { return eps_; }

  [[nodiscard]] std::string_view name() const override { return "layer_norm"; }
  [[nodiscard]] std::size_t arity() const override { return 1; }
  [[nodiscard]] std::string attributes() const override { return fmt::format("eps={}", eps_); }
  [[nodiscard]] autodiff::Shape output_shape(std::span<const autodiff::Shape> x) const override { return x[0]; }
  // Exercise 05: both in coursework/ex05_layer_norm.cpp.
  void forward(const autodiff::Operands& x, autodiff::Tensor& y) const override;
  [[nodiscard]] std::vector<autodiff::Tensor> backward(const autodiff::Operands& x, const autodiff::Tensor& y,
                                                       const autodiff::Tensor& dy,
                                                       const autodiff::GradMask& needed) const override;

 private:
  float eps_;
};

inline autodiff::Var layer_norm(autodiff::Var x, float eps = kLayerNormDefaultEps) {
  return x.graph().apply(std::make_shared<LayerNorm>(eps), {x});
}

}  // namespace gradflow::coursework
