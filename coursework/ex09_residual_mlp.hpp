#pragma once
// Exercise 09: a residual MLP assembled from your own pieces. You write the constructor and
// operator() in coursework/ex09_residual_mlp.cpp, using elu (exercise 01), layer_norm (05) and
// he_normal (06); the tests train it with your RMSProp (07) on a small MNIST subset.
//
//   h_0 = x W_in + b_in                                        [batch x width]
//   h_k = h_(k-1) + elu(layer_norm(h_(k-1))) W_k + b_k,        k = 1 .. blocks   (residual blocks)
//   logits = h_blocks W_out + b_out                            [batch x outputs]
//
// Why the skip connection keeps the gradient alive: dh_k/dh_(k-1) = I + (the block's Jacobian),
// so dL/dh_(k-1) = dL/dh_k + (block part): the identity carries the gradient from the loss to
// the first layer unchanged, whatever the blocks do. Without it the gradient is a product of
// the blocks' Jacobians and can shrink geometrically with depth (lesson 05).
//
// Kernels: he_normal, biases: zeros. Parameter names: "in/kernel", "in/bias", "block1/kernel",
// "block1/bias", ..., "out/kernel", "out/bias" (use Graph::Scope).

#include <vector>

#include "autodiff/graph.hpp"
#include "nn/random.hpp"

namespace gradflow::coursework {

struct ResidualMlpSpec {
  int inputs = 784;
  int width = 64;
  int blocks = 4;
  int outputs = 10;
  float elu_alpha = 1.0F;
  float layer_norm_eps = 1e-5F;
};

class ResidualMlp {
 public:
  // Creates every kernel (he_normal) and bias (zeros) as parameters of `graph`. Throws
  // std::invalid_argument for a size that is not positive (blocks may be 0).
  ResidualMlp(autodiff::Graph& graph, const ResidualMlpSpec& spec, nn::Rng& rng);
  // Adds the network on top of x [batch x inputs]; returns the logits [batch x outputs].
  autodiff::Var operator()(autodiff::Var x);

  // Kernels in order: in, block1 ... blockN, out.
  [[nodiscard]] const std::vector<autodiff::Var>& kernels() const { return kernels_; }
  // Every parameter: kernel and bias per layer, in the same order.
  [[nodiscard]] std::vector<autodiff::Var> parameters() const {
    std::vector<autodiff::Var> all;
    for (std::size_t i = 0; i < kernels_.size() && i < biases_.size(); ++i) {
      all.push_back(kernels_[i]);
      all.push_back(biases_[i]);
    }
    return all;
  }
  [[nodiscard]] const ResidualMlpSpec& spec() const { return spec_; }

 private:
  autodiff::Graph* graph_;
  ResidualMlpSpec spec_;
  std::vector<autodiff::Var> kernels_, biases_;
};

}  // namespace gradflow::coursework
