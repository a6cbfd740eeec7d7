// Exercise 06: he_normal. Its statistics (mean, spread, normal shape, dependence on fan_in), and
// the reason it exists: the activation scale survives 20 ReLU layers.
#include <cmath>
#include <numbers>

#include "autodiff/autodiff.hpp"
#include "coursework/ex06_he_normal.hpp"
#include "helpers.hpp"

using namespace gradflow::autodiff;
using gradflow::coursework::he_normal;
using gradflow::nn::Rng;

TEST_CASE("ex06 he_normal draws Normal(0, 2 / fan_in): mean, spread and shape", "[ex06]") {
  Rng rng(7);
  const int fan_in = 500, fan_out = 400;
  const Tensor w = he_normal(fan_in, fan_out, rng);
  REQUIRE(w.shape() == Shape{fan_in, fan_out});
  const double n = static_cast<double>(w.size());
  const double sigma = std::sqrt(2.0 / fan_in);
  double mean = 0, sq = 0, within1 = 0, within2 = 0;
  for (float v : w.values()) {
    mean += v / n;
    sq += static_cast<double>(v) * v / n;
    within1 += std::fabs(v) < sigma ? 1 / n : 0;
    within2 += std::fabs(v) < 2 * sigma ? 1 / n : 0;
  }
  const double std_dev = std::sqrt(sq - mean * mean);
  // Standard errors for 200,000 draws: mean sigma/447, std 0.16 %, fractions 0.1 %. The bounds
  // are about 5 standard errors, far below what a wrong formula misses by.
  INFO("he_normal(500, 400): mean " << mean << ", std " << std_dev << " (expected " << sigma << "), within 1 sigma "
                                    << within1 << " (normal: 0.683, uniform: 0.577), within 2 sigma " << within2);
  CHECK(std::fabs(mean) < 5 * sigma / std::sqrt(n));
  CHECK(std::fabs(std_dev / sigma - 1) < 0.01);
  CHECK(std::fabs(within1 - 0.6827) < 0.006);
  CHECK(std::fabs(within2 - 0.9545) < 0.004);
}

TEST_CASE("ex06 he_normal's spread follows fan_in, not fan_out", "[ex06]") {
  for (int fan_in : {20, 100, 800}) {
    Rng rng(static_cast<std::uint64_t>(fan_in));
    const Tensor w = he_normal(fan_in, 50, rng);
    double sq = 0;
    for (float v : w.values()) sq += static_cast<double>(v) * v;
    const double std_dev = std::sqrt(sq / static_cast<double>(w.size()));
    INFO("he_normal(" << fan_in << ", 50): std " << std_dev << ", expected " << std::sqrt(2.0 / fan_in));
    CHECK(std::fabs(std_dev / std::sqrt(2.0 / fan_in) - 1) < 0.1);
  }
}

TEST_CASE("ex06 he_normal is reproducible from the seed and rejects bad sizes", "[ex06]") {
  Rng a(3), b(3), c(4);
  const Tensor wa = he_normal(30, 20, a), wb = he_normal(30, 20, b), wc = he_normal(30, 20, c);
  CHECK(std::equal(wa.values().begin(), wa.values().end(), wb.values().begin()));
  CHECK_FALSE(std::equal(wa.values().begin(), wa.values().end(), wc.values().begin()));
  Rng rng(1);
  CHECK_THROWS_AS(he_normal(0, 5, rng), std::invalid_argument);
  CHECK_THROWS_AS(he_normal(5, -1, rng), std::invalid_argument);
}

TEST_CASE("ex06 he_normal keeps the activation scale over 20 ReLU layers", "[ex06]") {
  // h_l = relu(h_(l-1) W_l), width 256, a batch of 32 standard-normal inputs. With He's variance
  // E[h_l^2] stays at E[h_1^2] on average; with 1/fan_in it would halve per layer (2^-19 by layer
  // 20). One network's ratio wanders (each layer's draw of W scales it by a random factor near
  // 1), so the rule is on the geometric mean over 12 networks.
  const int width = 256, batch = 32, depth = 20, nets = 12;
  Rng rng(2026);
  double log_ratio = 0, first_layer = 0;
  for (int net = 0; net < nets; ++net) {
    Tensor x({batch, width});
    for (float& v : x.values()) {
      const double u1 = 1.0 - rng.uniform(), u2 = rng.uniform();
      v = static_cast<float>(std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2));
    }
    Graph g;
    Var h = g.input("x", x);
    std::vector<double> scale;  // mean of h_l^2 per layer
    for (int l = 1; l <= depth; ++l) {
      h = relu(matmul(h, g.constant("w", he_normal(width, width, rng))));
      double sq = 0;
      for (float v : h.value().values()) sq += static_cast<double>(v) * v;
      scale.push_back(sq / static_cast<double>(h.value().size()));
    }
    log_ratio += std::log(scale.back() / scale.front()) / nets;
    first_layer += scale.front() / nets;
  }
  const double ratio = std::exp(log_ratio);
  INFO("mean h^2 at layer 1: " << first_layer << " (E[x^2] = 1); layer 20 / layer 1, geometric mean over " << nets
                               << " networks: " << ratio << "; the rule: layer 1 within a factor 1.5 of 1, "
                               << "layer 20 within a factor 2 of layer 1");
  CHECK(first_layer > 1 / 1.5);
  CHECK(first_layer < 1.5);
  CHECK(ratio > 0.5);
  CHECK(ratio < 2.0);
}
