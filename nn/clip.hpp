#pragma once
// Gradient clipping by global norm (Pascanu, Mikolov & Bengio 2013; TensorFlow's
// tf.clip_by_global_norm).
//
// Treat every gradient of the model as one long vector g. Its length ("global norm") is
//   ||g|| = sqrt(sum over parameters p, elements i of (dL/dp_i)^2).
// When ||g|| exceeds `max_norm`, every gradient is multiplied by max_norm / ||g||: the step keeps
// its direction but its length is capped. One factor for all parameters (rather than clipping
// each element, or each tensor, on its own) keeps the direction of steepest descent intact.
// An exploding gradient can then still point the right way, but can no longer throw the weights
// so far that the next forward pass overflows.

#include <span>

#include "autodiff/graph.hpp"

namespace gradflow::nn {

// ||g|| over the parameters' current gradients, summed in double so that it does not overflow
// before the float gradients themselves do. Throws std::logic_error naming a parameter whose
// gradient is missing (backward has not reached it).
double global_norm(std::span<const autodiff::Var> parameters);

// Rescales the gradients in place so that their global norm is at most `max_norm` (> 0, else
// std::invalid_argument). Returns the norm BEFORE clipping, the number worth logging. A
// non-finite norm cannot be rescaled meaningfully: the gradients are then left untouched and the
// non-finite norm is returned for the caller to report.
double clip_by_global_norm(std::span<const autodiff::Var> parameters, double max_norm);

}  // namespace gradflow::nn
