#pragma once
#include "autodiff/graph.hpp"

namespace gradflow::autodiff::ops {

// y = tanh(x) = (e^x - e^-x) / (e^x + e^-x), elementwise, squashing into (-1, 1)
//
// tanh'(x) = 1 - tanh(x)^2 = 1 - y^2, so backward needs only the output:
//   dx = dy * (1 - y^2)
// tanh = 2 sigmoid(2x) - 1: zero-centred, with slope 1 at x = 0 (sigmoid's is 1/4), but it
// saturates just the same for large |x|.
struct Tanh final : Op {
  [[nodiscard]] std::string_view name() const override { return "tanh"; }
  [[nodiscard]] std::size_t arity() const override { return 1; }
  [[nodiscard]] Shape output_shape(std::span<const Shape> x) const override { return x[0]; }
  void forward(const Operands& x, Tensor& y) const override;
  [[nodiscard]] std::vector<Tensor> backward(const Operands& x, const Tensor& y, const Tensor& dy,
                                             const GradMask& needed) const override;
};

Var tanh(Var x);

}  // namespace gradflow::autodiff::ops
