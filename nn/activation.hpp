#pragma once
#include <string>
#include <string_view>

#include "autodiff/graph.hpp"

namespace gradflow::nn {

enum class Activation { linear, sigmoid, tanh, relu, leaky_relu };

std::string_view to_string(Activation a);
// "sigmoid", "tanh", "relu", "leaky_relu", "linear"; throws std::invalid_argument naming the
// unknown value and the accepted ones.
Activation parse_activation(std::string_view name);

// f(x) as a graph node; `alpha` is leaky_relu's slope for x < 0 (ignored by the others).
autodiff::Var activate(Activation a, autodiff::Var x, float alpha);

}  // namespace gradflow::nn
