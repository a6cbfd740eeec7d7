#pragma once
// Is every value of a tensor a real number? The engine asks after every forward value and
// every gradient, so that a NaN or infinity is reported where it first appears instead of
// surfacing as a NaN loss many ops later.

#include <cmath>
#include <cstddef>
#include <optional>

#include "autodiff/tensor.hpp"

namespace gradflow::autodiff {

namespace detail {
bool all_finite_scan(const float* v, std::size_t n);  // the vectorised scan, in finite.cpp
}  // namespace detail

// True if no element is NaN or infinite. Fast: it runs on every value, every step. Tiny tensors
// (a bias, a loss, the [1 x 4] values of a chain of small ops, where the vector loop's set-up
// and a call would cost more than the elements) are checked inline, element by element.
inline bool all_finite(const Tensor& t) {
  constexpr std::size_t kSmall = 8;
  if (t.size() > kSmall) return detail::all_finite_scan(t.data(), t.size());
  bool ok = true;
  for (std::size_t i = 0; i < t.size(); ++i) ok = ok && std::isfinite(t[i]);
  return ok;
}

// The index of the first NaN or infinite element, if there is one.
std::optional<std::size_t> first_non_finite(const Tensor& t);

}  // namespace gradflow::autodiff
