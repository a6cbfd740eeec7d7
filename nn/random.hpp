#pragma once
// The one source of randomness in nn/: an explicit generator that the caller seeds, so a run
// is reproducible from its seed. We draw uniforms from the raw 64-bit stream ourselves rather
// than through std::uniform_real_distribution, whose algorithm the C++ standard leaves to each
// library: the same seed then gives the same network with any compiler.

#include <cstdint>
#include <random>

namespace gradflow::nn {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}
  // Uniform in [0, 1), using the top 53 bits (a double's mantissa).
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  // Uniform in [lo, hi).
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  std::uint64_t next() { return engine_(); }

 private:
  std::mt19937_64 engine_;
};

}  // namespace gradflow::nn
