#include "autodiff/ops/bias_add.hpp"

namespace gradflow::autodiff::ops {

Shape BiasAdd::output_shape(std::span<const Shape> x) const {
  if (x[1].rows != 1 || x[1].cols != x[0].cols) {
    throw ShapeError(fmt::format("bias must be {} to match {} but is {}", to_string(Shape{1, x[0].cols}),
                                 to_string(x[0]), to_string(x[1])));
  }
  return x[0];
}

void BiasAdd::forward(const Operands& x, Tensor& y) const {
  const auto rows = static_cast<std::size_t>(y.rows());
  const auto cols = static_cast<std::size_t>(y.cols());
  const float* in = x[0].data();
  const float* b = x[1].data();
  float* out = y.data();
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t j = 0; j < cols; ++j) out[r * cols + j] = in[r * cols + j] + b[j];
  }
}

std::vector<Tensor> BiasAdd::backward(const Operands& x, const Tensor& /*y*/, const Tensor& dy,
                                      const GradMask& needed) const {
  std::vector<Tensor> dx(2);
  if (needed[0]) dx[0] = dy;
  if (needed[1]) {  // db = column sums of dy
    const auto rows = static_cast<std::size_t>(dy.rows());
    const auto cols = static_cast<std::size_t>(dy.cols());
    dx[1] = Tensor(x[1].shape());
    const float* g = dy.data();
    float* db = dx[1].data();
    for (std::size_t r = 0; r < rows; ++r) {
      for (std::size_t j = 0; j < cols; ++j) db[j] += g[r * cols + j];
    }
  }
  return dx;
}

Var bias_add(Var x, Var b) { return x.graph().apply(std::make_shared<BiasAdd>(), {x, b}); }

}  // namespace gradflow::autodiff::ops
