#include "autodiff/ops/sum.hpp"

namespace gradflow::autodiff::ops {

void Sum::forward(const Operands& x, Tensor& y) const {
  const float* in = x[0].data();
  double total = 0.0;  // a long float sum loses the small terms; double keeps them
  for (std::size_t i = 0; i < x[0].size(); ++i) total += in[i];
  y[0] = static_cast<float>(total);
}

std::vector<Tensor> Sum::backward(const Operands& x, const Tensor& /*y*/, const Tensor& dy,
                                  const GradMask& needed) const {
  std::vector<Tensor> dx(1);
  if (needed[0]) dx[0] = Tensor(x[0].shape(), dy[0]);
  return dx;
}

Var sum(Var x) { return x.graph().apply(std::make_shared<Sum>(), {x}); }

}  // namespace gradflow::autodiff::ops
