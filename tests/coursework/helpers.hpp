#pragma once
// Shared by the exercise tests: gradcheck over a list of shapes and seeds with a readable message.
#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

#include "autodiff/gradcheck.hpp"

namespace coursework_tests {

// gradcheck of `op` on operands drawn with `samples` for every shape case and seeds 1..seeds.
// INFO carries gradcheck's message (op, operand, element, analytic vs numeric), which is what
// scripts/grade.sh shows for the first failing check.
inline void gradcheck_cases(const std::shared_ptr<const gradflow::autodiff::Op>& op, const std::string& label,
                            std::vector<gradflow::autodiff::ops::Sample> samples,
                            std::vector<std::vector<gradflow::autodiff::Shape>> cases, std::uint64_t seeds = 3,
                            double scale = 1.0) {
  using namespace gradflow::autodiff;
  const ops::OpEntry info{op, std::move(samples), std::move(cases), {}};
  for (std::size_t c = 0; c < info.cases.size(); ++c) {
    for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
      auto x = sample_operands(info, c, seed);
      for (auto& t : x) {
        for (float& v : t.values()) v = static_cast<float>(v * scale);
      }
      GradcheckOptions opts;
      // dL/dy from another seed than the operands: sample_operands and gradcheck both draw from
      // mt19937_64(seed), so the same seed makes dL/dy proportional to x, and for layer_norm
      // (whose gradient is orthogonal to x's row direction) the check would then be vacuous.
      opts.seed = seed + 1000;
      const auto result = gradcheck(*op, x, opts);
      INFO(label << ", shape " << to_string(info.cases[c][0]) << ", seed " << seed << ": " << result.message);
      CHECK(result.passed);
    }
  }
}

}  // namespace coursework_tests
