#include "autodiff/ops/relu.hpp"

namespace gradflow::autodiff::ops {

void Relu::forward(const Operands& x, Tensor& y) const {
  const float* in = x[0].data();
  float* out = y.data();
  for (std::size_t i = 0; i < y.size(); ++i) out[i] = in[i] > 0.0F ? in[i] : 0.0F;
}

std::vector<Tensor> Relu::backward(const Operands& x, const Tensor& /*y*/, const Tensor& dy,
                                   const GradMask& needed) const {
  std::vector<Tensor> dx(1);
  if (!needed[0]) return dx;
  dx[0] = Tensor(x[0].shape());
  const float* in = x[0].data();
  const float* g = dy.data();
  float* out = dx[0].data();
  // Load dy first so that the choice is a plain select, not a branch: with half the inputs
  // negative at random a branch is mispredicted half the time, and the loop runs many times
  // slower than this vectorised one.
  for (std::size_t i = 0; i < dy.size(); ++i) {
    const float gi = g[i];
    out[i] = in[i] > 0.0F ? gi : 0.0F;
  }
  return dx;
}

Var relu(Var x) { return x.graph().apply(std::make_shared<Relu>(), {x}); }

}  // namespace gradflow::autodiff::ops
