#pragma once
// A multilayer perceptron: `hidden.size()` dense layers with the activation, then a linear
// output layer, named layer1 ... layerN as in the founding post's TensorFlow code.

#include <optional>
#include <vector>

#include "nn/dense.hpp"

namespace gradflow::nn {

struct MlpSpec {
  int inputs = 784;
  std::vector<int> hidden = {10, 10, 10, 10, 10};
  int outputs = 10;
  Activation activation = Activation::sigmoid;
  // The hidden activation's parameter (leaky_relu's alpha, softplus's beta, ...); unset: the
  // activation table's default (kLeakyReluAlpha for leaky_relu).
  std::optional<float> alpha;
  Init init = Init::glorot_uniform;
};

// Throws std::invalid_argument naming the bad size.
void validate(const MlpSpec& spec);

class Mlp {
 public:
  Mlp(autodiff::Graph& graph, const MlpSpec& spec, Rng& rng);
  // Adds the whole network on top of x; returns the logits (the output layer's z).
  autodiff::Var operator()(autodiff::Var x);

  [[nodiscard]] std::vector<Dense>& layers() { return layers_; }
  [[nodiscard]] const std::vector<Dense>& layers() const { return layers_; }
  [[nodiscard]] const MlpSpec& spec() const { return spec_; }
  [[nodiscard]] std::vector<autodiff::Var> parameters() const;  // kernel, bias per layer, in order

 private:
  MlpSpec spec_;
  std::vector<Dense> layers_;
};

}  // namespace gradflow::nn
