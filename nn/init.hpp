#pragma once
// Weight initialisers.
//
// Why initialisation matters for the vanishing-gradient lesson: backward multiplies the error
// by each layer's kernel (dx = dy W^T). If the kernels are too small the signal shrinks layer by
// layer; too large and it explodes (and sigmoids saturate). Both schemes below choose the
// spread of W from the layer's fan-in and fan-out so that the signal's variance stays roughly
// constant from layer to layer.

#include <string_view>

#include "autodiff/tensor.hpp"
#include "nn/random.hpp"

namespace gradflow::nn {

enum class Init {
  glorot_uniform,  // U(-l, l), l = sqrt(6 / (fan_in + fan_out)): tf.layers.dense's default
  he_uniform,      // U(-l, l), l = sqrt(6 / fan_in): keeps the variance through ReLUs, which
                   // zero half their inputs and so halve the variance Glorot assumes
  normal_0_01,     // N(0, 0.01^2) whatever the fan: too small for deep nets (lesson 06)
  normal_1,        // N(0, 1) whatever the fan: too large for deep nets (lessons 06, 07)
};

std::string_view to_string(Init init);
Init parse_init(std::string_view name);  // a to_string name, e.g. "normal_0.01"; throws std::invalid_argument

// A [fan_in x fan_out] kernel drawn with `init`.
autodiff::Tensor init_kernel(Init init, int fan_in, int fan_out, Rng& rng);

}  // namespace gradflow::nn
