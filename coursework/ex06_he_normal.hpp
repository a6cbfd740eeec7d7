#pragma once
// Exercise 06: the He-normal initialiser. You write he_normal in coursework/ex06_he_normal.cpp.
//
//   W [fan_in x fan_out],  W_ij ~ Normal(0, sigma^2),  sigma = sqrt(2 / fan_in)
//
// Why 2 / fan_in: for z = x W with independent zero-mean weights, Var[z] = fan_in Var[W] E[x^2].
// A ReLU zeroes half of a symmetric z, so E[relu(z)^2] = Var[z] / 2. Keeping E[x^2] the same from
// layer to layer therefore needs fan_in Var[W] / 2 = 1, i.e. Var[W] = 2 / fan_in (He et al.,
// 2015). With Var[W] = 1 / fan_in instead, the signal halves at every layer: 2^-20 after 20.
//
// nn::Rng gives uniforms only. A standard normal from two uniforms (Box-Muller):
//   u1 in (0, 1], u2 in [0, 1):   n = sqrt(-2 ln u1) cos(2 pi u2)

#include "autodiff/tensor.hpp"
#include "nn/random.hpp"

namespace gradflow::coursework {

// Throws std::invalid_argument naming the sizes when fan_in or fan_out is not positive.
autodiff::Tensor he_normal(int fan_in, int fan_out, nn::Rng& rng);

}  // namespace gradflow::coursework
