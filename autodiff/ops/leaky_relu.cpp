#include "autodiff/ops/leaky_relu.hpp"

namespace gradflow::autodiff::ops {

std::string LeakyRelu::attributes() const { return fmt::format("alpha={}", alpha_); }

void LeakyRelu::forward(const Operands& x, Tensor& y) const {
  const float* in = x[0].data();
  float* out = y.data();
  for (std::size_t i = 0; i < y.size(); ++i) out[i] = in[i] > 0.0F ? in[i] : alpha_ * in[i];
}

std::vector<Tensor> LeakyRelu::backward(const Operands& x, const Tensor& /*y*/, const Tensor& dy,
                                        const GradMask& needed) const {
  std::vector<Tensor> dx(1);
  if (!needed[0]) return dx;
  dx[0] = Tensor(x[0].shape());
  const float* in = x[0].data();
  const float* g = dy.data();
  float* out = dx[0].data();
  for (std::size_t i = 0; i < dy.size(); ++i) {  // a select, not a branch (see relu.cpp)
    const float gi = g[i];
    out[i] = in[i] > 0.0F ? gi : alpha_ * gi;
  }
  return dx;
}

Var leaky_relu(Var x, float alpha) { return x.graph().apply(std::make_shared<LeakyRelu>(alpha), {x}); }

}  // namespace gradflow::autodiff::ops
