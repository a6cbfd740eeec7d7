#include "nn/residual.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "autodiff/autodiff.hpp"

namespace gradflow::nn {

using autodiff::Graph;
using autodiff::Var;

namespace {
const ResidualMlpSpec& validated(const ResidualMlpSpec& spec) {
  if (spec.inputs <= 0 || spec.width <= 0 || spec.outputs <= 0 || spec.blocks < 0) {
    throw std::invalid_argument(fmt::format(
        "residual mlp: sizes must be positive (blocks may be 0), got inputs {}, width {}, blocks {}, outputs {}",
        spec.inputs, spec.width, spec.blocks, spec.outputs));
  }
  return spec;
}
}  // namespace

ResidualBlock::ResidualBlock(Graph& graph, std::string name, int width, const DenseOptions& options, bool skip,
                             Rng& rng)
    : graph_(&graph),
      name_(std::move(name)),
      skip_(skip),
      // The dense layer's scope nests in the block's: "block3/f/kernel".
      f_(graph, name_ + "/f", width, width, options, rng) {}

Var ResidualBlock::operator()(Var h) {
  h_ = h;
  const Var fh = f_(h);
  Graph::Scope scope(*graph_, name_);
  y_ = skip_ ? autodiff::ops::add(h, fh) : fh;
  return y_;
}

ResidualMlp::ResidualMlp(Graph& graph, const ResidualMlpSpec& spec, Rng& rng)
    : spec_(validated(spec)), stem_(graph, "stem", spec.inputs, spec.width, spec.hidden, rng) {
  // The weights come from the RNG in the order the data flows: stem, block1 ... blockN, head.
  blocks_.reserve(static_cast<std::size_t>(spec.blocks));
  for (int b = 1; b <= spec.blocks; ++b) {
    blocks_.emplace_back(graph, fmt::format("block{}", b), spec.width, spec.hidden, spec.skip, rng);
  }
  DenseOptions head_options = spec.hidden;
  head_options.activation = Activation::linear;
  head_.emplace(graph, "head", spec.width, spec.outputs, head_options, rng);
}

Var ResidualMlp::operator()(Var x) {
  Var h = stem_(x);
  for (ResidualBlock& block : blocks_) h = block(h);
  return (*head_)(h);
}

std::vector<Var> ResidualMlp::parameters() const {
  std::vector<Var> params{stem_.kernel(), stem_.bias()};
  for (const ResidualBlock& block : blocks_) {
    params.push_back(block.f().kernel());
    params.push_back(block.f().bias());
  }
  params.push_back(head_->kernel());
  params.push_back(head_->bias());
  return params;
}

}  // namespace gradflow::nn
