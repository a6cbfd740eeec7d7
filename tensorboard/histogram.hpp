#pragma once
// Histograms as TensorFlow 1.x's tf.summary.histogram encodes them (tensorflow/core/lib/
// histogram/histogram.cc), so TensorBoard draws ours exactly as it drew the post's.
//
// The default bucket limits grow exponentially: 0, then +-1e-12 * 1.1^k for every k with the
// limit below 1e20, then +-DBL_MAX at both ends (1551 limits in all). A value v falls in the
// first bucket i whose limit is > v, i.e. bucket i holds bucket_limit[i-1] <= v < bucket_limit[i].
// A 10% growth per bucket gives the same relative resolution at every scale, which is what a
// gradient histogram spanning 1e-8 to 1e-1 needs.
//
// Encoding drops empty buckets the way TensorFlow does: a run of empty buckets is collapsed
// into one empty bucket whose limit is the run's last limit, so each written bucket still reads
// "count of values below my limit and at or above the previous written limit".

#include <span>
#include <vector>

namespace gradflow::tensorboard {

struct Histogram {
  double min = 0, max = 0, num = 0, sum = 0, sum_squares = 0;
  std::vector<double> bucket_limit;  // increasing; the last is DBL_MAX unless it is empty
  std::vector<double> bucket;        // counts, one per limit
};

// TensorFlow's default bucket limits (computed once).
const std::vector<double>& default_bucket_limits();

// The encoded histogram of `values` (all finite; the caller checks). With no values it is
// TensorFlow's empty histogram: min DBL_MAX, max -DBL_MAX, one empty bucket at DBL_MAX.
Histogram make_histogram(std::span<const float> values);

}  // namespace gradflow::tensorboard
