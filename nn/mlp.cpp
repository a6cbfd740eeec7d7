#include "nn/mlp.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace gradflow::nn {

void validate(const MlpSpec& spec) {
  if (spec.inputs <= 0) throw std::invalid_argument(fmt::format("mlp: inputs must be positive, got {}", spec.inputs));
  if (spec.outputs <= 0) {
    throw std::invalid_argument(fmt::format("mlp: outputs must be positive, got {}", spec.outputs));
  }
  for (std::size_t i = 0; i < spec.hidden.size(); ++i) {
    if (spec.hidden[i] <= 0) {
      throw std::invalid_argument(
          fmt::format("mlp: hidden layer {} must have a positive size, got {}", i + 1, spec.hidden[i]));
    }
  }
}

Mlp::Mlp(autodiff::Graph& graph, const MlpSpec& spec, Rng& rng) : spec_(spec) {
  validate(spec);
  int fan_in = spec.inputs;
  const std::size_t n = spec.hidden.size() + 1;
  layers_.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const bool is_output = i + 1 == n;
    const int fan_out = is_output ? spec.outputs : spec.hidden[i];
    DenseOptions options{is_output ? Activation::linear : spec.activation, spec.alpha, spec.init};
    layers_.emplace_back(graph, fmt::format("layer{}", i + 1), fan_in, fan_out, options, rng);
    fan_in = fan_out;
  }
}

autodiff::Var Mlp::operator()(autodiff::Var x) {
  for (Dense& layer : layers_) x = layer(x);
  return x;
}

std::vector<autodiff::Var> Mlp::parameters() const {
  std::vector<autodiff::Var> params;
  for (const Dense& layer : layers_) {
    params.push_back(layer.kernel());
    params.push_back(layer.bias());
  }
  return params;
}

}  // namespace gradflow::nn
