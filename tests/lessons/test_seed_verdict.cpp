// judge_over_seeds: a claim tested seed by seed holds only when every seed passes.
#include <catch2/catch.hpp>
#include <vector>

#include "lessons/runtime/seed_verdict.hpp"

using gradflow::lessons::judge_over_seeds;
using gradflow::lessons::SeedTest;
using gradflow::lessons::Verdict;

namespace {
Verdict judge(const std::vector<SeedTest>& seeds) { return judge_over_seeds("id", "s", "m", "r", seeds).verdict; }
}  // namespace

TEST_CASE("judge_over_seeds: holds for all, fails for none, inconclusive when seeds disagree or lack data",
          "[runtime][seed_verdict]") {
  CHECK(judge({{true}, {true}, {true}}) == Verdict::holds);
  CHECK(judge({{false}, {false}}) == Verdict::fails);
  CHECK(judge({{true}, {false}, {true}}) == Verdict::inconclusive);
  CHECK(judge({{true}, {}}) == Verdict::inconclusive);  // one seed could not be judged
  CHECK(judge({{}, {}}) == Verdict::not_tested);
  CHECK(judge({}) == Verdict::not_tested);
}

TEST_CASE("judge_over_seeds shows the count, the aggregation rule and the settings note", "[runtime][seed_verdict]") {
  const auto c = judge_over_seeds("x", "statement", "ratio 0.7", "ratio < 0.85",
                                  std::vector<SeedTest>{{true}, {false}, {}}, "run with --depth 2");
  CHECK(c.id == "x");
  CHECK_THAT(c.measured, Catch::StartsWith("ratio 0.7; the rule held for 1 of 3 seed(s), 1 without the data"));
  CHECK_THAT(c.rule, Catch::StartsWith("ratio < 0.85; holds if every seed passes"));
  CHECK(c.settings_note == "run with --depth 2");
}
