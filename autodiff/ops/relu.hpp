#pragma once
#include "autodiff/graph.hpp"

namespace gradflow::autodiff::ops {

// y = max(0, x)
//
// dy/dx = 1 where x > 0, else 0 (at x = 0 we pick 0, as TensorFlow and PyTorch do), so
//   dx = dy * [x > 0]
// A unit whose input is negative for every sample passes back nothing: a "dead" ReLU.
struct Relu final : Op {
  [[nodiscard]] std::string_view name() const override { return "relu"; }
  [[nodiscard]] std::size_t arity() const override { return 1; }
  [[nodiscard]] Shape output_shape(std::span<const Shape> x) const override { return x[0]; }
  void forward(const Operands& x, Tensor& y) const override;
  [[nodiscard]] std::vector<Tensor> backward(const Operands& x, const Tensor& y, const Tensor& dy,
                                             const GradMask& needed) const override;
};

Var relu(Var x);

}  // namespace gradflow::autodiff::ops
