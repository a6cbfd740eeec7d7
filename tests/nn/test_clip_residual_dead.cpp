// nn/ pieces of lessons 06-08: the normal initialisers, clipping by global norm, residual blocks
// (checked against finite differences) and the dead-unit probe.
#include <catch2/catch.hpp>
#include <cmath>

#include "autodiff/autodiff.hpp"
#include "nn/classifier.hpp"
#include "nn/clip.hpp"
#include "nn/dead_units.hpp"
#include "nn/init.hpp"
#include "nn/residual.hpp"

using namespace gradflow;
using autodiff::Graph;
using autodiff::Tensor;
using autodiff::Var;

namespace {
void check_mean_and_std(const Tensor& w, double sigma) {
  double sum = 0, sum_sq = 0;
  for (float v : w.values()) {
    sum += v;
    sum_sq += static_cast<double>(v) * v;
  }
  const double n = static_cast<double>(w.size());
  CHECK(sum / n == Approx(0.0).margin(0.02 * sigma));
  CHECK(std::sqrt(sum_sq / n - (sum / n) * (sum / n)) == Approx(sigma).epsilon(0.03));
}
}  // namespace

TEST_CASE("normal_0.01 and normal_1 draw N(0, sigma^2) whatever the fan", "[nn][init]") {
  nn::Rng rng(11);
  check_mean_and_std(nn::init_kernel(nn::Init::normal_0_01, 300, 100, rng), 0.01);
  check_mean_and_std(nn::init_kernel(nn::Init::normal_1, 30, 1000, rng), 1.0);
  CHECK(nn::parse_init("normal_0.01") == nn::Init::normal_0_01);
  CHECK(nn::parse_init("normal_1") == nn::Init::normal_1);
  CHECK(nn::to_string(nn::Init::normal_0_01) == "normal_0.01");
  CHECK_THROWS_WITH(nn::parse_init("normal_2"), Catch::Contains("normal_2") && Catch::Contains("normal_0.01"));
}

TEST_CASE("clip_by_global_norm caps the length of all gradients together and keeps their direction", "[nn][clip]") {
  Graph g;
  Var a = g.parameter("a", Tensor::from_rows({{3.0F}}));
  Var b = g.parameter("b", Tensor::from_rows({{1.0F, 1.0F}}));
  // L = sum(a * c) + sum(b * d), so that dL/da = c and dL/db = d.
  Var c = g.constant("c", Tensor::from_rows({{3.0F}}));
  Var d = g.constant("d", Tensor::from_rows({{4.0F, 0.0F}}));
  Var loss = autodiff::ops::sum(a * c) + autodiff::ops::sum(b * d);
  g.backward(loss);  // dL/da = 3, dL/db = (4, 0): global norm 5
  const std::vector<Var> params{a, b};
  CHECK(nn::global_norm(params) == Approx(5.0));

  SECTION("below the cap nothing changes") {
    CHECK(nn::clip_by_global_norm(params, 10.0) == Approx(5.0));
    CHECK(a.grad()[0] == 3.0F);
    CHECK(b.grad()[0] == 4.0F);
  }
  SECTION("above the cap every gradient shrinks by the same factor") {
    CHECK(nn::clip_by_global_norm(params, 1.0) == Approx(5.0));  // returns the norm before clipping
    CHECK(nn::global_norm(params) == Approx(1.0));
    CHECK(a.grad()[0] == Approx(0.6));
    CHECK(b.grad()[0] == Approx(0.8));
    CHECK(b.grad()[1] == 0.0F);
  }
  SECTION("a bad cap and a missing gradient are refused") {
    CHECK_THROWS_WITH(nn::clip_by_global_norm(params, 0.0), Catch::Contains("max_norm"));
    Var unused = g.parameter("unused", Tensor::from_rows({{1.0F}}));
    const std::vector<Var> with_unused{a, unused};
    CHECK_THROWS_WITH(nn::global_norm(with_unused), Catch::Contains("'unused'"));
  }
}

namespace {
// L = mean(square(block(h))) for a residual block with tanh, the block's input h a parameter so
// that backward computes dL/dh too.
struct BlockFixture {
  Graph g;
  nn::Rng rng{5};
  Var h;
  nn::ResidualBlock block;
  Var loss;
  explicit BlockFixture(bool skip)
      : block(g, "block1", 3, nn::DenseOptions{nn::Activation::tanh, std::nullopt, nn::Init::glorot_uniform}, skip,
              rng) {
    h = g.parameter("h", Tensor::from_rows({{0.5F, -0.3F, 0.8F}, {-0.2F, 0.9F, 0.1F}}));
    loss = autodiff::ops::mean(autodiff::ops::square(block(h)));
  }
};

// Central differences of L with respect to every element of `p`, compared with backward's.
void check_against_finite_differences(BlockFixture& fx, Var p) {
  fx.g.forward();
  fx.g.backward(fx.loss);
  const Tensor analytic = p.grad();
  const float eps = 1e-2F;
  for (std::size_t i = 0; i < analytic.size(); ++i) {
    float& w = p.mutable_value()[i];
    const float saved = w;
    w = saved + eps;
    fx.g.forward();
    const double up = fx.loss.value().item();
    w = saved - eps;
    fx.g.forward();
    const double down = fx.loss.value().item();
    w = saved;
    const double numeric = (up - down) / (2.0 * eps);
    INFO(p.name() << " element " << i);
    CHECK(analytic[i] == Approx(numeric).epsilon(0.02).margin(1e-4));
  }
  fx.g.forward();
}
}  // namespace

TEST_CASE("a residual block's backward agrees with finite differences on every path", "[nn][residual]") {
  for (bool skip : {true, false}) {
    BlockFixture fx(skip);
    INFO("skip " << skip);
    CHECK(fx.block.f().kernel().name() == "block1/f/kernel");
    check_against_finite_differences(fx, fx.block.f().kernel());
    check_against_finite_differences(fx, fx.block.f().bias());
    check_against_finite_differences(fx, fx.h);
  }
}

TEST_CASE("the skip path hands dL/dy to the block's input unchanged", "[nn][residual]") {
  // With f's kernel and bias zero, f(h) = tanh(0) = 0 and its path passes (dy * tanh'(0)) W^T = 0:
  // whatever reaches h comes through the skip, so dL/dh must equal dL/dy exactly.
  for (bool skip : {true, false}) {
    BlockFixture fx(skip);
    fx.block.f().kernel().mutable_value().fill(0.0F);
    fx.g.forward();
    fx.g.backward(fx.loss);
    const Tensor& dh = fx.h.grad();
    const Tensor& dy = fx.block.output().grad();
    if (skip) {
      CHECK(autodiff::max_abs(dy) > 0.0F);
      for (std::size_t i = 0; i < dh.size(); ++i) CHECK(dh[i] == dy[i]);
    } else {
      CHECK(autodiff::max_abs(dh) == 0.0F);  // the plain layer has nothing left to pass back
    }
  }
}

TEST_CASE("a residual MLP names its layers and lists stem, blocks and head as parameters", "[nn][residual]") {
  Graph g;
  nn::Rng rng(2);
  nn::ResidualMlpSpec spec{
      6, 4, 3, 2, nn::DenseOptions{nn::Activation::sigmoid, std::nullopt, nn::Init::glorot_uniform}, true};
  nn::ResidualMlp net(g, spec, rng);
  Var x = g.input("x", Tensor({5, 6}, 0.5F));
  Var logits = net(x);
  CHECK(logits.shape() == autodiff::Shape{5, 2});
  const auto params = net.parameters();
  REQUIRE(params.size() == 2 * (1 + 3 + 1));
  CHECK(params.front().name() == "stem/kernel");
  CHECK(params[2].name() == "block1/f/kernel");
  CHECK(params.back().name() == "head/bias");
  CHECK(net.blocks()[2].output().name() == "block3/add");
  spec.blocks = -1;
  CHECK_THROWS_WITH(nn::ResidualMlp(g, spec, rng), Catch::Contains("blocks -1"));
}

TEST_CASE("a unit is dead only when it is never positive on the whole probe set", "[nn][dead]") {
  const Tensor z = Tensor::from_rows({{-1.0F, 0.0F, 2.0F, -3.0F}, {-2.0F, 0.0F, -1.0F, 0.5F}});
  CHECK(nn::never_positive_fraction(z) == Approx(0.5));  // columns 0 and 1; 2 and 3 fire once each
  CHECK_THROWS(nn::never_positive_fraction(Tensor({0, 3})));

  nn::TrainingOptions options;
  options.batch_size = 4;
  nn::Classifier c(nn::MlpSpec{5, {6, 6}, 3, nn::Activation::relu, std::nullopt, nn::Init::glorot_uniform}, options);
  std::vector<float> images(20 * 5);
  std::vector<std::uint8_t> labels(20);
  nn::Rng rng(9);
  for (float& v : images) v = static_cast<float>(rng.uniform());
  for (std::size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<std::uint8_t>(i % 3);
  const auto alive = nn::probe_never_positive(c, images, labels);
  REQUIRE(alive.size() == 2);  // the two hidden layers, not the output layer
  // A strongly negative bias in layer 1 kills every unit there for every input in [0, 1).
  c.mlp().layers()[0].bias().mutable_value().fill(-100.0F);
  const auto killed = nn::probe_never_positive(c, images, labels);
  CHECK(killed[0] == 1.0F);
  CHECK(killed[0] > alive[0]);
}
