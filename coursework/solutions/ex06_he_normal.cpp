// Exercise 06, reference solution.
#include "coursework/ex06_he_normal.hpp"

#include <fmt/format.h>

#include <cmath>
#include <numbers>
#include <stdexcept>

namespace gradflow::coursework {

autodiff::Tensor he_normal(int fan_in, int fan_out, nn::Rng& rng) {
  if (fan_in <= 0 || fan_out <= 0) {
    throw std::invalid_argument(
        fmt::format("he_normal: fan_in and fan_out must be positive, got {} and {}", fan_in, fan_out));
  }
  const double sigma = std::sqrt(2.0 / fan_in);
  autodiff::Tensor w({fan_in, fan_out});
  for (float& v : w.values()) {
    const double u1 = 1.0 - rng.uniform();  // in (0, 1]: log(0) would be -inf
    const double u2 = rng.uniform();
    const double n = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);  // Box-Muller
    v = static_cast<float>(sigma * n);
  }
  return w;
}

}  // namespace gradflow::coursework
