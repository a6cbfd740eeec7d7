// The activation table: names, parameters, and that layers and MLPs apply the parameter given.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <set>

#include "autodiff/autodiff.hpp"
#include "nn/activation.hpp"
#include "nn/mlp.hpp"

using namespace gradflow;
using autodiff::Graph;
using autodiff::Tensor;

TEST_CASE("every row of the activation table parses by its name and is listed in the help text", "[nn][activation]") {
  std::set<std::string_view> names;
  for (const nn::ActivationInfo& row : nn::activation_table()) {
    INFO(row.name);
    CHECK(names.insert(row.name).second);  // each name once
    CHECK(nn::to_string(nn::parse_activation(row.name)) == row.name);
    CHECK_THAT(nn::activation_names(), Catch::Contains(std::string(row.name)));
    CHECK(row.apply != nullptr);
  }
  CHECK(nn::activation_name_list().size() == names.size());
  // Lessons offer every row for hidden layers except the identity.
  const auto hidden = nn::hidden_activation_names();
  CHECK(hidden.size() == names.size() - 1);
  CHECK(std::find(hidden.begin(), hidden.end(), "linear") == hidden.end());
  for (const auto a : {nn::Activation::linear, nn::Activation::sigmoid, nn::Activation::tanh, nn::Activation::relu,
                       nn::Activation::leaky_relu}) {
    CHECK(names.contains(a.name()));  // the named built-ins are rows
  }
  CHECK_THROWS_WITH(nn::parse_activation("swish"),
                    Catch::Contains("'swish'") && Catch::Contains(nn::activation_names()));
}

TEST_CASE("activate applies each row's op with the given parameter or the row's default", "[nn][activation]") {
  Graph g;
  const auto x = g.input("x", Tensor::from_rows({{-2.0F, 3.0F}}));
  const auto leaky = nn::parse_activation("leaky_relu");
  CHECK(nn::activate(leaky, x).value()(0, 0) == Approx(-2.0F * nn::kLeakyReluAlpha));
  CHECK(nn::activate(leaky, x, 0.01F).value()(0, 0) == Approx(-0.02F));
  CHECK(nn::activate(leaky, x, 0.01F).node().op->attributes() == "alpha=0.01");
  CHECK(nn::describe(leaky) == fmt::format("leaky_relu (alpha={})", nn::kLeakyReluAlpha));
  CHECK(nn::describe(leaky, 0.01F) == "leaky_relu (alpha=0.01)");
  // softplus at beta = 2: ln(1 + e^(2x)) / 2.
  const auto softplus = nn::parse_activation("softplus");
  CHECK(nn::activate(softplus, x, 2.0F).value()(0, 1) == Approx(std::log1p(std::exp(6.0)) / 2));
  CHECK(nn::activate(nn::Activation::relu, x).value()(0, 0) == 0.0F);
  CHECK(nn::describe(nn::Activation::relu, 0.5F) == "relu");  // no parameter to show
  CHECK(nn::activate(nn::Activation::linear, x).id() == x.id());
}

TEST_CASE("an mlp applies spec.alpha in every hidden layer", "[nn][mlp][activation]") {
  // Rows x and -x give every hidden unit a negative pre-activation in one of the two rows
  // (the bias is zero), so each layer's output shows the slope it was built with.
  for (const float alpha : {0.01F, 0.5F}) {
    Graph g;
    nn::Rng rng(3);
    nn::MlpSpec spec{2, {4, 4}, 3, nn::Activation::leaky_relu, alpha, nn::Init::glorot_uniform};
    nn::Mlp mlp(g, spec, rng);
    mlp(g.input("x", Tensor::from_rows({{1.0F, -2.0F}, {-1.0F, 2.0F}})));
    for (std::size_t l = 0; l + 1 < mlp.layers().size(); ++l) {
      const Tensor& z = mlp.layers()[l].pre_activation().value();
      const Tensor& y = mlp.layers()[l].output().value();
      int negatives = 0;
      for (std::size_t i = 0; i < z.size(); ++i) {
        INFO("alpha " << alpha << ", layer " << l + 1 << ", element " << i);
        CHECK(y[i] == Approx(z[i] > 0 ? z[i] : alpha * z[i]));
        negatives += z[i] < 0 ? 1 : 0;
      }
      CHECK(negatives > 0);
    }
  }
}
