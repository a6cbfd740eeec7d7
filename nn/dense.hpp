#pragma once
// A fully connected ("dense") layer, as tf.layers.dense builds it:
//
//   z = x W + b        x [batch x in], W "kernel" [in x out], b "bias" [1 x out]
//   y = f(z)           f the activation (linear for the output layer)
//
// Its nodes live in the graph under the layer's scope: "layer3/kernel", "layer3/bias",
// "layer3/matmul", "layer3/bias_add", "layer3/sigmoid".

#include <optional>
#include <string>

#include "autodiff/graph.hpp"
#include "nn/activation.hpp"
#include "nn/init.hpp"
#include "nn/random.hpp"

namespace gradflow::nn {

struct DenseOptions {
  Activation activation = Activation::linear;
  std::optional<float> alpha;  // the activation's parameter (see activation.hpp); unset: its default
  Init init = Init::glorot_uniform;
};

class Dense {
 public:
  // Creates the kernel (drawn with options.init) and a zero bias as parameters of `graph`.
  Dense(autodiff::Graph& graph, std::string name, int inputs, int outputs, const DenseOptions& options, Rng& rng);

  // Adds z = x W + b and y = f(z) to the graph; returns y. Call once per graph.
  autodiff::Var operator()(autodiff::Var x);

  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] autodiff::Var kernel() const { return kernel_; }
  [[nodiscard]] autodiff::Var bias() const { return bias_; }
  [[nodiscard]] autodiff::Var pre_activation() const { return z_; }  // valid after operator()
  [[nodiscard]] autodiff::Var output() const { return y_; }          // valid after operator()
  [[nodiscard]] const DenseOptions& options() const { return options_; }
  [[nodiscard]] int inputs() const { return inputs_; }
  [[nodiscard]] int outputs() const { return outputs_; }

 private:
  autodiff::Graph* graph_;
  std::string name_;
  int inputs_;
  int outputs_;
  DenseOptions options_;
  autodiff::Var kernel_, bias_, z_, y_;
};

}  // namespace gradflow::nn
