#include "autodiff/ops/softmax_cross_entropy.hpp"

#include <algorithm>
#include <cmath>

namespace gradflow::autodiff::ops {

Shape SoftmaxCrossEntropy::output_shape(std::span<const Shape> x) const {
  if (x[1] != x[0]) {
    throw ShapeError(fmt::format("labels must have the logits' shape {} but are {}", to_string(x[0]), to_string(x[1])));
  }
  if (x[0].rows == 0 || x[0].cols == 0) {
    throw ShapeError(fmt::format("needs at least one row and one class, but the logits are {}", to_string(x[0])));
  }
  return {1, 1};
}

namespace {
// The row max m and sum_k e^{z_k - m}, from which lse = m + ln(sum) and p_j = e^{z_j - m} / sum.
struct RowExp {
  float max;
  float sum;
};
RowExp row_exp(const float* z, std::size_t classes) {
  const float m = *std::max_element(z, z + classes);
  float s = 0.0F;
  for (std::size_t j = 0; j < classes; ++j) s += std::exp(z[j] - m);
  return {m, s};
}
}  // namespace

void SoftmaxCrossEntropy::forward(const Operands& x, Tensor& y) const {
  const auto batch = static_cast<std::size_t>(x[0].rows());
  const auto classes = static_cast<std::size_t>(x[0].cols());
  double total = 0.0;
  for (std::size_t b = 0; b < batch; ++b) {
    const float* z = x[0].data() + b * classes;
    const float* t = x[1].data() + b * classes;
    const auto [m, s] = row_exp(z, classes);
    const float lse = m + std::log(s);
    float row = 0.0F;
    for (std::size_t j = 0; j < classes; ++j) row += t[j] * (lse - z[j]);  // -t_j ln p_j
    total += row;
  }
  y[0] = static_cast<float>(total / static_cast<double>(batch));
}

std::vector<Tensor> SoftmaxCrossEntropy::backward(const Operands& x, const Tensor& /*y*/, const Tensor& dy,
                                                  const GradMask& needed) const {
  std::vector<Tensor> dx(2);  // dx[1] stays empty: labels get no gradient
  if (!needed[0]) return dx;
  const auto batch = static_cast<std::size_t>(x[0].rows());
  const auto classes = static_cast<std::size_t>(x[0].cols());
  const float k = dy[0] / static_cast<float>(batch);
  dx[0] = Tensor(x[0].shape());
  for (std::size_t b = 0; b < batch; ++b) {
    const float* z = x[0].data() + b * classes;
    const float* t = x[1].data() + b * classes;
    float* dz = dx[0].data() + b * classes;
    // row_exp's sum, keeping each e^{z_j - m} in dz so that it is computed once, not twice.
    const float m = *std::max_element(z, z + classes);
    float s = 0.0F;
    for (std::size_t j = 0; j < classes; ++j) {
      dz[j] = std::exp(z[j] - m);
      s += dz[j];
    }
    const float inv_s = 1.0F / s;
    float t_sum = 0.0F;
    for (std::size_t j = 0; j < classes; ++j) t_sum += t[j];
    for (std::size_t j = 0; j < classes; ++j) dz[j] = k * (dz[j] * inv_s * t_sum - t[j]);  // p_j = e^{z_j - m} / s
  }
  return dx;
}

Var softmax_cross_entropy(Var logits, Var labels) {
  return logits.graph().apply(std::make_shared<SoftmaxCrossEntropy>(), {logits, labels});
}

}  // namespace gradflow::autodiff::ops
