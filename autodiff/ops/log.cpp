#include "autodiff/ops/log.hpp"

#include <cmath>

namespace gradflow::autodiff::ops {

void Log::forward(const Operands& x, Tensor& y) const {
  const float* in = x[0].data();
  float* out = y.data();
  for (std::size_t i = 0; i < y.size(); ++i) out[i] = std::log(in[i]);
}

std::vector<Tensor> Log::backward(const Operands& x, const Tensor& /*y*/, const Tensor& dy,
                                  const GradMask& needed) const {
  std::vector<Tensor> dx(1);
  if (!needed[0]) return dx;
  dx[0] = Tensor(x[0].shape());
  const float* in = x[0].data();
  const float* g = dy.data();
  float* out = dx[0].data();
  for (std::size_t i = 0; i < dy.size(); ++i) out[i] = g[i] / in[i];
  return dx;
}

Var log(Var x) { return x.graph().apply(std::make_shared<Log>(), {x}); }

}  // namespace gradflow::autodiff::ops
