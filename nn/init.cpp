#include "nn/init.hpp"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

namespace gradflow::nn {

namespace {
// Box-Muller: for u1 in (0, 1] and u2 in [0, 1) uniform, sqrt(-2 ln u1) cos(2 pi u2) is N(0, 1).
// Written out (not std::normal_distribution) for the reason nn/random.hpp gives: the same seed
// must give the same weights with every standard library.
double standard_normal(Rng& rng) {
  const double u1 = 1.0 - rng.uniform();  // in (0, 1]: log(u1) is finite
  const double u2 = rng.uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * 3.14159265358979323846 * u2);
}
}  // namespace

std::string_view to_string(Init init) {
  switch (init) {
    case Init::glorot_uniform: return "glorot_uniform";
    case Init::he_uniform: return "he_uniform";
    case Init::normal_0_01: return "normal_0.01";
    case Init::normal_1: return "normal_1";
  }
  return "?";
}

Init parse_init(std::string_view name) {
  for (Init init : {Init::glorot_uniform, Init::he_uniform, Init::normal_0_01, Init::normal_1}) {
    if (name == to_string(init)) return init;
  }
  throw std::invalid_argument(
      fmt::format("unknown initialiser '{}' (use glorot_uniform, he_uniform, normal_0.01 or normal_1)", name));
}

autodiff::Tensor init_kernel(Init init, int fan_in, int fan_out, Rng& rng) {
  if (fan_in <= 0 || fan_out <= 0) {
    throw std::invalid_argument(
        fmt::format("init_kernel: fan_in and fan_out must be positive, got {} and {}", fan_in, fan_out));
  }
  if (init == Init::normal_0_01 || init == Init::normal_1) {
    const double sigma = init == Init::normal_0_01 ? 0.01 : 1.0;
    autodiff::Tensor w({fan_in, fan_out});
    for (float& v : w.values()) v = static_cast<float>(sigma * standard_normal(rng));
    return w;
  }
  // Var[U(-l, l)] = l^2 / 3. Glorot asks for Var[W] = 2 / (fan_in + fan_out), He for 2 / fan_in.
  const double limit = init == Init::glorot_uniform ? std::sqrt(6.0 / (fan_in + fan_out)) : std::sqrt(6.0 / fan_in);
  autodiff::Tensor w({fan_in, fan_out});
  for (float& v : w.values()) v = static_cast<float>(rng.uniform(-limit, limit));
  return w;
}

}  // namespace gradflow::nn
