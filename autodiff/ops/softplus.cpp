#include "autodiff/ops/softplus.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "autodiff/ops/sigmoid.hpp"

namespace gradflow::autodiff::ops {

Softplus::Softplus(float beta) : beta_(beta) {
  if (!(beta > 0.0F) || !std::isfinite(beta)) {
    throw std::invalid_argument(fmt::format("softplus: beta must be positive and finite, got {}", beta));
  }
}

std::string Softplus::attributes() const { return fmt::format("beta={}", beta_); }

void Softplus::forward(const Operands& x, Tensor& y) const {
  const float* in = x[0].data();
  float* out = y.data();
  for (std::size_t i = 0; i < y.size(); ++i) {
    const float u = beta_ * in[i];
    out[i] = (std::max(u, 0.0F) + std::log1p(std::exp(-std::fabs(u)))) / beta_;
  }
}

std::vector<Tensor> Softplus::backward(const Operands& x, const Tensor& /*y*/, const Tensor& dy,
                                       const GradMask& needed) const {
  std::vector<Tensor> dx(1);
  if (!needed[0]) return dx;  // nobody needs dL/dx: skip the work
  dx[0] = Tensor(x[0].shape());
  const float* in = x[0].data();
  const float* g = dy.data();
  float* out = dx[0].data();
  for (std::size_t i = 0; i < dy.size(); ++i) out[i] = g[i] * stable_sigmoid(beta_ * in[i]);
  return dx;
}

Var softplus(Var x, float beta) { return x.graph().apply(std::make_shared<Softplus>(beta), {x}); }

}  // namespace gradflow::autodiff::ops
