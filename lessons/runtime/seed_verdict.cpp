#include "lessons/runtime/seed_verdict.hpp"

#include <fmt/format.h>

namespace gradflow::lessons {

Claim judge_over_seeds(std::string id, std::string statement, std::string measured, std::string rule,
                       std::span<const SeedTest> seeds, std::string settings_note) {
  std::size_t passed = 0, failed = 0, missing = 0;
  for (const SeedTest& s : seeds) {
    if (!s.passed) {
      ++missing;
    } else {
      ++(*s.passed ? passed : failed);
    }
  }
  Verdict v = Verdict::inconclusive;
  if (passed + failed == 0) {
    v = Verdict::not_tested;
  } else if (missing == 0 && failed == 0) {
    v = Verdict::holds;
  } else if (missing == 0 && passed == 0) {
    v = Verdict::fails;
  }
  measured += fmt::format("{}the rule held for {} of {} seed(s)", measured.empty() ? "" : "; ", passed, seeds.size());
  if (missing > 0) measured += fmt::format(", {} without the data it needs", missing);
  rule += "; holds if every seed passes, fails if none does, inconclusive if they disagree";
  return Claim{std::move(id), std::move(statement), std::move(measured), std::move(rule), v, std::move(settings_note)};
}

}  // namespace gradflow::lessons
