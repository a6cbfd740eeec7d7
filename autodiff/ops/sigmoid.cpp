#include "autodiff/ops/sigmoid.hpp"

namespace gradflow::autodiff::ops {

void Sigmoid::forward(const Operands& x, Tensor& y) const {
  const float* in = x[0].data();
  float* out = y.data();
  for (std::size_t i = 0; i < y.size(); ++i) out[i] = stable_sigmoid(in[i]);
}

std::vector<Tensor> Sigmoid::backward(const Operands& x, const Tensor& y, const Tensor& dy,
                                      const GradMask& needed) const {
  std::vector<Tensor> dx(1);
  if (!needed[0]) return dx;
  dx[0] = Tensor(x[0].shape());
  const float* s = y.data();
  const float* g = dy.data();
  float* out = dx[0].data();
  for (std::size_t i = 0; i < dy.size(); ++i) out[i] = g[i] * s[i] * (1.0F - s[i]);
  return dx;
}

Var sigmoid(Var x) { return x.graph().apply(std::make_shared<Sigmoid>(), {x}); }

}  // namespace gradflow::autodiff::ops
