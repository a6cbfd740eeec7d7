#include "nn/activation.hpp"

#include <fmt/format.h>

#include <array>
#include <stdexcept>

#include "autodiff/autodiff.hpp"
#include "coursework/ex01_elu.hpp"

namespace gradflow::nn {

namespace {
using autodiff::Var;
namespace ops = autodiff::ops;

// THE ACTIVATION TABLE: one row per activation.
// clang-format off
constexpr std::array kActivations = {
    // name         parameter  default          y = f(x)
    ActivationInfo{"linear",     "",        0.0F,            [](Var x, float) { return x; }},
    ActivationInfo{"sigmoid",    "",        0.0F,            [](Var x, float) { return ops::sigmoid(x); }},
    ActivationInfo{"tanh",       "",        0.0F,            [](Var x, float) { return ops::tanh(x); }},
    ActivationInfo{"relu",       "",        0.0F,            [](Var x, float) { return ops::relu(x); }},
    ActivationInfo{"leaky_relu", "alpha",   kLeakyReluAlpha, [](Var x, float alpha) { return ops::leaky_relu(x, alpha); }},
    ActivationInfo{"softplus",   "beta",    1.0F,            [](Var x, float beta) { return ops::softplus(x, beta); }},
    // Coursework exercise 01 (coursework/ex01_elu.*): the student's op. Until it is written it
    // throws coursework::NotDone, so `--activations elu` says "exercise 01 not done yet".
    ActivationInfo{"elu",        "alpha",   coursework::kEluDefaultAlpha, [](Var x, float alpha) { return coursework::elu(x, alpha); }},
};
// clang-format on

const ActivationInfo* find_row(std::string_view name) {
  for (const ActivationInfo& row : kActivations) {
    if (row.name == name) return &row;
  }
  return nullptr;
}
}  // namespace

std::span<const ActivationInfo> activation_table() { return kActivations; }

const ActivationInfo& Activation::info() const {
  const ActivationInfo* row = find_row(name_);
  if (row == nullptr) throw std::logic_error(fmt::format("activation '{}' is not in the activation table", name_));
  return *row;
}

std::string_view to_string(Activation a) { return a.name(); }

std::string activation_names() {
  std::string names;
  for (std::size_t i = 0; i < kActivations.size(); ++i) {
    if (i > 0) names += i + 1 == kActivations.size() ? " or " : ", ";
    names += kActivations[i].name;
  }
  return names;
}

std::vector<std::string> activation_name_list() {
  std::vector<std::string> names;
  for (const ActivationInfo& row : kActivations) names.emplace_back(row.name);
  return names;
}

std::vector<std::string> hidden_activation_names() {
  std::vector<std::string> names = activation_name_list();
  std::erase(names, "linear");
  return names;
}

Activation parse_activation(std::string_view name) {
  const ActivationInfo* row = find_row(name);
  if (row == nullptr) {
    throw std::invalid_argument(fmt::format("unknown activation '{}' (use {})", name, activation_names()));
  }
  return Activation(row->name);
}

float parameter_value(Activation a, std::optional<float> parameter) {
  return parameter.value_or(a.info().default_value);
}

std::string describe(Activation a, std::optional<float> parameter) {
  const ActivationInfo& row = a.info();
  if (row.parameter.empty()) return std::string(row.name);
  return fmt::format("{} ({}={})", row.name, row.parameter, parameter_value(a, parameter));
}

Var activate(Activation a, Var x, std::optional<float> parameter) {
  return a.info().apply(x, parameter_value(a, parameter));
}

}  // namespace gradflow::nn
