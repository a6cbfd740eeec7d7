#include "autodiff/ops/tanh.hpp"

#include <cmath>

namespace gradflow::autodiff::ops {

void Tanh::forward(const Operands& x, Tensor& y) const {
  const float* in = x[0].data();
  float* out = y.data();
  for (std::size_t i = 0; i < y.size(); ++i) out[i] = std::tanh(in[i]);
}

std::vector<Tensor> Tanh::backward(const Operands& x, const Tensor& y, const Tensor& dy, const GradMask& needed) const {
  std::vector<Tensor> dx(1);
  if (!needed[0]) return dx;
  dx[0] = Tensor(x[0].shape());
  const float* t = y.data();
  const float* g = dy.data();
  float* out = dx[0].data();
  for (std::size_t i = 0; i < dy.size(); ++i) out[i] = g[i] * (1.0F - t[i] * t[i]);
  return dx;
}

Var tanh(Var x) { return x.graph().apply(std::make_shared<Tanh>(), {x}); }

}  // namespace gradflow::autodiff::ops
