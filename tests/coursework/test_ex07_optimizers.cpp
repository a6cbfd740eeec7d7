// Exercise 07: SGD with momentum and RMSProp, step by step against their formulas (computed here
// in double), including gradients near 1e-9 where the place of epsilon decides the step.
#include <cmath>
#include <functional>

#include "autodiff/autodiff.hpp"
#include "coursework/ex07_optimizers.hpp"
#include "helpers.hpp"

using namespace gradflow::autodiff;
using gradflow::coursework::MomentumOptions;
using gradflow::coursework::RmsProp;
using gradflow::coursework::RmsPropOptions;
using gradflow::coursework::SgdMomentum;

namespace {

// Two parameters of different shapes; gradient(step, param, element) gives their gradients.
struct Setup {
  Graph g;
  std::vector<Var> params;
  Setup() {
    params.push_back(g.parameter("a", Tensor::from_rows({{0.5F, -1.0F, 2.0F}, {0.1F, 0.0F, -0.3F}})));
    params.push_back(g.parameter("b", Tensor::from_rows({{1.5F, -0.25F, 0.75F, 3.0F}})));
  }
  void set_gradients(const std::function<double(int, std::size_t, std::size_t)>& gradient, int step) {
    for (std::size_t p = 0; p < params.size(); ++p) {
      Tensor grad(params[p].shape());
      for (std::size_t i = 0; i < grad.size(); ++i) grad[i] = static_cast<float>(gradient(step, p, i));
      g.node(params[p].id()).grad = grad;  // as if backward had left them there
    }
  }
};

double wavy(int step, std::size_t p, std::size_t i) {
  return std::sin(1.3 * step + 0.7 * static_cast<double>(i) + 2.0 * static_cast<double>(p)) * (1.0 + 0.5 * step);
}

void check_close(const Setup& s, const std::vector<std::vector<double>>& expected, const std::string& what, int step,
                 double rtol) {
  for (std::size_t p = 0; p < s.params.size(); ++p) {
    for (std::size_t i = 0; i < expected[p].size(); ++i) {
      const double got = s.params[p].value()[i];
      INFO(what << ", step " << step << ", parameter '" << s.params[p].name() << "' element " << i << ": w " << got
                << ", formula says " << expected[p][i]);
      CHECK(std::fabs(got - expected[p][i]) <= rtol * (1e-3 + std::fabs(expected[p][i])));
    }
  }
}

std::vector<std::vector<double>> initial_values(const Setup& s) {
  std::vector<std::vector<double>> w;
  for (const auto& p : s.params) w.emplace_back(p.value().values().begin(), p.value().values().end());
  return w;
}

void run_momentum(const MomentumOptions& opt, const std::function<double(int, std::size_t, std::size_t)>& gradient,
                  int steps, const std::string& what) {
  Setup s;
  auto w = initial_values(s);
  std::vector<std::vector<double>> v;
  for (const auto& wp : w) v.emplace_back(wp.size(), 0.0);
  SgdMomentum sgd(s.params, opt);
  for (int t = 1; t <= steps; ++t) {
    s.set_gradients(gradient, t);
    sgd.step();
    for (std::size_t p = 0; p < w.size(); ++p) {
      for (std::size_t i = 0; i < w[p].size(); ++i) {
        v[p][i] = opt.momentum * v[p][i] + static_cast<float>(gradient(t, p, i));
        w[p][i] -= opt.learning_rate * v[p][i];
      }
    }
    check_close(s, w, what, t, 1e-5);
  }
}

void run_rmsprop(const RmsPropOptions& opt, const std::function<double(int, std::size_t, std::size_t)>& gradient,
                 int steps, const std::string& what, double rtol) {
  Setup s;
  auto w = initial_values(s);
  std::vector<std::vector<double>> ms;
  for (const auto& wp : w) ms.emplace_back(wp.size(), 0.0);
  RmsProp rms(s.params, opt);
  for (int t = 1; t <= steps; ++t) {
    s.set_gradients(gradient, t);
    rms.step();
    for (std::size_t p = 0; p < w.size(); ++p) {
      for (std::size_t i = 0; i < w[p].size(); ++i) {
        const double g = static_cast<float>(gradient(t, p, i));
        ms[p][i] = opt.rho * ms[p][i] + (1 - opt.rho) * g * g;
        w[p][i] -= opt.learning_rate * g / (std::sqrt(ms[p][i]) + opt.epsilon);
      }
    }
    check_close(s, w, what, t, rtol);
  }
}

}  // namespace

TEST_CASE("ex07 SGD with momentum follows v <- mu v + g, w <- w - lr v, step by step", "[ex07]") {
  run_momentum({0.1F, 0.9F}, wavy, 6, "sgd momentum 0.9");
  run_momentum({0.05F, 0.5F}, wavy, 6, "sgd momentum 0.5");
  run_momentum({0.1F, 0.0F}, wavy, 3, "sgd momentum 0 (plain SGD)");
}

TEST_CASE("ex07 RMSProp follows s <- rho s + (1 - rho) g^2, w <- w - lr g / (sqrt(s) + eps), step by step", "[ex07]") {
  run_rmsprop({0.01F, 0.9F, 1e-8F}, wavy, 6, "rmsprop rho 0.9", 1e-4);
  run_rmsprop({0.02F, 0.99F, 1e-8F}, wavy, 6, "rmsprop rho 0.99", 1e-4);
  run_rmsprop({0.01F, 0.9F, 0.1F}, wavy, 4, "rmsprop eps 0.1", 1e-4);
}

TEST_CASE("ex07 RMSProp with gradients near 1e-9: epsilon outside the square root", "[ex07]") {
  // s = 0.1 g^2 = 1e-19 after one step: sqrt(s) = 3.2e-10, a third of eps = 1e-8. The step is
  // lr g / (sqrt(s) + eps) ~ 0.097 lr; with sqrt(s + eps) it would be 1e-5 lr.
  auto tiny = [](int step, std::size_t p, std::size_t i) {
    return (p == 0 ? 1e-9 : -3e-9) * (1.0 + 0.25 * static_cast<double>(i)) * (step % 2 == 0 ? 1.0 : 0.5);
  };
  run_rmsprop({0.01F, 0.9F, 1e-8F}, tiny, 4, "rmsprop, gradients near 1e-9", 1e-3);

  Setup s;
  const float before = s.params[0].value()[0];
  RmsProp rms(s.params, {0.01F, 0.9F, 1e-8F});
  s.set_gradients([](int, std::size_t, std::size_t) { return 1e-9; }, 1);
  rms.step();
  const double moved = before - s.params[0].value()[0];
  const double expected = 0.01 * 1e-9 / (std::sqrt(0.1 * 1e-18) + 1e-8);
  INFO("rmsprop, one step with g = 1e-9: w moved by "
       << moved << ", formula says " << expected << " (eps inside the root would give " << 0.01 * 1e-9 / 1e-4 << ")");
  CHECK(std::fabs(moved - expected) < 0.05 * expected);
}

TEST_CASE("ex07 a zero gradient moves neither optimizer, and never gives NaN", "[ex07]") {
  // RMSProp divides 0 by sqrt(0) + eps = eps: exactly 0. Momentum after one zero step: v = 0.
  Setup s;
  const auto w0 = initial_values(s);
  RmsProp rms(s.params, {});
  SgdMomentum sgd(s.params, {});
  s.set_gradients([](int, std::size_t, std::size_t) { return 0.0; }, 1);
  rms.step();
  check_close(s, w0, "rmsprop, zero gradient", 1, 0.0);
  sgd.step();
  check_close(s, w0, "sgd momentum, zero gradient", 1, 0.0);
}
