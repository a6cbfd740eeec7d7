#include <catch2/catch.hpp>
#include <cmath>

#include "autodiff/autodiff.hpp"
#include "nn/optimizer.hpp"

using namespace gradflow;
using autodiff::Graph;
using autodiff::Tensor;

namespace {
// L = sum(w * c): dL/dw = c, a constant gradient whose Adam trajectory is easy to compute.
struct LinearProblem {
  Graph g;
  autodiff::Var w = g.parameter("w", Tensor::from_rows({{1.0F, -2.0F}}));
  autodiff::Var c = g.constant("c", Tensor::from_rows({{0.5F, -3.0F}}));
  autodiff::Var loss = autodiff::sum(w * c);
};
}  // namespace

TEST_CASE("sgd steps against the gradient by lr times it", "[nn][optimizer]") {
  LinearProblem p;
  nn::Sgd sgd({p.w}, 0.1F);
  p.g.backward(p.loss);
  sgd.step();
  CHECK(p.w.value()[0] == Approx(1.0F - 0.1F * 0.5F));
  CHECK(p.w.value()[1] == Approx(-2.0F + 0.1F * 3.0F));
}

TEST_CASE("adam follows TensorFlow 1.x's update rule step by step", "[nn][optimizer]") {
  LinearProblem p;
  nn::AdamOptions opt;  // lr 0.001, beta1 0.9, beta2 0.999, eps 1e-8
  CHECK(nn::describe(opt) == "adam(lr=0.001, beta1=0.9, beta2=0.999, epsilon=1e-08)");
  nn::Adam adam({p.w}, opt);
  double w[2] = {1.0, -2.0}, m[2] = {0, 0}, v[2] = {0, 0};
  const double g[2] = {0.5, -3.0};
  for (int t = 1; t <= 5; ++t) {
    p.g.forward();
    p.g.backward(p.loss);
    adam.step();
    const double lr_t = 0.001 * std::sqrt(1 - std::pow(0.999, t)) / (1 - std::pow(0.9, t));
    for (int i = 0; i < 2; ++i) {
      m[i] = 0.9 * m[i] + 0.1 * g[i];
      v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
      w[i] -= lr_t * m[i] / (std::sqrt(v[i]) + 1e-8);
    }
    CHECK(p.w.value()[0] == Approx(w[0]).epsilon(1e-5));
    CHECK(p.w.value()[1] == Approx(w[1]).epsilon(1e-5));
  }
  CHECK(adam.steps() == 5);
  // Adam's first step moves every weight by about lr whatever the gradient's size.
  CHECK(std::fabs(w[0] - 1.0) == Approx(0.005).epsilon(0.01));
}

TEST_CASE("adam keeps epsilon outside the square root when gradients are near 1e-9", "[nn][optimizer]") {
  // With g ~ 1e-9, sqrt(v) ~ 3e-11 is far below epsilon = 1e-8, so where epsilon sits decides the
  // step: m / (sqrt(v) + eps) ~ 1e-2, but m / sqrt(v + eps) ~ 1e-6. The weights start at 0 so
  // the steps (about 3e-6 and 3e-10) are not lost in the rounding of a weight of size 1.
  Graph g;
  autodiff::Var w = g.parameter("w", Tensor::from_rows({{0.0F, 0.0F}}));
  autodiff::Var c = g.constant("c", Tensor::from_rows({{1e-9F, -3e-9F}}));
  autodiff::Var loss = autodiff::sum(w * c);
  nn::Adam adam({w});
  double ref[2] = {0, 0}, m[2] = {0, 0}, v[2] = {0, 0};
  const double grad[2] = {static_cast<double>(1e-9F), static_cast<double>(-3e-9F)};
  for (int t = 1; t <= 3; ++t) {
    g.forward();
    g.backward(loss);
    adam.step();
    const double lr_t = nn::kAdamLearningRate * std::sqrt(1 - std::pow(0.999, t)) / (1 - std::pow(0.9, t));
    for (int i = 0; i < 2; ++i) {
      m[i] = 0.9 * m[i] + 0.1 * grad[i];
      v[i] = 0.999 * v[i] + 0.001 * grad[i] * grad[i];
      ref[i] -= lr_t * m[i] / (std::sqrt(v[i]) + 1e-8);
      INFO("step " << t << ", element " << i);
      CHECK(w.value()[static_cast<std::size_t>(i)] == Approx(ref[i]).epsilon(1e-3));
    }
  }
}

TEST_CASE("an optimizer update that blows up is reported in that update, naming the parameter",
          "[nn][optimizer][errors]") {
  // 2e38 is a finite float (the largest is 3.4e38); a step of 2e38 more overflows it.
  Graph g;
  autodiff::Var w = g.parameter("layer2/kernel", Tensor::from_rows({{1.0F, 2e38F}}));
  autodiff::Var c = g.constant("c", Tensor::from_rows({{0.0F, -1.0F}}));
  autodiff::Var loss = autodiff::sum(w * c);
  nn::Sgd sgd({w}, 2e38F);
  g.backward(loss);
  CHECK_THROWS_WITH(sgd.step(), Catch::Contains("sgd update 1") && Catch::Contains("'layer2/kernel'") &&
                                    Catch::Contains("inf at row 0, col 1"));
  CHECK(sgd.steps() == 1);

  // Adam's step is about lr whatever the gradient, so a huge learning rate pushes -3e38 past
  // the largest float on its first update.
  Graph g2;
  autodiff::Var w2 = g2.parameter("layer6/bias", Tensor::from_rows({{-3e38F}}));
  autodiff::Var loss2 = autodiff::sum(w2 * g2.constant("c", Tensor::from_rows({{1.0F}})));
  nn::AdamOptions huge;
  huge.learning_rate = 1e38F;
  nn::Adam adam({w2}, huge);
  g2.backward(loss2);
  CHECK_THROWS_WITH(adam.step(), Catch::Contains("adam update 1") && Catch::Contains("'layer6/bias'") &&
                                     Catch::Contains("-inf") && Catch::Contains("gradient there was 1"));
}

TEST_CASE("optimizers refuse non-parameters and a step before any backward", "[nn][optimizer][errors]") {
  LinearProblem p;
  CHECK_THROWS_WITH(nn::Adam({p.c}), Catch::Contains("'c' is not a parameter"));
  nn::Sgd sgd({p.w}, 0.1F);
  CHECK_THROWS_WITH(sgd.step(), Catch::Contains("no gradient yet"));
}

TEST_CASE("adam names the weight its update made infinite or NaN, in small and large tensors", "[nn][optimizer]") {
  // The update checks each new weight as it computes it (nn/optimizer.cpp): an infinite
  // gradient (1/w at w = 0, with the graph's own check switched off so that it reaches the
  // optimizer) turns the weight into NaN, and the message names the parameter and the element.
  for (const int cols : {4, 20}) {
    Graph g;
    g.set_check_finite(false);
    Tensor start({1, cols}, 1.0F);
    start[3] = 0.0F;
    autodiff::Var w = g.parameter("w", start);
    const autodiff::Var loss = autodiff::sum(autodiff::log(w));
    nn::Adam adam({w}, nn::AdamOptions{});
    g.backward(loss);
    CHECK_THROWS_AS(adam.step(), autodiff::NonFiniteError);
    const std::string where = "nan at row 0, col 3 of [1 x " + std::to_string(cols) + "]";  // nan or -nan
    CHECK_THROWS_WITH(adam.step(), Catch::Contains("parameter 'w' became") && Catch::Contains(where));
  }
}
