#include "autodiff/ops/mean.hpp"

namespace gradflow::autodiff::ops {

Shape Mean::output_shape(std::span<const Shape> x) const {
  if (x[0].numel() == 0) throw ShapeError(fmt::format("the mean of an empty tensor {} is undefined", to_string(x[0])));
  return {1, 1};
}

void Mean::forward(const Operands& x, Tensor& y) const {
  const float* in = x[0].data();
  double total = 0.0;
  for (std::size_t i = 0; i < x[0].size(); ++i) total += in[i];
  y[0] = static_cast<float>(total / static_cast<double>(x[0].size()));
}

std::vector<Tensor> Mean::backward(const Operands& x, const Tensor& /*y*/, const Tensor& dy,
                                   const GradMask& needed) const {
  std::vector<Tensor> dx(1);
  if (needed[0]) dx[0] = Tensor(x[0].shape(), dy[0] / static_cast<float>(x[0].size()));
  return dx;
}

Var mean(Var x) { return x.graph().apply(std::make_shared<Mean>(), {x}); }

}  // namespace gradflow::autodiff::ops
