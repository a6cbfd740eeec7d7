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

TEST_CASE("optimizers refuse non-parameters and a step before any backward", "[nn][optimizer][errors]") {
  LinearProblem p;
  CHECK_THROWS_WITH(nn::Adam({p.c}), Catch::Contains("'c' is not a parameter"));
  nn::Sgd sgd({p.w}, 0.1F);
  CHECK_THROWS_WITH(sgd.step(), Catch::Contains("no gradient yet"));
}
