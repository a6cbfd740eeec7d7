// Exercise 02: silu = x sigmoid(x). Forward values, gradcheck on several input ranges, and
// finite values far out where a naive sigmoid overflows.
#include <cmath>

#include "autodiff/autodiff.hpp"
#include "coursework/ex02_silu.hpp"
#include "helpers.hpp"

using namespace gradflow::autodiff;
using gradflow::coursework::Silu;

TEST_CASE("ex02 silu forward matches x / (1 + e^-x)", "[ex02]") {
  const Tensor x = Tensor::from_rows({{-20.0F, -2.0F, -0.5F, 0.0F, 0.5F, 3.0F, 20.0F}});
  Graph g;
  Var y = gradflow::coursework::silu(g.input("x", x));
  REQUIRE(y.shape() == x.shape());
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double xi = x[i];
    const double expected = xi / (1.0 + std::exp(-xi));
    INFO("silu forward, x = " << xi << ": got " << y.value()[i] << ", expected " << expected);
    CHECK(std::fabs(y.value()[i] - expected) <= 1e-6 + 1e-5 * std::fabs(expected));
  }
}

TEST_CASE("ex02 silu backward passes gradcheck on several input ranges", "[ex02]") {
  // Scales 0.5, 1 and 3 put the inputs in [-1, 1], [-2, 2] and [-6, 6]: the product rule's second
  // term x s (1 - s) is largest around |x| = 2.4, so a missing term shows in every range.
  for (double scale : {0.5, 1.0, 3.0}) {
    coursework_tests::gradcheck_cases(std::make_shared<Silu>(), "silu inputs x" + std::to_string(scale),
                                      {ops::Sample::any}, {{{2, 3}}, {{1, 1}}, {{5, 4}}}, 3, scale);
  }
}

TEST_CASE("ex02 silu's derivative equals s (1 + x (1 - s)) and stays finite far out", "[ex02]") {
  const Silu op;
  const Tensor x = Tensor::from_rows({{-100.0F, -3.0F, -1.0F, 0.0F, 1.0F, 2.4F, 100.0F}});
  Tensor y(x.shape());
  const std::array<const Tensor*, kMaxArity> ptrs{&x};
  op.forward(Operands(ptrs, 1), y);
  const auto dx = op.backward(Operands(ptrs, 1), y, Tensor(x.shape(), 1.0F), GradMask());
  REQUIRE(dx.size() == 1);
  REQUIRE(dx[0].shape() == x.shape());
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double xi = x[i];
    const double s = 1.0 / (1.0 + std::exp(-xi));
    const double expected = s * (1.0 + xi * (1.0 - s));
    INFO("silu backward, x = " << xi << ": dx " << dx[0][i] << ", expected " << expected);
    CHECK(std::isfinite(y[i]));
    CHECK(std::fabs(dx[0][i] - expected) <= 1e-5 * (1 + std::fabs(expected)));
  }
}
