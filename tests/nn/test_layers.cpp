#include <catch2/catch.hpp>
#include <cmath>

#include "autodiff/autodiff.hpp"
#include "nn/activation.hpp"
#include "nn/dense.hpp"
#include "nn/init.hpp"
#include "nn/mlp.hpp"

using namespace gradflow;
using autodiff::Graph;
using autodiff::Tensor;

TEST_CASE("glorot_uniform draws within its limit with the variance it promises", "[nn][init]") {
  nn::Rng rng(7);
  const Tensor w = nn::init_kernel(nn::Init::glorot_uniform, 300, 100, rng);
  const double limit = std::sqrt(6.0 / 400.0);
  double sum = 0, sum_sq = 0;
  for (float v : w.values()) {
    sum += v;
    sum_sq += static_cast<double>(v) * v;
  }
  CHECK(autodiff::max_abs(w) <= limit);
  CHECK(autodiff::max_abs(w) > 0.95 * limit);
  const double n = static_cast<double>(w.size());
  CHECK(sum / n == Approx(0.0).margin(0.005));
  CHECK(sum_sq / n == Approx(2.0 / 400.0).epsilon(0.05));  // Var = limit^2 / 3 = 2 / (fan_in + fan_out)
}

TEST_CASE("he_uniform scales with fan-in only", "[nn][init]") {
  nn::Rng rng(7);
  const Tensor w = nn::init_kernel(nn::Init::he_uniform, 200, 50, rng);
  double sum_sq = 0;
  for (float v : w.values()) sum_sq += static_cast<double>(v) * v;
  CHECK(sum_sq / static_cast<double>(w.size()) == Approx(2.0 / 200.0).epsilon(0.05));
  CHECK_THROWS_WITH(nn::init_kernel(nn::Init::he_uniform, 0, 5, rng), Catch::Contains("positive"));
  CHECK_THROWS_WITH(nn::parse_init("xavier"), Catch::Contains("xavier"));
}

TEST_CASE("the same seed gives the same weights, another seed different ones", "[nn][init]") {
  nn::Rng a(3), b(3), c(4);
  const Tensor wa = nn::init_kernel(nn::Init::glorot_uniform, 5, 4, a);
  const Tensor wb = nn::init_kernel(nn::Init::glorot_uniform, 5, 4, b);
  const Tensor wc = nn::init_kernel(nn::Init::glorot_uniform, 5, 4, c);
  CHECK(std::equal(wa.values().begin(), wa.values().end(), wb.values().begin()));
  CHECK_FALSE(std::equal(wa.values().begin(), wa.values().end(), wc.values().begin()));
}

TEST_CASE("a dense layer computes f(x W + b) with scoped node names", "[nn][dense]") {
  Graph g;
  nn::Rng rng(1);
  nn::Dense layer(g, "layer3", 2, 3, {nn::Activation::relu, std::nullopt, nn::Init::glorot_uniform}, rng);
  CHECK(layer.kernel().name() == "layer3/kernel");
  CHECK(layer.bias().name() == "layer3/bias");
  CHECK(layer.kernel().shape() == autodiff::Shape{2, 3});
  CHECK(layer.bias().shape() == autodiff::Shape{1, 3});
  for (float v : layer.bias().value().values()) CHECK(v == 0.0F);  // zero bias, like tf.layers.dense

  layer.kernel().mutable_value() = Tensor::from_rows({{1, -1, 0.5F}, {2, 1, -1}});
  layer.bias().mutable_value() = Tensor::from_rows({{0.5F, 0, 0}});
  auto x = g.input("x", Tensor::from_rows({{1, 1}, {0, 2}}));
  auto y = layer(x);
  CHECK(y.name() == "layer3/relu");
  CHECK(layer.pre_activation().name() == "layer3/bias_add");
  // z = [[3.5, 0, -0.5], [4.5, 2, -2]] -> relu
  const Tensor expected = Tensor::from_rows({{3.5F, 0, 0}, {4.5F, 2, 0}});
  for (std::size_t i = 0; i < expected.size(); ++i) CHECK(y.value()[i] == Approx(expected[i]));
}

TEST_CASE("leaky_relu layers use the alpha they were given", "[nn][dense]") {
  Graph g;
  nn::Rng rng(1);
  nn::Dense layer(g, "layer1", 1, 1, {nn::Activation::leaky_relu, 0.01F, nn::Init::glorot_uniform}, rng);
  layer.kernel().mutable_value() = Tensor::from_rows({{1}});
  auto y = layer(g.input("x", Tensor::from_rows({{-3}})));
  CHECK(y.value().item() == Approx(-0.03F));
}

TEST_CASE("an mlp names its layers layer1 ... layerN and ends linear", "[nn][mlp]") {
  Graph g;
  nn::Rng rng(5);
  nn::MlpSpec spec{784, {10, 10, 10, 10, 10}, 10, nn::Activation::sigmoid, std::nullopt, nn::Init::glorot_uniform};
  nn::Mlp mlp(g, spec, rng);
  auto logits = mlp(g.input("x", Tensor({30, 784})));
  REQUIRE(mlp.layers().size() == 6);
  for (std::size_t i = 0; i < 6; ++i) CHECK(mlp.layers()[i].name() == fmt::format("layer{}", i + 1));
  CHECK(logits.shape() == autodiff::Shape{30, 10});
  CHECK(logits.name() == "layer6/bias_add");  // no activation on the output layer
  CHECK(mlp.parameters().size() == 12);
  CHECK(mlp.layers()[0].kernel().shape() == autodiff::Shape{784, 10});
}

TEST_CASE("an mlp with a non-positive size is refused with the size named", "[nn][mlp][errors]") {
  Graph g;
  nn::Rng rng(5);
  nn::MlpSpec spec{784, {10, 0, 10}, 10, nn::Activation::relu, std::nullopt, nn::Init::glorot_uniform};
  CHECK_THROWS_WITH(nn::Mlp(g, spec, rng), Catch::Contains("hidden layer 2") && Catch::Contains("got 0"));
  spec.hidden = {10};
  spec.inputs = -1;
  CHECK_THROWS_WITH(nn::Mlp(g, spec, rng), Catch::Contains("inputs must be positive"));
}
