#pragma once
#include "autodiff/graph.hpp"

namespace gradflow::autodiff::ops {

// y = c x, for a constant number c fixed when the node is built (an attribute, not an operand)
//
// dy/dx = c I, so
//   dx = c dy
// c itself gets no gradient: to learn a factor, make it a [1 x 1] parameter instead.
struct Scale final : Op {
  explicit Scale(float c) : c_(c) {}
  [[nodiscard]] float c() const { return c_; }

  [[nodiscard]] std::string_view name() const override { return "scale"; }
  [[nodiscard]] std::size_t arity() const override { return 1; }
  [[nodiscard]] std::string attributes() const override;  // "c=0.5"
  [[nodiscard]] Shape output_shape(std::span<const Shape> x) const override { return x[0]; }
  void forward(const Operands& x, Tensor& y) const override;
  [[nodiscard]] std::vector<Tensor> backward(const Operands& x, const Tensor& y, const Tensor& dy,
                                             const GradMask& needed) const override;

 private:
  float c_;
};

Var scale(Var x, float c);

}  // namespace gradflow::autodiff::ops
