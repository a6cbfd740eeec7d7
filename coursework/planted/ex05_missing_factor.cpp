// Exercise 05, a PLANTED MISTAKE: backward drops the factor 1/sigma.
// Built only as a test variant that must FAIL (tests/coursework/CMakeLists.txt); never shipped.
#include <cmath>

#include "coursework/ex05_layer_norm.hpp"

namespace gradflow::coursework {

using autodiff::GradMask;
using autodiff::Operands;
using autodiff::Tensor;

namespace {
// mu and 1 / sigma of row r, in double (a mean of many floats loses digits in float).
std::pair<double, double> row_stats(const Tensor& x, int r, float eps) {
  const int m = x.cols();
  double mu = 0.0;
  for (int c = 0; c < m; ++c) mu += x(r, c);
  mu /= m;
  double var = 0.0;
  for (int c = 0; c < m; ++c) var += (x(r, c) - mu) * (x(r, c) - mu);
  var /= m;
  return {mu, 1.0 / std::sqrt(var + eps)};
}
}  // namespace

void LayerNorm::forward(const Operands& x, Tensor& y) const {
  const Tensor& in = x[0];
  for (int r = 0; r < in.rows(); ++r) {
    const auto [mu, inv_sigma] = row_stats(in, r, eps_);
    for (int c = 0; c < in.cols(); ++c) y(r, c) = static_cast<float>((in(r, c) - mu) * inv_sigma);
  }
}

std::vector<Tensor> LayerNorm::backward(const Operands& x, const Tensor& y, const Tensor& dy,
                                        const GradMask& needed) const {
  std::vector<Tensor> dx(1);
  if (!needed[0]) return dx;
  const Tensor& in = x[0];
  dx[0] = Tensor(in.shape());
  const int m = in.cols();
  for (int r = 0; r < in.rows(); ++r) {
    [[maybe_unused]] const double inv_sigma = row_stats(in, r, eps_).second;  // PLANTED: computed, then forgotten
    double mean_dy = 0.0, mean_dy_xhat = 0.0;                                 // y is xhat
    for (int c = 0; c < m; ++c) {
      mean_dy += dy(r, c);
      mean_dy_xhat += static_cast<double>(dy(r, c)) * y(r, c);
    }
    mean_dy /= m;
    mean_dy_xhat /= m;
    for (int c = 0; c < m; ++c) {
      dx[0](r, c) = static_cast<float>(dy(r, c) - mean_dy - y(r, c) * mean_dy_xhat);  // PLANTED: 1/sigma missing
    }
  }
  return dx;
}

}  // namespace gradflow::coursework
