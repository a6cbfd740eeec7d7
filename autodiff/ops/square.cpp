#include "autodiff/ops/square.hpp"

namespace gradflow::autodiff::ops {

void Square::forward(const Operands& x, Tensor& y) const {
  const float* in = x[0].data();
  float* out = y.data();
  for (std::size_t i = 0; i < y.size(); ++i) out[i] = in[i] * in[i];
}

std::vector<Tensor> Square::backward(const Operands& x, const Tensor& /*y*/, const Tensor& dy,
                                     const GradMask& needed) const {
  std::vector<Tensor> dx(1);
  if (!needed[0]) return dx;
  dx[0] = Tensor(x[0].shape());
  const float* in = x[0].data();
  const float* g = dy.data();
  float* out = dx[0].data();
  for (std::size_t i = 0; i < dy.size(); ++i) out[i] = 2.0F * in[i] * g[i];
  return dx;
}

Var square(Var x) { return x.graph().apply(std::make_shared<Square>(), {x}); }

}  // namespace gradflow::autodiff::ops
