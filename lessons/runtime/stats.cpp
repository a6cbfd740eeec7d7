#include "lessons/runtime/stats.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace gradflow::lessons {

Stats Stats::of(std::span<const double> values) {
  Stats s;
  bool first = true;
  for (double v : values) {
    if (!std::isfinite(v)) {
      ++s.non_finite;
      continue;
    }
    s.mean += v;  // summed in order, so the mean is the same as a plain loop's
    s.min = first ? v : std::min(s.min, v);
    s.max = first ? v : std::max(s.max, v);
    first = false;
    ++s.n;
  }
  if (s.n == 0) return s;
  s.mean /= static_cast<double>(s.n);
  if (s.n > 1) {
    double ss = 0;
    for (double v : values) {
      if (std::isfinite(v)) ss += (v - s.mean) * (v - s.mean);
    }
    s.std = std::sqrt(ss / static_cast<double>(s.n - 1));
  }
  return s;
}

std::string format_stats(const Stats& s, int digits, double scale, std::string_view suffix, std::string_view bad_text) {
  if (!s.ok()) return std::string(bad_text);
  if (s.n > 1) return fmt::format("{:.{}f}{} ± {:.{}f}", scale * s.mean, digits, suffix, scale * s.std, digits);
  return fmt::format("{:.{}f}{}", scale * s.mean, digits, suffix);
}

}  // namespace gradflow::lessons
