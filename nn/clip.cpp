#include "nn/clip.hpp"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

namespace gradflow::nn {

namespace {
autodiff::Tensor& gradient_of(const autodiff::Var& p) {
  // The gradient lives in the node; clipping edits it in place before the optimizer reads it.
  auto& grad = p.graph().node(p.id()).grad;
  if (grad.shape() != p.shape()) {
    throw std::logic_error(
        fmt::format("clip_by_global_norm: parameter '{}' has no gradient yet: call backward first", p.name()));
  }
  return grad;
}
}  // namespace

double global_norm(std::span<const autodiff::Var> parameters) {
  double sum_sq = 0.0;
  for (const auto& p : parameters) {
    for (float g : gradient_of(p).values()) sum_sq += static_cast<double>(g) * static_cast<double>(g);
  }
  return std::sqrt(sum_sq);
}

double clip_by_global_norm(std::span<const autodiff::Var> parameters, double max_norm) {
  if (!(max_norm > 0.0)) {
    throw std::invalid_argument(fmt::format("clip_by_global_norm: max_norm must be positive, got {}", max_norm));
  }
  const double norm = global_norm(parameters);
  if (!std::isfinite(norm) || norm <= max_norm) return norm;
  const auto factor = static_cast<float>(max_norm / norm);
  for (const auto& p : parameters) {
    for (float& g : gradient_of(p).values()) g *= factor;
  }
  return norm;
}

}  // namespace gradflow::nn
