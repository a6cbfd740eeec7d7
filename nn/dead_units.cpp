#include "nn/dead_units.hpp"

#include <fmt/format.h>

#include "autodiff/errors.hpp"
#include "autodiff/tensor.hpp"

namespace gradflow::nn {

float never_positive_fraction(const autodiff::Tensor& z) {
  if (z.rows() == 0 || z.cols() == 0) {
    throw autodiff::ShapeError(fmt::format("never_positive_fraction: empty pre-activation {}", z.shape()));
  }
  int never = 0;
  for (int u = 0; u < z.cols(); ++u) {
    bool any_positive = false;
    for (int s = 0; s < z.rows() && !any_positive; ++s) any_positive = z(s, u) > 0.0F;
    never += any_positive ? 0 : 1;
  }
  return static_cast<float>(never) / static_cast<float>(z.cols());
}

std::vector<float> probe_never_positive(Classifier& classifier, std::span<const float> images,
                                        std::span<const std::uint8_t> labels) {
  // One forward pass over the whole probe set as a single batch: every layer's pre-activation
  // node then holds [probe size x units], one row per probe image.
  classifier.evaluate(images, labels, static_cast<int>(labels.size()));
  std::vector<float> fractions;
  const auto& layers = classifier.mlp().layers();
  for (std::size_t l = 0; l + 1 < layers.size(); ++l) {
    fractions.push_back(never_positive_fraction(layers[l].pre_activation().value()));
  }
  return fractions;
}

}  // namespace gradflow::nn
