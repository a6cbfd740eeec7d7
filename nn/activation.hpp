#pragma once
// Activations: ONE table, in activation.cpp, of every activation a layer can use. A row gives
// its name (what `--activations` accepts in every lesson), how to apply it given its
// parameter, and that parameter's name and default. Adding an activation is adding a row:
//
//   {"elu", "alpha", 1.0F, [](Var x, float alpha) { return ops::elu(x, alpha); }},
//
// and parse_activation, to_string, the help texts and error messages all follow the table.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "autodiff/graph.hpp"

namespace gradflow::nn {

// leaky_relu's default slope below zero: TensorFlow's tf.nn.leaky_relu default, which is what
// the founding post's code ran (its text says 0.01).
inline constexpr float kLeakyReluAlpha = 0.2F;

// One row of the activation table.
struct ActivationInfo {
  std::string_view name;                                     // "leaky_relu"
  std::string_view parameter;                                // its parameter's name, "alpha"; empty for none
  float default_value;                                       // the parameter's default (unused without a parameter)
  autodiff::Var (*apply)(autodiff::Var x, float parameter);  // adds y = f(x) to x's graph
};

// Every row, in the order help texts list them.
std::span<const ActivationInfo> activation_table();

// An activation: a name that is a row of the table.
class Activation {
 public:
  constexpr Activation() = default;  // linear
  // The built-in rows, for code that names them (Activation::relu).
  static const Activation linear, sigmoid, tanh, relu, leaky_relu;

  [[nodiscard]] constexpr std::string_view name() const { return name_; }
  // Its row of the table.
  [[nodiscard]] const ActivationInfo& info() const;
  friend constexpr bool operator==(const Activation&, const Activation&) = default;

 private:
  friend Activation parse_activation(std::string_view name);
  constexpr explicit Activation(std::string_view name) : name_(name) {}
  std::string_view name_ = "linear";
};

inline constexpr Activation Activation::linear{"linear"};
inline constexpr Activation Activation::sigmoid{"sigmoid"};
inline constexpr Activation Activation::tanh{"tanh"};
inline constexpr Activation Activation::relu{"relu"};
inline constexpr Activation Activation::leaky_relu{"leaky_relu"};

std::string_view to_string(Activation a);
// The row called `name`; throws std::invalid_argument naming the unknown value and listing
// the table's names.
Activation parse_activation(std::string_view name);
// "linear, sigmoid, tanh, relu, leaky_relu or softplus": the table's names, for help texts.
std::string activation_names();
// The same names as a list, e.g. for a flag's allowed values.
std::vector<std::string> activation_name_list();
// The same without "linear": what a lesson's --activations offers for hidden layers (a student's
// new row included).
std::vector<std::string> hidden_activation_names();

// The parameter value f is applied with: `parameter` if given, else the row's default.
float parameter_value(Activation a, std::optional<float> parameter);
// "leaky_relu (alpha=0.01)", or "relu" for an activation without a parameter.
std::string describe(Activation a, std::optional<float> parameter = std::nullopt);

// f(x) as a graph node, with `parameter` (or the row's default).
autodiff::Var activate(Activation a, autodiff::Var x, std::optional<float> parameter = std::nullopt);

}  // namespace gradflow::nn
