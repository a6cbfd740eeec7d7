#include "tensorboard/histogram.hpp"

#include <algorithm>
#include <cfloat>

namespace gradflow::tensorboard {

const std::vector<double>& default_bucket_limits() {
  static const std::vector<double> limits = [] {
    std::vector<double> positive;
    // Repeated multiplication, not pow(1.1, k), so each limit is bit-for-bit TensorFlow's.
    for (double v = 1.0e-12; v < 1.0e20; v *= 1.1) positive.push_back(v);
    positive.push_back(DBL_MAX);
    std::vector<double> all;
    all.reserve(2 * positive.size() + 1);
    for (auto it = positive.rbegin(); it != positive.rend(); ++it) all.push_back(-*it);
    all.push_back(0.0);
    all.insert(all.end(), positive.begin(), positive.end());
    return all;
  }();
  return limits;
}

Histogram make_histogram(std::span<const float> values) {
  const std::vector<double>& limits = default_bucket_limits();
  std::vector<double> counts(limits.size(), 0.0);
  Histogram h;
  h.min = DBL_MAX;
  h.max = -DBL_MAX;
  for (const float f : values) {
    const double v = f;
    const auto bucket = std::upper_bound(limits.begin(), limits.end(), v) - limits.begin();
    counts[static_cast<std::size_t>(bucket)] += 1.0;
    h.min = std::min(h.min, v);
    h.max = std::max(h.max, v);
    h.num += 1.0;
    h.sum += v;
    h.sum_squares += v * v;
  }
  for (std::size_t i = 0; i < counts.size();) {
    double end = limits[i];
    const double count = counts[i];
    ++i;
    if (count <= 0.0) {  // collapse a run of empty buckets into one
      while (i < counts.size() && counts[i] <= 0.0) end = limits[i++];
    }
    h.bucket_limit.push_back(end);
    h.bucket.push_back(count);
  }
  return h;
}

}  // namespace gradflow::tensorboard
