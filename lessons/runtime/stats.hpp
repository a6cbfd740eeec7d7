#pragma once
// One statistics type for "the same number measured over several seeds".
//
//   const Stats acc = Stats::of(test_accuracies);   // mean, sample std, min, max, n
//   acc.mean, acc.std (sample standard deviation, n - 1), acc.min, acc.max
//
// Non-finite inputs (a run whose gradient underflowed to 0 and whose ratio became inf, or a
// NaN) are not averaged in silently: they are counted in `non_finite` and left out of every
// other field, so a page can say "underflowed" instead of printing "inf +- nan".

#include <span>
#include <string>
#include <vector>

namespace gradflow::lessons {

struct Stats {
  double mean = 0;
  double std = 0;  // sample standard deviation (divides by n - 1); 0 for n < 2
  double min = 0;
  double max = 0;
  int n = 0;           // finite values that went into the fields above
  int non_finite = 0;  // values left out because they were inf or NaN

  static Stats of(std::span<const double> values);
  static Stats of(const std::vector<double>& values) { return of(std::span<const double>(values)); }
  // Every value was finite and there was at least one.
  [[nodiscard]] bool ok() const { return n > 0 && non_finite == 0; }
};

// "12.3 ± 0.4" (± the standard deviation) when there are two values or more, else "12.3";
// `scale` multiplies every field first (100 for percentages), `digits` after the point,
// `suffix` is glued to the mean ("x", "%"). A Stats that is not ok() gives `bad_text`.
std::string format_stats(const Stats& s, int digits, double scale = 1.0, std::string_view suffix = {},
                         std::string_view bad_text = "not finite");

}  // namespace gradflow::lessons
