// Exercise 03, a PLANTED MISTAKE: forward does not subtract the row max, so e^x overflows for large inputs.
// Built only as a test variant that must FAIL (tests/coursework/CMakeLists.txt); never shipped.
#include <algorithm>
#include <cmath>

#include "coursework/ex03_logsumexp.hpp"

namespace gradflow::coursework {

using autodiff::GradMask;
using autodiff::Operands;
using autodiff::Tensor;

void LogSumExp::forward(const Operands& x, Tensor& y) const {
  const Tensor& in = x[0];
  for (int r = 0; r < in.rows(); ++r) {
    float m = 0.0F;  // PLANTED: no max subtracted, e^x overflows for x > 88
    float s = 0.0F;
    for (int c = 0; c < in.cols(); ++c) s += std::exp(in(r, c) - m);
    y(r, 0) = m + std::log(s);
  }
}

std::vector<Tensor> LogSumExp::backward(const Operands& x, const Tensor& y, const Tensor& dy,
                                        const GradMask& needed) const {
  std::vector<Tensor> dx(1);
  if (!needed[0]) return dx;
  const Tensor& in = x[0];
  dx[0] = Tensor(in.shape());
  for (int r = 0; r < in.rows(); ++r) {
    for (int c = 0; c < in.cols(); ++c) dx[0](r, c) = dy(r, 0) * std::exp(in(r, c) - y(r, 0));  // softmax
  }
  return dx;
}

}  // namespace gradflow::coursework
