#include "autodiff/ops/sub.hpp"

#include "autodiff/ops/shape_rules.hpp"

namespace gradflow::autodiff::ops {

Shape Sub::output_shape(std::span<const Shape> x) const { return same_shape(x[0], x[1]); }

void Sub::forward(const Operands& x, Tensor& y) const {
  const float* a = x[0].data();
  const float* b = x[1].data();
  float* out = y.data();
  for (std::size_t i = 0; i < y.size(); ++i) out[i] = a[i] - b[i];
}

std::vector<Tensor> Sub::backward(const Operands& /*x*/, const Tensor& /*y*/, const Tensor& dy,
                                  const GradMask& needed) const {
  std::vector<Tensor> dx(2);
  if (needed[0]) dx[0] = dy;
  if (needed[1]) {
    dx[1] = Tensor(dy.shape());
    const float* g = dy.data();
    float* out = dx[1].data();
    for (std::size_t i = 0; i < dy.size(); ++i) out[i] = -g[i];
  }
  return dx;
}

Var sub(Var a, Var b) { return a.graph().apply(std::make_shared<Sub>(), {a, b}); }

}  // namespace gradflow::autodiff::ops
