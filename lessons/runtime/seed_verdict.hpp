#pragma once
// Judging a claim seed by seed.
//
// A lesson that runs several seeds tests its rule on each one. The claim then
//   holds          when the rule held for every seed,
//   fails          when it held for none,
//   inconclusive   when the seeds disagree (this run cannot decide) or some seed lacked the data,
//   not_tested     when no seed had what the rule needs (e.g. a non-finite value, too few layers).
// `measured` gets "k of n seeds" appended, so the page shows how the verdict came about.

#include <optional>
#include <span>
#include <string>

#include "lessons/runtime/report.hpp"

namespace gradflow::lessons {

struct SeedTest {
  std::optional<bool> passed;  // nullopt: this seed lacks what the rule needs
};

Claim judge_over_seeds(std::string id, std::string statement, std::string measured, std::string rule,
                       std::span<const SeedTest> seeds, std::string settings_note = {});

}  // namespace gradflow::lessons
