// Exercise 03: row-wise logsumexp. Forward values (including inputs far beyond where e^x
// overflows), gradcheck, and a backward that equals the softmax at large inputs.
#include <cmath>
#include <vector>

#include "autodiff/autodiff.hpp"
#include "coursework/ex03_logsumexp.hpp"
#include "helpers.hpp"

using namespace gradflow::autodiff;
using gradflow::coursework::LogSumExp;

namespace {
// log sum_j e^x_j in long double with the max shifted out: the reference.
double reference_lse(const std::vector<double>& row) {
  double m = row[0];
  for (double v : row) m = std::max(m, v);
  long double s = 0;
  for (double v : row) s += std::exp(static_cast<long double>(v - m));
  return m + static_cast<double>(std::log(s));
}

Tensor row_tensor(const std::vector<std::vector<double>>& rows) {
  Tensor t({static_cast<int>(rows.size()), static_cast<int>(rows[0].size())});
  for (int r = 0; r < t.rows(); ++r) {
    for (int c = 0; c < t.cols(); ++c) t(r, c) = static_cast<float>(rows[r][c]);
  }
  return t;
}
}  // namespace

TEST_CASE("ex03 logsumexp forward matches log sum e^x per row, also far beyond e^x's overflow", "[ex03]") {
  const std::vector<std::vector<double>> rows = {
      {0.5, -1.0, 2.0}, {0.0, 0.0, 0.0}, {1000.0, 999.0, 998.0}, {-1000.0, -1000.0, -1001.0}, {100.0, 3.0, -50.0}};
  const Tensor x = row_tensor(rows);
  Graph g;
  Var y = gradflow::coursework::logsumexp(g.input("x", x));
  REQUIRE(y.shape() == Shape{5, 1});
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const double expected = reference_lse(rows[r]);
    const float got = y.value()(static_cast<int>(r), 0);
    INFO("logsumexp forward, row " << r << ": got " << got << ", expected " << expected);
    CHECK(std::isfinite(got));
    CHECK(std::fabs(got - expected) <= 1e-5 * (1 + std::fabs(expected)));
  }
}

TEST_CASE("ex03 logsumexp backward passes gradcheck", "[ex03]") {
  coursework_tests::gradcheck_cases(std::make_shared<LogSumExp>(), "logsumexp", {ops::Sample::any},
                                    {{{2, 3}}, {{1, 1}}, {{4, 5}}, {{3, 1}}, {{1, 10}}}, 4);
}

TEST_CASE("ex03 logsumexp backward is dy times the softmax, finite at large inputs", "[ex03]") {
  const std::vector<std::vector<double>> rows = {
      {100.0, 101.0, 99.0}, {1000.0, 1000.0, 990.0}, {-500.0, -501.0, -499.5}};
  const Tensor x = row_tensor(rows);
  const LogSumExp op;
  Tensor y({3, 1});
  const std::array<const Tensor*, kMaxArity> ptrs{&x};
  op.forward(Operands(ptrs, 1), y);
  const Tensor dy = Tensor::from_rows({{1.0F}, {-2.0F}, {0.5F}});
  const auto dx = op.backward(Operands(ptrs, 1), y, dy, GradMask());
  REQUIRE(dx.size() == 1);
  REQUIRE(dx[0].shape() == x.shape());
  for (int r = 0; r < 3; ++r) {
    const double lse = reference_lse(rows[r]);
    for (int c = 0; c < 3; ++c) {
      const double expected = dy(r, 0) * std::exp(rows[r][c] - lse);
      INFO("logsumexp backward, row " << r << ", col " << c << ": dx " << dx[0](r, c) << ", expected " << expected);
      CHECK(std::fabs(dx[0](r, c) - expected) <= 1e-5 * (1 + std::fabs(expected)));
    }
  }
}
