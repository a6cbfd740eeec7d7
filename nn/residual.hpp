#pragma once
// Residual blocks (He et al. 2016) for an MLP, and a deep MLP built from them.
//
// A residual block computes
//   y = h + f(h),        f(h) = act(h W + b)   (a dense layer with its activation)
// so that backward splits the gradient arriving at y into two paths back to h:
//   dL/dh = dL/dy                 (the skip path: the identity passes it on unchanged)
//         + (dL/dy * act'(z)) W^T  (the path through f, which scales it like any plain layer).
// In a plain deep net only the second term exists, and 20 factors act'(z) W^T can shrink it to
// nothing (lesson 05). With the skip the first term reaches every block whatever f does: this is
// why residual networks can be deep. The block is nothing but engine ops (matmul, bias_add, the
// activation, add), so backward needs no new code.
//
// Nodes live under the block's scope: "block3/f/kernel", "block3/f/matmul", "block3/add".

#include <optional>
#include <string>
#include <vector>

#include "autodiff/graph.hpp"
#include "nn/dense.hpp"

namespace gradflow::nn {

class ResidualBlock {
 public:
  // f is a width -> width dense layer with `options` (its activation and init). With `skip`
  // false the block is a plain layer, y = f(h): the control in an experiment.
  ResidualBlock(autodiff::Graph& graph, std::string name, int width, const DenseOptions& options, bool skip, Rng& rng);

  // Adds y = h + f(h) (or f(h)) to the graph; returns y. Call once per graph.
  autodiff::Var operator()(autodiff::Var h);

  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] bool skip() const { return skip_; }
  [[nodiscard]] Dense& f() { return f_; }
  [[nodiscard]] const Dense& f() const { return f_; }
  [[nodiscard]] autodiff::Var input() const { return h_; }   // valid after operator()
  [[nodiscard]] autodiff::Var output() const { return y_; }  // valid after operator()

 private:
  autodiff::Graph* graph_;
  std::string name_;
  bool skip_;
  Dense f_;
  autodiff::Var h_, y_;
};

struct ResidualMlpSpec {
  int inputs = 784;
  int width = 64;  // the stem's output and every block's width
  int blocks = 20;
  int outputs = 10;
  DenseOptions hidden{Activation::relu, std::nullopt, Init::glorot_uniform};  // the stem's and every block's f
  bool skip = true;                                                           // false: the plain net of the same depth
};

// inputs -> stem (dense, width, activation) -> `blocks` blocks -> head (dense, outputs, linear).
class ResidualMlp {
 public:
  ResidualMlp(autodiff::Graph& graph, const ResidualMlpSpec& spec, Rng& rng);  // invalid sizes: std::invalid_argument
  // Adds the whole network on top of x; returns the logits.
  autodiff::Var operator()(autodiff::Var x);

  [[nodiscard]] const ResidualMlpSpec& spec() const { return spec_; }
  [[nodiscard]] Dense& stem() { return stem_; }
  [[nodiscard]] Dense& head() { return *head_; }
  [[nodiscard]] std::vector<ResidualBlock>& blocks() { return blocks_; }
  [[nodiscard]] const std::vector<ResidualBlock>& blocks() const { return blocks_; }
  [[nodiscard]] std::vector<autodiff::Var> parameters() const;  // stem, blocks, head: kernel then bias

 private:
  ResidualMlpSpec spec_;
  Dense stem_;
  std::vector<ResidualBlock> blocks_;
  std::optional<Dense> head_;  // drawn after the blocks
};

}  // namespace gradflow::nn
