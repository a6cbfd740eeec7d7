// Exercise 01: elu(alpha). Forward values and gradcheck at several alphas, so a backward that
// hard-codes alpha = 1 goes red.
#include <cmath>

#include "autodiff/autodiff.hpp"
#include "coursework/ex01_elu.hpp"
#include "helpers.hpp"
#include "nn/activation.hpp"

using namespace gradflow::autodiff;
using gradflow::coursework::Elu;

namespace {
const float kAlphas[] = {0.1F, 0.5F, 1.0F, 2.5F};
const float kInputs[] = {-6.0F, -2.0F, -0.7F, -0.05F, 0.05F, 0.3F, 1.0F, 4.0F};
}  // namespace

TEST_CASE("ex01 elu forward matches x or alpha (e^x - 1) at several alphas", "[ex01]") {
  Tensor x({1, static_cast<int>(std::size(kInputs))});
  for (std::size_t i = 0; i < std::size(kInputs); ++i) x[i] = kInputs[i];
  for (float alpha : kAlphas) {
    Graph g;
    Var y = gradflow::coursework::elu(g.input("x", x), alpha);
    REQUIRE(y.shape() == x.shape());
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double xi = x[i];
      const double expected = xi > 0 ? xi : alpha * std::expm1(xi);
      INFO("elu forward, alpha " << alpha << ", x = " << xi << ": got " << y.value()[i] << ", expected " << expected);
      CHECK(std::fabs(y.value()[i] - expected) <= 1e-6 + 1e-5 * std::fabs(expected));
    }
  }
}

TEST_CASE("ex01 elu saturates at -alpha and stays finite for very negative inputs", "[ex01]") {
  for (float alpha : kAlphas) {
    const Tensor x = Tensor::from_rows({{-100.0F, -30.0F}});
    Graph g;
    Var p = g.parameter("x", x);
    Var y = gradflow::coursework::elu(p, alpha);
    {
      INFO("elu forward, alpha " << alpha << ": elu(-100) = " << y.value()[0]);
      CHECK(y.value()[0] == Approx(-alpha).epsilon(1e-6));
    }
    g.backward(sum(y));
    INFO("elu backward, alpha " << alpha << ": slope at -100 = " << p.grad()[0]);
    CHECK(std::isfinite(p.grad()[0]));
    CHECK(std::fabs(p.grad()[0]) < 1e-6);
  }
}

TEST_CASE("ex01 elu backward passes gradcheck at several alphas", "[ex01]") {
  for (float alpha : kAlphas) {
    coursework_tests::gradcheck_cases(std::make_shared<Elu>(alpha), "elu alpha=" + std::to_string(alpha),
                                      {ops::Sample::away_from_zero}, {{{2, 3}}, {{1, 1}}, {{5, 4}}});
  }
}

TEST_CASE("ex01 elu's slope left of zero is alpha e^x, checked against the formula", "[ex01]") {
  // gradcheck compares with a finite difference; this compares with the derivative itself.
  for (float alpha : kAlphas) {
    const Elu op(alpha);
    const Tensor x = Tensor::from_rows({{-1.5F, -0.2F, 0.8F}});
    Tensor y(x.shape());
    const std::array<const Tensor*, kMaxArity> ptrs{&x};
    op.forward(Operands(ptrs, 1), y);
    const Tensor dy = Tensor::from_rows({{1.0F, 2.0F, -3.0F}});
    const auto dx = op.backward(Operands(ptrs, 1), y, dy, GradMask());
    REQUIRE(dx.size() == 1);
    REQUIRE(dx[0].shape() == x.shape());
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double expected = dy[i] * (x[i] > 0 ? 1.0 : alpha * std::exp(static_cast<double>(x[i])));
      INFO("elu backward, alpha " << alpha << ", x = " << x[i] << ": dx " << dx[0][i] << ", expected " << expected);
      CHECK(std::fabs(dx[0][i] - expected) <= 1e-5 * (1 + std::fabs(expected)));
    }
  }
}

TEST_CASE("ex01 elu shows its alpha and returns one gradient per operand", "[ex01]") {
  CHECK(Elu(0.3F).attributes() == "alpha=0.3");
  CHECK(Elu().alpha() == 1.0F);
  const Tensor x = Tensor::from_rows({{-1.0F, 2.0F}});
  Tensor y(x.shape());
  const std::array<const Tensor*, kMaxArity> ptrs{&x};
  const Elu op(0.5F);
  op.forward(Operands(ptrs, 1), y);
  std::array<bool, kMaxArity> none{};
  CHECK(op.backward(Operands(ptrs, 1), y, Tensor(x.shape(), 1.0F), GradMask(none)).size() == 1);
}

TEST_CASE("ex01 elu is a row of the activation table, so every lesson's --activations elu uses your op", "[ex01]") {
  const gradflow::nn::Activation a = gradflow::nn::parse_activation("elu");
  CHECK(a.info().parameter == "alpha");
  CHECK(a.info().default_value == gradflow::coursework::kEluDefaultAlpha);
  for (float alpha : kAlphas) {
    Graph g;
    const Tensor x = Tensor::from_rows({{-1.0F, 0.5F}});
    Var y = gradflow::nn::activate(a, g.input("x", x), alpha);
    CHECK(y.node().op->name() == "elu");
    INFO("activate(elu, alpha " << alpha << ") at x = -1: " << y.value()[0] << ", expected "
                                << alpha * std::expm1(-1.0));
    CHECK(y.value()[0] == Approx(alpha * std::expm1(-1.0)).epsilon(1e-5));
    CHECK(y.value()[1] == 0.5F);
  }
}
