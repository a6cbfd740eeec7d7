// Exercise 02, a PLANTED MISTAKE: backward forgets the second term of the product rule (dx = dy * s).
// Built only as a test variant that must FAIL (tests/coursework/CMakeLists.txt); never shipped.
#include "autodiff/ops/sigmoid.hpp"
#include "coursework/ex02_silu.hpp"

namespace gradflow::coursework {

using autodiff::GradMask;
using autodiff::Operands;
using autodiff::Tensor;

void Silu::forward(const Operands& x, Tensor& y) const {
  const float* in = x[0].data();
  float* out = y.data();
  for (std::size_t i = 0; i < y.size(); ++i) out[i] = in[i] * autodiff::ops::stable_sigmoid(in[i]);
}

std::vector<Tensor> Silu::backward(const Operands& x, const Tensor& /*y*/, const Tensor& dy,
                                   const GradMask& needed) const {
  std::vector<Tensor> dx(1);
  if (!needed[0]) return dx;
  dx[0] = Tensor(x[0].shape());
  const float* in = x[0].data();
  const float* g = dy.data();
  float* d = dx[0].data();
  for (std::size_t i = 0; i < dy.size(); ++i) {
    const float s = autodiff::ops::stable_sigmoid(in[i]);
    d[i] = g[i] * s;  // PLANTED: the x s (1 - s) term of the product rule is missing
  }
  return dx;
}

}  // namespace gradflow::coursework
