#include "autodiff/ops/scale.hpp"

namespace gradflow::autodiff::ops {

std::string Scale::attributes() const { return fmt::format("c={}", c_); }

void Scale::forward(const Operands& x, Tensor& y) const {
  const float* in = x[0].data();
  float* out = y.data();
  for (std::size_t i = 0; i < y.size(); ++i) out[i] = c_ * in[i];
}

std::vector<Tensor> Scale::backward(const Operands& x, const Tensor& /*y*/, const Tensor& dy,
                                    const GradMask& needed) const {
  std::vector<Tensor> dx(1);
  if (!needed[0]) return dx;
  dx[0] = Tensor(x[0].shape());
  const float* g = dy.data();
  float* out = dx[0].data();
  for (std::size_t i = 0; i < dy.size(); ++i) out[i] = c_ * g[i];
  return dx;
}

Var scale(Var x, float c) { return x.graph().apply(std::make_shared<Scale>(c), {x}); }

}  // namespace gradflow::autodiff::ops
