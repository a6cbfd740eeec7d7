// Lesson 03: every registered op is checked, the error-vs-eps study has its V, and the
// deliberately wrong op is caught. Reads summary.json and the files the lesson wrote.
#include <fmt/format.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "autodiff/ops/all_ops.hpp"
#include "program_runner.hpp"

namespace fs = std::filesystem;
using gradflow::testing::slurp;

TEST_CASE("lesson03 checks every registered op and catches the wrong backward", "[lesson03]") {
  const fs::path out = fs::temp_directory_path() / fmt::format("gradflow-test-lesson03-{}", ::getpid());
  fs::remove_all(out);
  const auto run =
      gradflow::testing::run_program("lesson03_gradcheck", fmt::format("--quick --out '{}'", out.string()));
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  const auto summary = nlohmann::json::parse(slurp(out / "summary.json"));
  CHECK(summary["lesson"] == "03_gradcheck");
  // One check per (op, case) of the op table: a newly registered op shows up here by itself.
  std::size_t cases = 0;
  std::set<std::string> names;
  for (const auto& info : gradflow::autodiff::ops::all_ops()) {
    cases += info.cases.size();
    names.insert(std::string(info.op->name()));
  }
  REQUIRE(summary["op_checks"].size() == cases);
  std::set<std::string> checked;
  for (const auto& c : summary["op_checks"]) {
    checked.insert(c["op"].get<std::string>());
    CHECK(c["passed"] == true);
  }
  CHECK(checked == names);
  // The V: for each op, float32's error is smallest strictly inside the eps range.
  for (const auto& [op, study] : summary["error_vs_eps"].items()) {
    const auto& e32 = study["float32"];
    REQUIRE(e32.size() == study["eps"].size());
    std::size_t best = 0;
    for (std::size_t i = 0; i < e32.size(); ++i) best = e32[i] < e32[best] ? i : best;
    CHECK(best > 0);
    CHECK(best + 1 < e32.size());
  }
  CHECK(summary["wrong_backward"]["passed"] == false);
  CHECK(summary["wrong_backward"]["right_op_passed"] == true);
  CHECK_THAT(summary["wrong_backward"]["message"].get<std::string>(), Catch::Contains("buggy_sigmoid"));
  for (const auto& c : summary["claims"]) CHECK(c["verdict"] == "holds");
  for (const char* f : {"error_vs_eps.svg", "error_vs_eps.png", "error_vs_eps.gp", "error_vs_eps.dat",
                        "wrong_backward.svg", "wrong_backward.png"}) {
    CHECK(fs::file_size(out / f) > 500);
  }
  const std::string page = slurp(out / "index.html");
  CHECK_THAT(page, Catch::Contains("docs/coursework.md"));
  CHECK_THAT(page, Catch::Contains("softmax_cross_entropy"));
  fs::remove_all(out);
}
