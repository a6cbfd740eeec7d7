#include "autodiff/ops/add.hpp"

#include "autodiff/ops/shape_rules.hpp"

namespace gradflow::autodiff::ops {

Shape Add::output_shape(std::span<const Shape> x) const { return same_shape(x[0], x[1]); }

void Add::forward(const Operands& x, Tensor& y) const {
  const float* a = x[0].data();
  const float* b = x[1].data();
  float* out = y.data();
  for (std::size_t i = 0; i < y.size(); ++i) out[i] = a[i] + b[i];
}

std::vector<Tensor> Add::backward(const Operands& /*x*/, const Tensor& /*y*/, const Tensor& dy,
                                  const GradMask& needed) const {
  std::vector<Tensor> dx(2);
  if (needed[0]) dx[0] = dy;
  if (needed[1]) dx[1] = dy;
  return dx;
}

Var add(Var a, Var b) { return a.graph().apply(std::make_shared<Add>(), {a, b}); }

}  // namespace gradflow::autodiff::ops
