#include "autodiff/finite.hpp"

#include <bit>
#include <cmath>
#include <cstdint>

namespace gradflow::autodiff {

// A float is NaN or infinite exactly when its 8 exponent bits are all ones, so we OR together
// one flag per value: integer work with no early exit, which the compiler turns into vector
// instructions. (Tiny tensors take the inline path in finite.hpp.)
namespace detail {
// Compiled for AVX-512 and AVX2 as well (the widest the CPU has is chosen when the program
// loads): a flagship step scans about 20,000 values and gradients. Integer work only.
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
bool all_finite_scan(const float* v, std::size_t n) {
  unsigned bad = 0;
  for (std::size_t i = 0; i < n; ++i) {
    bad |= static_cast<unsigned>((std::bit_cast<std::uint32_t>(v[i]) & 0x7f800000U) == 0x7f800000U);
  }
  return bad == 0;
}
}  // namespace detail

std::optional<std::size_t> first_non_finite(const Tensor& t) {
  if (all_finite(t)) return std::nullopt;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (!std::isfinite(t[i])) return i;
  }
  return std::nullopt;
}

}  // namespace gradflow::autodiff
