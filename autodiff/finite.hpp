#pragma once
// Is every value of a tensor a real number? The engine asks after every forward value and
// every gradient, so that a NaN or infinity is reported where it first appears instead of
// surfacing as a NaN loss many ops later.

#include <cstddef>
#include <optional>

#include "autodiff/tensor.hpp"

namespace gradflow::autodiff {

// True if no element is NaN or infinite. Fast: it runs on every value, every step.
bool all_finite(const Tensor& t);

// The index of the first NaN or infinite element, if there is one.
std::optional<std::size_t> first_non_finite(const Tensor& t);

}  // namespace gradflow::autodiff
