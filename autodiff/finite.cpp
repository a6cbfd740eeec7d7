#include "autodiff/finite.hpp"

#include <bit>
#include <cmath>
#include <cstdint>

namespace gradflow::autodiff {

// A float is NaN or infinite exactly when its 8 exponent bits are all ones, so we OR together
// one flag per value: integer work with no early exit, which the compiler turns into vector
// instructions.
bool all_finite(const Tensor& t) {
  const float* v = t.data();
  unsigned bad = 0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    bad |= static_cast<unsigned>((std::bit_cast<std::uint32_t>(v[i]) & 0x7f800000U) == 0x7f800000U);
  }
  return bad == 0;
}

std::optional<std::size_t> first_non_finite(const Tensor& t) {
  if (all_finite(t)) return std::nullopt;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (!std::isfinite(t[i])) return i;
  }
  return std::nullopt;
}

}  // namespace gradflow::autodiff
