#pragma once
// What the smoke tests of lessons 06-08 check in every lesson's output: summary.json has the
// common shape (lesson, settings, claims with a rule and a known verdict), index.html shows
// every claim with its verdict, and each figure is a real PNG and SVG.
#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "program_runner.hpp"

namespace gradflow::testing {

inline const std::filesystem::path kFixture =
    std::filesystem::path(GRADFLOW_SOURCE_DIR) / "tests" / "fixtures" / "mnist";

inline nlohmann::json check_common_shape(const std::filesystem::path& out, const std::string& lesson) {
  const nlohmann::json j = nlohmann::json::parse(slurp(out / "summary.json"));
  CHECK(j.at("lesson") == lesson);
  CHECK(j.at("settings").is_object());
  REQUIRE(j.at("claims").is_array());
  CHECK_FALSE(j.at("claims").empty());
  const std::string page = slurp(out / "index.html");
  const std::set<std::string> verdicts{"holds", "fails", "mixed", "inconclusive", "not_tested"};
  for (const auto& c : j.at("claims")) {
    INFO(c.dump());
    CHECK(verdicts.count(c.at("verdict").get<std::string>()) == 1);
    CHECK_FALSE(c.at("rule").get<std::string>().empty());
    CHECK_FALSE(c.at("measured").get<std::string>().empty());
    // The page shows the claim (its statement's plain start: the rest may be HTML-escaped) and its verdict.
    CHECK_THAT(page, Catch::Contains(c.at("statement").get<std::string>().substr(0, 15)));
    CHECK_THAT(page, Catch::Contains("claim verdict-" + c.at("verdict").get<std::string>()));
  }
  return j;
}

inline void check_picture(const std::filesystem::path& out, const std::string& stem) {
  INFO(stem);
  const std::string png = slurp(out / (stem + ".png"));
  REQUIRE(png.size() > 2000);
  CHECK(png.substr(1, 3) == "PNG");
  CHECK_THAT(slurp(out / (stem + ".svg")), Catch::Contains("<svg"));
  CHECK_THAT(slurp(out / "index.html"), Catch::Contains(stem));
}

inline const nlohmann::json& claim(const nlohmann::json& summary, const std::string& id) {
  for (const auto& c : summary.at("claims")) {
    if (c.at("id") == id) return c;
  }
  FAIL("no claim " << id);
  return summary;
}

}  // namespace gradflow::testing
