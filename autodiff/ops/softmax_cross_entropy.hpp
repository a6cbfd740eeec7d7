#pragma once
#include "autodiff/graph.hpp"

namespace gradflow::autodiff::ops {

// The classification loss, fused: logits z [B x C] (x0) and labels t [B x C] (x1, one-hot
// rows) give the mean over the batch of the cross-entropy of softmax(z) against t, as [1 x 1]:
//   p_bj = softmax(z_b)_j = e^{z_bj} / sum_k e^{z_bk}
//   y    = (1/B) sum_b  -sum_j t_bj ln p_bj
//
// Stable forward: ln p_bj = z_bj - lse_b with the log-sum-exp lse_b = ln sum_k e^{z_bk}, and
// lse_b = m_b + ln sum_k e^{z_bk - m_b} with the row max m_b: every exponent is <= 0, so
// nothing overflows, and the largest term is e^0 = 1, so the sum is never 0 and ln never sees
// 0. (softmax, then log, as two ops gives ln 0 = -inf as soon as one probability underflows.)
//
// Backward. For one row, with s = sum_j t_j:  -sum_j t_j ln p_j = s lse - sum_j t_j z_j, and
// d lse / dz_j = p_j, so the derivative is s p_j - t_j. A label row sums to s = 1 (one-hot, or
// any probability distribution), which gives the famous
//   dz = dy * (softmax(z) - t) / B
// (we keep the s to be exact for any t). The labels are data: differentiable(1) is false and
// backward returns no gradient for them.
struct SoftmaxCrossEntropy final : Op {
  [[nodiscard]] std::string_view name() const override { return "softmax_cross_entropy"; }
  [[nodiscard]] std::size_t arity() const override { return 2; }
  [[nodiscard]] bool differentiable(std::size_t operand) const override { return operand == 0; }
  [[nodiscard]] Shape output_shape(std::span<const Shape> x) const override;
  void forward(const Operands& x, Tensor& y) const override;
  [[nodiscard]] std::vector<Tensor> backward(const Operands& x, const Tensor& y, const Tensor& dy,
                                             const GradMask& needed) const override;
};

Var softmax_cross_entropy(Var logits, Var labels);

}  // namespace gradflow::autodiff::ops
