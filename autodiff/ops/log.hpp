#pragma once
#include "autodiff/graph.hpp"

namespace gradflow::autodiff::ops {

// y = ln x, elementwise; x must be positive
//
// (ln x)' = 1/x, so
//   dx = dy / x
// ln 0 = -inf and ln of a negative number is NaN: the graph's finite check then stops the
// forward pass and names this node. (Losses that need a log take it of a softmax inside a fused
// op instead, where it can be computed stably: see softmax_cross_entropy.)
struct Log final : Op {
  [[nodiscard]] std::string_view name() const override { return "log"; }
  [[nodiscard]] std::size_t arity() const override { return 1; }
  [[nodiscard]] Shape output_shape(std::span<const Shape> x) const override { return x[0]; }
  void forward(const Operands& x, Tensor& y) const override;
  [[nodiscard]] std::vector<Tensor> backward(const Operands& x, const Tensor& y, const Tensor& dy,
                                             const GradMask& needed) const override;
};

Var log(Var x);

}  // namespace gradflow::autodiff::ops
