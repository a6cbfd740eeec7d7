#pragma once
// Exercise 02: silu (also called swish), a product-rule op. You write forward and backward in
// coursework/ex02_silu.cpp.
//
//   y = silu(x) = x * s,   s = sigmoid(x) = 1 / (1 + e^-x)
//
// By the product rule, with s' = s (1 - s):
//   dy/dx = 1 * s + x * s (1 - s) = s (1 + x (1 - s)) = s + y (1 - s)
//   so  dx = dy * s * (1 + x (1 - s))
//
// Forgetting either term of the product rule (dx = dy * s, say) still trains a little, but
// gradcheck sees it at once.

#include "autodiff/graph.hpp"

namespace gradflow::coursework {

struct Silu final : autodiff::Op {
  [[nodiscard]] std::string_view name() const override { return "silu"; }
  [[nodiscard]] std::size_t arity() const override { return 1; }
  [[nodiscard]] autodiff::Shape output_shape(std::span<const autodiff::Shape> x) const override { return x[0]; }
  // Exercise 02: both in coursework/ex02_silu.cpp.
  void forward(const autodiff::Operands& x, autodiff::Tensor& y) const override;
  [[nodiscard]] std::vector<autodiff::Tensor> backward(const autodiff::Operands& x, const autodiff::Tensor& y,
                                                       const autodiff::Tensor& dy,
                                                       const autodiff::GradMask& needed) const override;
};

inline autodiff::Var silu(autodiff::Var x) { return x.graph().apply(std::make_shared<Silu>(), {x}); }

}  // namespace gradflow::coursework
