#pragma once
// Exercise 03: row-wise logsumexp, a reduction with a numerically stable forward and backward.
// You write forward and backward in coursework/ex03_logsumexp.cpp.
//
//   x [n x m]  ->  y [n x 1],   y_i = log sum_j e^(x_ij)
//
// Stable forward: with m_i = max_j x_ij (any constant works, the max is the safe one),
//   y_i = m_i + log sum_j e^(x_ij - m_i)
// every exponent is <= 0, so nothing overflows (e^89 is already infinite in float32), and the
// largest term is e^0 = 1, so the sum never underflows to 0 (log 0 = -inf) either.
//
// Backward: dy_i/dx_ij = e^(x_ij) / sum_k e^(x_ik) = softmax(x_i)_j = e^(x_ij - y_i), so
//   dx_ij = dy_i * e^(x_ij - y_i)
// Computed as e^(x_ij - y_i) it is stable too (x_ij <= y_i, the exponent is <= 0); computed as
// e^(x_ij) / sum_k e^(x_ik) it is inf / inf = NaN for inputs near 100.

#include "autodiff/graph.hpp"

namespace gradflow::coursework {

struct LogSumExp final : autodiff::Op {
  [[nodiscard]] std::string_view name() const override { return "logsumexp"; }
  [[nodiscard]] std::size_t arity() const override { return 1; }
  [[nodiscard]] autodiff::Shape output_shape(std::span<const autodiff::Shape> x) const override {
    return {x[0].rows, 1};
  }
  // Exercise 03: both in coursework/ex03_logsumexp.cpp.
  void forward(const autodiff::Operands& x, autodiff::Tensor& y) const override;
  [[nodiscard]] std::vector<autodiff::Tensor> backward(const autodiff::Operands& x, const autodiff::Tensor& y,
                                                       const autodiff::Tensor& dy,
                                                       const autodiff::GradMask& needed) const override;
};

inline autodiff::Var logsumexp(autodiff::Var x) { return x.graph().apply(std::make_shared<LogSumExp>(), {x}); }

}  // namespace gradflow::coursework
