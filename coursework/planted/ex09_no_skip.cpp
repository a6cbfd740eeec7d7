// Exercise 09, a PLANTED MISTAKE: the blocks have no skip connection (h = block(h) instead of h + block(h)).
// Built only as a test variant that must FAIL (tests/coursework/CMakeLists.txt); never shipped.
#include <fmt/format.h>

#include <stdexcept>

#include "autodiff/autodiff.hpp"
#include "coursework/ex01_elu.hpp"
#include "coursework/ex05_layer_norm.hpp"
#include "coursework/ex06_he_normal.hpp"
#include "coursework/ex09_residual_mlp.hpp"

namespace gradflow::coursework {

using autodiff::Tensor;
using autodiff::Var;

ResidualMlp::ResidualMlp(autodiff::Graph& graph, const ResidualMlpSpec& spec, nn::Rng& rng)
    : graph_(&graph), spec_(spec) {
  if (spec.inputs <= 0 || spec.width <= 0 || spec.outputs <= 0 || spec.blocks < 0) {
    throw std::invalid_argument(
        fmt::format("residual mlp: sizes must be positive (blocks >= 0), got inputs {}, "
                    "width {}, blocks {}, outputs {}",
                    spec.inputs, spec.width, spec.blocks, spec.outputs));
  }
  auto layer = [&](const std::string& name, int in, int out) {
    autodiff::Graph::Scope scope(graph, name);
    kernels_.push_back(graph.parameter("kernel", he_normal(in, out, rng)));
    biases_.push_back(graph.parameter("bias", Tensor({1, out})));
  };
  layer("in", spec.inputs, spec.width);
  for (int k = 1; k <= spec.blocks; ++k) layer(fmt::format("block{}", k), spec.width, spec.width);
  layer("out", spec.width, spec.outputs);
}

Var ResidualMlp::operator()(Var x) {
  auto dense = [&](Var in, std::size_t i) { return autodiff::bias_add(autodiff::matmul(in, kernels_[i]), biases_[i]); };
  Var h = dense(x, 0);
  for (int k = 1; k <= spec_.blocks; ++k) {
    autodiff::Graph::Scope scope(*graph_, fmt::format("block{}", k));
    h = (dense(  // PLANTED: no skip connection
        elu(layer_norm(h, spec_.layer_norm_eps), spec_.elu_alpha), static_cast<std::size_t>(k)));
  }
  return dense(h, kernels_.size() - 1);
}

}  // namespace gradflow::coursework
