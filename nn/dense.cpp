#include "nn/dense.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "autodiff/autodiff.hpp"

namespace gradflow::nn {

using autodiff::Graph;
using autodiff::Tensor;
using autodiff::Var;

Dense::Dense(Graph& graph, std::string name, int inputs, int outputs, const DenseOptions& options, Rng& rng)
    : graph_(&graph), name_(std::move(name)), inputs_(inputs), outputs_(outputs), options_(options) {
  if (inputs <= 0 || outputs <= 0) {
    throw std::invalid_argument(
        fmt::format("dense ({}): sizes must be positive, got {} inputs and {} outputs", name_, inputs, outputs));
  }
  Graph::Scope scope(graph, name_);
  kernel_ = graph.parameter("kernel", init_kernel(options.init, inputs, outputs, rng));
  bias_ = graph.parameter("bias", Tensor({1, outputs}, 0.0F));
}

Var Dense::operator()(Var x) {
  Graph::Scope scope(*graph_, name_);
  z_ = autodiff::ops::bias_add(autodiff::ops::matmul(x, kernel_), bias_);
  y_ = activate(options_.activation, z_, options_.alpha);
  return y_;
}

}  // namespace gradflow::nn
