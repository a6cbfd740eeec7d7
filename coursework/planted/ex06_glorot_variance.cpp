// Exercise 06, a PLANTED MISTAKE: variance 1/fan_in instead of 2/fan_in: the signal halves at every ReLU layer.
// Built only as a test variant that must FAIL (tests/coursework/CMakeLists.txt); never shipped.
#include <fmt/format.h>

#include <cmath>
#include <numbers>
#include <stdexcept>

#include "coursework/ex06_he_normal.hpp"

namespace gradflow::coursework {

autodiff::Tensor he_normal(int fan_in, int fan_out, nn::Rng& rng) {
  if (fan_in <= 0 || fan_out <= 0) {
    throw std::invalid_argument(
        fmt::format("he_normal: fan_in and fan_out must be positive, got {} and {}", fan_in, fan_out));
  }
  const double sigma = std::sqrt(1.0 / fan_in) /* PLANTED: LeCun/Glorot variance, not He */;
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
