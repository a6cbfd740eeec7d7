#include "autodiff/ops/mul.hpp"

#include "autodiff/ops/shape_rules.hpp"

namespace gradflow::autodiff::ops {

Shape Mul::output_shape(std::span<const Shape> x) const { return same_shape(x[0], x[1]); }

void Mul::forward(const Operands& x, Tensor& y) const {
  const float* a = x[0].data();
  const float* b = x[1].data();
  float* out = y.data();
  for (std::size_t i = 0; i < y.size(); ++i) out[i] = a[i] * b[i];
}

std::vector<Tensor> Mul::backward(const Operands& x, const Tensor& /*y*/, const Tensor& dy,
                                  const GradMask& needed) const {
  std::vector<Tensor> dx(2);
  const float* g = dy.data();
  for (std::size_t k = 0; k < 2; ++k) {
    if (!needed[k]) continue;
    const float* other = x[1 - k].data();  // dx0 = dy * x1, dx1 = dy * x0
    dx[k] = Tensor(dy.shape());
    float* out = dx[k].data();
    for (std::size_t i = 0; i < dy.size(); ++i) out[i] = g[i] * other[i];
  }
  return dx;
}

Var mul(Var a, Var b) { return a.graph().apply(std::make_shared<Mul>(), {a, b}); }

}  // namespace gradflow::autodiff::ops
