#include "autodiff/ops/softplus.hpp"

#include <algorithm>
#include <cmath>

#include "autodiff/ops/sigmoid.hpp"

namespace gradflow::autodiff::ops {

void Softplus::forward(const Operands& x, Tensor& y) const {
  const float* in = x[0].data();
  float* out = y.data();
  for (std::size_t i = 0; i < y.size(); ++i) out[i] = std::max(in[i], 0.0F) + std::log1p(std::exp(-std::fabs(in[i])));
}

std::vector<Tensor> Softplus::backward(const Operands& x, const Tensor& /*y*/, const Tensor& dy,
                                       const GradMask& needed) const {
  std::vector<Tensor> dx(1);
  if (!needed[0]) return dx;  // nobody needs dL/dx: skip the work
  dx[0] = Tensor(x[0].shape());
  const float* in = x[0].data();
  const float* g = dy.data();
  float* out = dx[0].data();
  for (std::size_t i = 0; i < dy.size(); ++i) out[i] = g[i] * stable_sigmoid(in[i]);
  return dx;
}

Var softplus(Var x) { return x.graph().apply(std::make_shared<Softplus>(), {x}); }

}  // namespace gradflow::autodiff::ops
