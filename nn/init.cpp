#include "nn/init.hpp"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

namespace gradflow::nn {

std::string_view to_string(Init init) {
  switch (init) {
    case Init::glorot_uniform: return "glorot_uniform";
    case Init::he_uniform: return "he_uniform";
  }
  return "?";
}

Init parse_init(std::string_view name) {
  if (name == "glorot_uniform") return Init::glorot_uniform;
  if (name == "he_uniform") return Init::he_uniform;
  throw std::invalid_argument(fmt::format("unknown initialiser '{}' (use glorot_uniform or he_uniform)", name));
}

autodiff::Tensor init_kernel(Init init, int fan_in, int fan_out, Rng& rng) {
  if (fan_in <= 0 || fan_out <= 0) {
    throw std::invalid_argument(
        fmt::format("init_kernel: fan_in and fan_out must be positive, got {} and {}", fan_in, fan_out));
  }
  // Var[U(-l, l)] = l^2 / 3. Glorot asks for Var[W] = 2 / (fan_in + fan_out), He for 2 / fan_in.
  const double limit = init == Init::glorot_uniform ? std::sqrt(6.0 / (fan_in + fan_out)) : std::sqrt(6.0 / fan_in);
  autodiff::Tensor w({fan_in, fan_out});
  for (float& v : w.values()) v = static_cast<float>(rng.uniform(-limit, limit));
  return w;
}

}  // namespace gradflow::nn
