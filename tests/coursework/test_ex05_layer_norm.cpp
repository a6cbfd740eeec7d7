// Exercise 05: layer_norm over rows. Forward values at several eps and gradcheck at several eps,
// so a backward that forgets 1/sigma or a 1/m goes red.
#include <cmath>

#include "autodiff/autodiff.hpp"
#include "coursework/ex05_layer_norm.hpp"
#include "helpers.hpp"

using namespace gradflow::autodiff;
using gradflow::coursework::LayerNorm;

namespace {
const float kEps[] = {1e-5F, 0.1F, 1.0F};
}

TEST_CASE("ex05 layer_norm forward is (x - mu) / sqrt(var + eps) per row, at several eps", "[ex05]") {
  const Tensor x = Tensor::from_rows({{1.0F, 2.0F, 3.0F, 4.0F}, {-0.5F, 0.25F, 2.0F, -3.0F}, {5.0F, 5.0F, 5.0F, 5.0F}});
  for (float eps : kEps) {
    Graph g;
    Var y = gradflow::coursework::layer_norm(g.input("x", x), eps);
    REQUIRE(y.shape() == x.shape());
    for (int r = 0; r < x.rows(); ++r) {
      double mu = 0, var = 0;
      for (int c = 0; c < x.cols(); ++c) mu += x(r, c) / 4.0;
      for (int c = 0; c < x.cols(); ++c) var += (x(r, c) - mu) * (x(r, c) - mu) / 4.0;
      for (int c = 0; c < x.cols(); ++c) {
        const double expected = (x(r, c) - mu) / std::sqrt(var + eps);
        INFO("layer_norm forward, eps " << eps << ", row " << r << ", col " << c << ": got " << y.value()(r, c)
                                        << ", expected " << expected);
        CHECK(std::fabs(y.value()(r, c) - expected) <= 1e-5 * (1 + std::fabs(expected)));
      }
    }
  }
}

TEST_CASE("ex05 layer_norm backward passes gradcheck at several eps", "[ex05]") {
  for (float eps : kEps) {
    coursework_tests::gradcheck_cases(std::make_shared<LayerNorm>(eps), "layer_norm eps=" + std::to_string(eps),
                                      {ops::Sample::any}, {{{2, 3}}, {{4, 5}}, {{1, 8}}}, 3);
  }
}

TEST_CASE("ex05 layer_norm backward: each row's gradient sums to zero and matches the three-term formula", "[ex05]") {
  // Shifting a row by a constant does not change its layer_norm, so dL/dx sums to 0 per row.
  const Tensor x = Tensor::from_rows({{0.3F, -1.2F, 2.2F, 0.9F, -0.1F}, {4.0F, 1.0F, -2.0F, 0.5F, 0.0F}});
  const Tensor dy = Tensor::from_rows({{1.0F, -0.5F, 0.25F, 2.0F, -1.0F}, {0.1F, 0.2F, -0.3F, 0.4F, 1.5F}});
  for (float eps : kEps) {
    const LayerNorm op(eps);
    Tensor y(x.shape());
    const std::array<const Tensor*, kMaxArity> ptrs{&x};
    op.forward(Operands(ptrs, 1), y);
    const auto dx = op.backward(Operands(ptrs, 1), y, dy, GradMask());
    REQUIRE(dx.size() == 1);
    REQUIRE(dx[0].shape() == x.shape());
    for (int r = 0; r < x.rows(); ++r) {
      const int m = x.cols();
      double mu = 0, var = 0, row_sum = 0;
      for (int c = 0; c < m; ++c) mu += x(r, c) / static_cast<double>(m);
      for (int c = 0; c < m; ++c) var += (x(r, c) - mu) * (x(r, c) - mu) / static_cast<double>(m);
      const double sigma = std::sqrt(var + eps);
      double mean_dy = 0, mean_dy_xhat = 0;
      for (int c = 0; c < m; ++c) {
        mean_dy += dy(r, c) / static_cast<double>(m);
        mean_dy_xhat += dy(r, c) * (x(r, c) - mu) / sigma / m;
      }
      for (int c = 0; c < m; ++c) {
        const double xhat = (x(r, c) - mu) / sigma;
        const double expected = (dy(r, c) - mean_dy - xhat * mean_dy_xhat) / sigma;
        INFO("layer_norm backward, eps " << eps << ", row " << r << ", col " << c << ": dx " << dx[0](r, c)
                                         << ", expected " << expected);
        CHECK(std::fabs(dx[0](r, c) - expected) <= 1e-5 * (1 + std::fabs(expected)));
        row_sum += dx[0](r, c);
      }
      CHECK(std::fabs(row_sum) < 1e-5);
    }
  }
}
