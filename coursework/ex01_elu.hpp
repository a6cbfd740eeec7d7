#pragma once
// Exercise 01: elu, an elementwise op with a parameter. You write forward and backward in
// coursework/ex01_elu.cpp; everything else (name, shape, the free function) is here.
//
//   y = elu(x) = x                  for x > 0
//                alpha (e^x - 1)    for x <= 0          (alpha > 0, an attribute)
//
//   dy/dx = 1                       for x > 0
//           alpha e^x = y + alpha   for x <= 0
//   so  dx = dy * (x > 0 ? 1 : alpha e^x)
//
// alpha sets the value elu saturates to for x -> -inf (-alpha) and the slope just left of 0
// (alpha): with alpha = 1 elu is smooth at 0. A backward that hard-codes alpha = 1 agrees with
// the finite difference only at alpha = 1, which is why the tests check several alphas.

#include <fmt/format.h>

#include "autodiff/graph.hpp"

namespace gradflow::coursework {

inline constexpr float kEluDefaultAlpha = 1.0F;

struct Elu final : autodiff::Op {
  explicit Elu(float alpha = kEluDefaultAlpha) : alpha_(alpha) {}
  [[nodiscard]] float alpha() const { return alpha_; }

  [[nodiscard]] std::string_view name() const override { return "elu"; }
  [[nodiscard]] std::size_t arity() const override { return 1; }
  [[nodiscard]] std::string attributes() const override { return fmt::format("alpha={}", alpha_); }
  [[nodiscard]] autodiff::Shape output_shape(std::span<const autodiff::Shape> x) const override { return x[0]; }
  // Exercise 01: both in coursework/ex01_elu.cpp.
  void forward(const autodiff::Operands& x, autodiff::Tensor& y) const override;
  [[nodiscard]] std::vector<autodiff::Tensor> backward(const autodiff::Operands& x, const autodiff::Tensor& y,
                                                       const autodiff::Tensor& dy,
                                                       const autodiff::GradMask& needed) const override;

 private:
  float alpha_;
};

// elu(x) as a graph node.
inline autodiff::Var elu(autodiff::Var x, float alpha = kEluDefaultAlpha) {
  return x.graph().apply(std::make_shared<Elu>(alpha), {x});
}

}  // namespace gradflow::coursework
