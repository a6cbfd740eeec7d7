// Exercise 08: the update-to-weight ratio through hooks, against a snapshot taken by the test
// itself, with Adam (which rescales the gradient) and plain SGD.
#include <cmath>

#include "autodiff/autodiff.hpp"
#include "coursework/ex08_update_ratio.hpp"
#include "helpers.hpp"
#include "nn/mlp.hpp"
#include "nn/optimizer.hpp"

using namespace gradflow::autodiff;
using gradflow::coursework::UpdateRatioMonitor;
namespace nn = gradflow::nn;

namespace {

struct Net {
  Graph g;
  nn::Rng rng{11};
  nn::Mlp mlp{g, {8, {6, 5}, 3, nn::Activation::relu, 0.2F, nn::Init::he_uniform}, rng};
  Var x, t, loss;
  Net() {
    Tensor xv({4, 8});
    for (float& v : xv.values()) v = static_cast<float>(rng.uniform(-1, 1));
    x = g.input("x", xv);
    t = g.input("t", Tensor::from_rows({{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 0, 0}}));
    loss = softmax_cross_entropy(mlp(x), t);
  }
  std::vector<Var> kernels() {
    std::vector<Var> k;
    for (auto& layer : mlp.layers()) k.push_back(layer.kernel());
    return k;
  }
};

std::vector<double> ratios_by_hand(const std::vector<Var>& kernels, const std::vector<Tensor>& before) {
  std::vector<double> r;
  for (std::size_t k = 0; k < kernels.size(); ++k) {
    double d = 0, b = 0;
    for (std::size_t i = 0; i < before[k].size(); ++i) {
      d += std::pow(static_cast<double>(kernels[k].value()[i]) - before[k][i], 2);
      b += std::pow(static_cast<double>(before[k][i]), 2);
    }
    r.push_back(std::sqrt(d / b));
  }
  return r;
}

std::vector<Tensor> snapshot(const std::vector<Var>& kernels) {
  std::vector<Tensor> s;
  for (const auto& k : kernels) s.push_back(k.value());
  return s;
}

void check_ratios(const std::vector<double>& got, const std::vector<double>& expected, const std::string& what) {
  REQUIRE(got.size() == expected.size());
  for (std::size_t k = 0; k < got.size(); ++k) {
    INFO(what << ", layer " << k + 1 << ": ratio " << got[k]
              << ", expected ||W_after - W_before|| / ||W_before|| = " << expected[k]);
    CHECK(got[k] == Approx(expected[k]).epsilon(1e-4));
  }
}

}  // namespace

TEST_CASE("ex08 update ratios after an Adam step and an SGD step match ||dW|| / ||W||", "[ex08]") {
  Net net;
  const auto kernels = net.kernels();
  UpdateRatioMonitor monitor(net.g, kernels);
  nn::Adam adam(net.mlp.parameters(), {0.01F});
  net.g.backward(net.loss);
  auto before = snapshot(kernels);
  adam.step();
  const auto adam_ratios = monitor.ratios();
  check_ratios(adam_ratios, ratios_by_hand(kernels, before), "adam step");
  for (double r : adam_ratios) CHECK(r > 0.0);

  // A second step with another optimizer: the ratio is about this step only.
  nn::Sgd sgd(net.mlp.parameters(), 0.5F);
  net.g.forward();
  net.g.backward(net.loss);
  before = snapshot(kernels);
  sgd.step();
  check_ratios(monitor.ratios(), ratios_by_hand(kernels, before), "sgd step after an adam step");
}

TEST_CASE("ex08 the monitor refuses to answer before any backward pass", "[ex08]") {
  Net net;
  UpdateRatioMonitor monitor(net.g, net.kernels());
  CHECK_THROWS_WITH(monitor.ratios(), Catch::Contains("backward"));
}

TEST_CASE("ex08 the monitor's hooks go when it does", "[ex08]") {
  Net net;
  const auto kernels = net.kernels();
  {
    UpdateRatioMonitor monitor(net.g, kernels);
    for (const auto& k : kernels) CHECK(k.node().hooks.size() == 1);
  }
  for (const auto& k : kernels) {
    INFO("node '" << k.name() << "' still has " << k.node().hooks.size() << " hook(s) after the monitor died");
    CHECK(k.node().hooks.empty());
  }
  net.g.backward(net.loss);  // would call into the dead monitor if a hook were left
}
