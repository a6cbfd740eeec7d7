#include "nn/activation.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "autodiff/autodiff.hpp"

namespace gradflow::nn {

std::string_view to_string(Activation a) {
  switch (a) {
    case Activation::linear: return "linear";
    case Activation::sigmoid: return "sigmoid";
    case Activation::tanh: return "tanh";
    case Activation::relu: return "relu";
    case Activation::leaky_relu: return "leaky_relu";
  }
  return "?";
}

Activation parse_activation(std::string_view name) {
  for (Activation a :
       {Activation::linear, Activation::sigmoid, Activation::tanh, Activation::relu, Activation::leaky_relu}) {
    if (name == to_string(a)) return a;
  }
  throw std::invalid_argument(
      fmt::format("unknown activation '{}' (use sigmoid, tanh, relu, leaky_relu or linear)", name));
}

autodiff::Var activate(Activation a, autodiff::Var x, float alpha) {
  switch (a) {
    case Activation::linear: return x;
    case Activation::sigmoid: return autodiff::ops::sigmoid(x);
    case Activation::tanh: return autodiff::ops::tanh(x);
    case Activation::relu: return autodiff::ops::relu(x);
    case Activation::leaky_relu: return autodiff::ops::leaky_relu(x, alpha);
  }
  throw std::invalid_argument("activate: unknown activation");
}

}  // namespace gradflow::nn
