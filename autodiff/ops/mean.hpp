#pragma once
#include "autodiff/graph.hpp"

namespace gradflow::autodiff::ops {

// y = (1/N) sum_ij x_ij over all N elements, a [1 x 1] scalar
//
// dy/dx_ij = 1/N for every element, so
//   dx = (dy / N) * ones(shape of x)
// (this is why a mean loss gives gradients that do not grow with the batch size).
struct Mean final : Op {
  [[nodiscard]] std::string_view name() const override { return "mean"; }
  [[nodiscard]] std::size_t arity() const override { return 1; }
  [[nodiscard]] Shape output_shape(std::span<const Shape> x) const override;
  void forward(const Operands& x, Tensor& y) const override;
  [[nodiscard]] std::vector<Tensor> backward(const Operands& x, const Tensor& y, const Tensor& dy,
                                             const GradMask& needed) const override;
};

Var mean(Var x);

}  // namespace gradflow::autodiff::ops
