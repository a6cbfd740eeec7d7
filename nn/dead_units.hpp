#pragma once
// The dead-unit probe: which ReLU units no longer respond to any input?
//
// A ReLU unit outputs max(0, z). Where z <= 0 its output is 0 AND its gradient is 0, so a unit
// whose z <= 0 for every input of the data receives no gradient from any of them: nothing will
// ever move its weights again. We call a unit *dead* only when that holds for ALL images of a
// fixed probe set (say 1,000 validation images); a unit that is off for most images but on for
// a few is still alive and learning.
//
// A leaky ReLU with slope alpha > 0 passes alpha * dy where z <= 0, so none of its units can die
// by construction. The same probe counts leaky units whose z <= 0 for every probe image; we call
// those *negative-side* units, not dead ones: they still learn, only more slowly.

#include <cstdint>
#include <span>
#include <vector>

#include "autodiff/tensor.hpp"
#include "nn/classifier.hpp"

namespace gradflow::nn {

// The fraction of columns (units) of a [samples x units] pre-activation whose every entry is
// <= 0. Throws autodiff::ShapeError for a tensor without rows or columns.
float never_positive_fraction(const autodiff::Tensor& pre_activation);

// Runs the classifier forward once on the probe images (row-major [n x inputs], with their
// labels) and returns, per hidden layer (layer1 first; not the linear output layer), the
// fraction of units that are never positive on the probe set: dead units for ReLU layers,
// negative-side units for leaky ReLU ones. Changes no parameter.
std::vector<float> probe_never_positive(Classifier& classifier, std::span<const float> images,
                                        std::span<const std::uint8_t> labels);

}  // namespace gradflow::nn
