// Smoke test of lesson 05: runs the built program on the small MNIST fixture (200 training and
// 200 test images) with --quick, then reads what it wrote. Every output is checked for its
// contents, not only for existing: the CSV files parse and hold every scenario, seed, step and
// tag; summary.json holds the numbers the docs quote; the figures are real SVG and PNG files of
// a sensible size; the diagrams and index.html name what they should.
#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "program_runner.hpp"

namespace fs = std::filesystem;

namespace {

using Run = gradflow::testing::ProgramRun;
using gradflow::testing::slurp;

const fs::path kFixture = fs::path(GRADFLOW_SOURCE_DIR) / "tests" / "fixtures" / "mnist";

Run run_lesson05(const std::string& args) {
  return gradflow::testing::run_program("lesson05_vanishing_gradients", args);
}

std::vector<std::string> split(const std::string& line, char sep) {
  std::vector<std::string> fields;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, sep)) fields.push_back(field);
  if (!line.empty() && line.back() == sep) fields.emplace_back();
  return fields;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The whole text must be a finite number ("0.25", "1e-05"); anything else fails.
bool parses_as_finite(const std::string& text, double& value) {
  if (text.empty()) return false;
  char* end = nullptr;
  value = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size() && std::isfinite(value);
}

// No staging folder "<out>.partial-<pid>" was left next to `out`.
void check_no_partial_folder(const fs::path& out) {
  for (const auto& entry : fs::directory_iterator(out.parent_path())) {
    CHECK_THAT(entry.path().filename().string(), !Catch::StartsWith(out.filename().string() + ".partial-"));
  }
}

const std::vector<std::string> kScenarios = {"sigmoid", "relu", "leaky_relu"};
constexpr int kLayers = 6;

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

// The width and height of a PNG, read from its IHDR chunk.
std::pair<std::uint32_t, std::uint32_t> png_size(const std::string& png) {
  auto be32 = [&](std::size_t at) {
    return (static_cast<std::uint32_t>(static_cast<unsigned char>(png[at])) << 24) |
           (static_cast<std::uint32_t>(static_cast<unsigned char>(png[at + 1])) << 16) |
           (static_cast<std::uint32_t>(static_cast<unsigned char>(png[at + 2])) << 8) |
           static_cast<std::uint32_t>(static_cast<unsigned char>(png[at + 3]));
  };
  return {be32(16), be32(20)};
}

}  // namespace

TEST_CASE("lesson05 --quick writes the data, figures, diagrams and page of the experiment", "[lesson05]") {
  INFO("the MNIST fixture " << kFixture << " (200 train + 200 test images) is needed for this test");
  REQUIRE(fs::is_directory(kFixture));
  const fs::path out = fs::temp_directory_path() / fmt::format("gradflow-test-lesson05-{}", ::getpid());
  fs::remove_all(out);
  const Run run = run_lesson05(fmt::format("--quick --data '{}' --out '{}'", kFixture.string(), out.string()));
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  check_no_partial_folder(out);
  CHECK_THAT(run.out, Catch::Contains("leaky_relu alpha = 0.2"));

  // One run, checked block by block (Catch's SECTIONs would run the lesson once per section).
  // --quick: two seeds (1 and 2), 60 iterations logged every 20 steps.
  const std::set<std::string> seeds = {"1", "2"};
  const std::set<std::string> steps = {"0", "20", "40"};

  {  // scalars.csv has every tag for every scenario, seed and step, and only finite numbers
    const auto lines = lines_of(slurp(out / "scalars.csv"));
    REQUIRE(lines.size() > 1);
    CHECK(lines.front() == "scenario,seed,step,tag,value");
    std::map<std::string, std::set<std::string>> tags;  // "relu/2/40" -> its tags
    for (std::size_t i = 1; i < lines.size(); ++i) {
      INFO("line " << i + 1 << ": " << lines[i]);
      const auto f = split(lines[i], ',');
      REQUIRE(f.size() == 5);
      double value = 0;
      CHECK(parses_as_finite(f[4], value));
      if (f[3] == "acc") CHECK((value >= 0 && value <= 1));
      if (f[3] == "loss") CHECK(value > 0);
      if (f[3].rfind("mean_", 0) == 0 || f[3].rfind("bias_mean_", 0) == 0) CHECK(value >= 0);
      tags[fmt::format("{}/{}/{}", f[0], f[1], f[2])].insert(f[3]);
    }
    CHECK(tags.size() == kScenarios.size() * seeds.size() * steps.size());
    for (const auto& scenario : kScenarios) {
      for (const auto& seed : seeds) {
        for (const auto& step : steps) {
          const std::string key = fmt::format("{}/{}/{}", scenario, seed, step);
          INFO(key);
          REQUIRE(tags.count(key) == 1);
          const auto& have = tags[key];
          CHECK(have.count("loss") == 1);
          CHECK(have.count("acc") == 1);
          for (int l = 1; l <= kLayers; ++l) {
            INFO("layer " << l);
            CHECK(have.count(fmt::format("mean_{}", l)) == 1);
            CHECK(have.count(fmt::format("bias_mean_{}", l)) == 1);
            CHECK(have.count(fmt::format("weight_mean_{}", l)) == 1);
          }
          // Hidden layers only: saturation for sigmoid, dead units for the ReLU family.
          for (int l = 1; l < kLayers; ++l) {
            const bool sigmoid = scenario == "sigmoid";
            CHECK(have.count(fmt::format("saturated_{}", l)) == (sigmoid ? 1U : 0U));
            CHECK(have.count(fmt::format("dead_{}", l)) == (sigmoid ? 0U : 1U));
          }
        }
      }
    }
  }

  {  // histograms.csv holds kernel value and gradient bins for every layer
    const auto lines = lines_of(slurp(out / "histograms.csv"));
    REQUIRE(lines.size() > 1);
    CHECK(lines.front() == "scenario,seed,step,layer,kind,bin,lo,hi,count");
    std::set<std::string> seen;  // "sigmoid/kernel_grad/6"
    for (std::size_t i = 1; i < lines.size(); ++i) {
      INFO("line " << i + 1 << ": " << lines[i]);
      const auto f = split(lines[i], ',');
      REQUIRE(f.size() == 9);
      CHECK((f[4] == "kernel_grad" || f[4] == "kernel_value"));
      double lo = 0, hi = 0, count = 0;
      CHECK(parses_as_finite(f[6], lo));
      CHECK(parses_as_finite(f[7], hi));
      CHECK(lo <= hi);
      CHECK(parses_as_finite(f[8], count));
      CHECK(count >= 0);
      seen.insert(fmt::format("{}/{}/{}", f[0], f[4], f[3]));
    }
    for (const auto& scenario : kScenarios) {
      for (int l = 1; l <= kLayers; ++l) {
        CHECK(seen.count(fmt::format("{}/kernel_grad/{}", scenario, l)) == 1);
        CHECK(seen.count(fmt::format("{}/kernel_value/{}", scenario, l)) == 1);
      }
    }
  }

  {  // summary.json: the common shape, each scenario's accuracy, gradient ratios and six per-layer means
    const auto json = nlohmann::json::parse(slurp(out / "summary.json"));
    CHECK(json["lesson"] == "05_vanishing_gradients");
    CHECK(json["settings"]["leaky_relu_alpha"] == 0.2);
    for (const auto& scenario : kScenarios) {
      INFO(scenario);
      const auto& block = json["scenarios"][scenario];
      const double test_acc = block["test_acc"]["mean"];
      CHECK((test_acc >= 0 && test_acc <= 1));
      CHECK(block["grad_ratio"]["mean"].get<double>() > 0);
      CHECK(block["bias_grad_ratio"]["mean"].get<double>() > 0);
      for (const char* key :
           {"mean_abs_grad", "mean_abs_bias_grad", "mean_abs_weight", "mean_abs_input", "mean_abs_delta"}) {
        INFO(key);
        REQUIRE(block[key].size() == kLayers);
        for (const auto& layer : block[key]) {
          REQUIRE(layer["mean"].is_number());
          CHECK(std::isfinite(layer["mean"].get<double>()));
          CHECK(layer["mean"].get<double>() >= 0);
        }
      }
      // Issue 8 item 19: the kernel gradient's two factors are measured. Layer 1's input is the
      // pixels (mean |x| of the fixture's images), smaller than the hidden activations after it
      // for the ReLU family.
      if (scenario != "sigmoid") {
        CHECK(block["mean_abs_input"][0]["mean"].get<double>() < block["mean_abs_input"][1]["mean"].get<double>());
      }
    }
    // The three claims of the post, each with a verdict, the rule that decided it, and (this is a
    // --quick run on the fixture) the note that the run is not at the post's settings.
    REQUIRE(json["claims"].size() == 3);
    for (const auto& claim : json["claims"]) {
      for (const char* key : {"id", "statement", "measured", "verdict", "rule"}) CHECK(claim.contains(key));
      CHECK_THAT(claim["settings_note"].get<std::string>(), Catch::Contains("--quick"));
    }
    // Issue 8 item 17: "no visible benefit" from two seeds cannot hold.
    CHECK(json["claims"][2]["id"] == "leaky_no_benefit");
    CHECK(json["claims"][2]["verdict"] != "holds");
  }

  {  // every figure and diagram is a real SVG and PNG of a sensible size
    std::vector<std::string> pictures = {"accuracy", "gradients", "bias_gradients", "layer_profile", "gradient_flow"};
    for (const auto& s : kScenarios) {
      pictures.push_back("histograms_" + s);
      pictures.push_back("graph_" + s);
    }
    for (const auto& stem : pictures) {
      INFO(stem);
      const std::string svg = slurp(out / (stem + ".svg"));
      CHECK(svg.size() > 2000);
      CHECK_THAT(svg, Catch::Contains("<svg"));
      CHECK_THAT(svg, Catch::Contains("</svg>"));
      const std::string png = slurp(out / (stem + ".png"));
      REQUIRE(png.size() > 5000);
      CHECK(png.substr(0, 8) == std::string("\x89PNG\r\n\x1a\n", 8));
      const auto [width, height] = png_size(png);
      CHECK(width >= 600);
      CHECK(height >= 300);
    }
    // Each gnuplot figure comes with its script and data, so it can be redrawn.
    for (const char* stem : {"accuracy", "gradients", "bias_gradients", "layer_profile", "histograms_relu"}) {
      INFO(stem);
      CHECK_THAT(slurp(out / (std::string(stem) + ".gp")), Catch::Contains(std::string(stem) + ".dat"));
      CHECK(fs::file_size(out / (std::string(stem) + ".dat")) > 100);
    }
    // The accuracy figure's legend carries the test accuracy; the histograms show layer 4.
    // The figures are at most ~1300 px wide so their text stays readable in a 900 px window.
    for (const char* stem : {"accuracy", "gradients", "layer_profile", "histograms_relu"}) {
      INFO(stem);
      CHECK(png_size(slurp(out / (std::string(stem) + ".png"))).first <= 1300);
    }
    CHECK_THAT(slurp(out / "accuracy.gp"), Catch::Contains("test "));
    CHECK_THAT(slurp(out / "histograms_sigmoid.gp"), Catch::Contains("layer 4"));
  }

  {  // gradient_flow.dot has layer1 ... layer6 and the decay for every scenario
    const std::string dot = slurp(out / "gradient_flow.dot");
    CHECK_THAT(dot, Catch::StartsWith("digraph"));
    for (const auto& scenario : kScenarios) {
      CHECK_THAT(dot, Catch::Contains(fmt::format("cluster_{}", scenario)));
      CHECK_THAT(dot, Catch::Contains(fmt::format("\"{}/decay\"", scenario)));
      CHECK_THAT(dot, Catch::Contains(fmt::format("\"{}/loss\" -> \"{}/layer6\"", scenario, scenario)));
      for (int l = 1; l <= kLayers; ++l) CHECK_THAT(dot, Catch::Contains(fmt::format("\"{}/layer{}\"", scenario, l)));
    }
    // The computation graphs share one colour scale, so their legends are identical.
    const auto legend = [&](const std::string& scenario) {
      const std::string text = slurp(out / ("graph_" + scenario + ".dot"));
      const auto at = text.find("cluster_legend");
      REQUIRE(at != std::string::npos);
      return text.substr(at);
    };
    CHECK(legend("sigmoid") == legend("relu"));
    CHECK(legend("relu") == legend("leaky_relu"));
  }

  {  // index.html shows every figure and diagram, the summary table and the verdicts
    const std::string html = slurp(out / "index.html");
    for (const char* stem :
         {"accuracy", "gradients", "bias_gradients", "layer_profile", "gradient_flow", "histograms_sigmoid",
          "histograms_relu", "histograms_leaky_relu", "graph_sigmoid", "graph_relu", "graph_leaky_relu"}) {
      INFO(stem);
      // Figures are <img>; diagrams are inlined (so their tooltips work) and link to their files.
      const bool diagram = std::string(stem) == "gradient_flow" || std::string(stem).rfind("graph_", 0) == 0;
      CHECK_THAT(html, Catch::Contains((diagram ? "href=\"" : "src=\"") + std::string(stem) + ".svg\""));
      CHECK_THAT(html, Catch::Contains(fmt::format("href=\"{}.png\"", stem)));
    }
    CHECK_THAT(html, Catch::Contains("|dL/db| last/1"));
    CHECK_THAT(html, Catch::Contains("0.01"));  // the alpha the post's text names
    CHECK_THAT(html, Catch::Contains("--alpha"));
    // Issue 8 item 17: every verdict shows its rule, and the settings note.
    CHECK(count_of(html, "<b>Rule:</b>") == 3);
    CHECK(count_of(html, "at other settings than the claim") == 3);
    // Item 18: no canned conclusions; the data is named by its folder, not assumed to be MNIST.
    CHECK_THAT(html, !Catch::Contains("it is the zero pixels"));
    CHECK_THAT(html, !Catch::Contains("most MNIST pixels"));
    CHECK_THAT(html, Catch::Contains(kFixture.string()));
    CHECK_THAT(html, Catch::Contains("of the training pixels are exactly 0"));
    // Item 20: the post named and linked; which spread is which; inactive units shown, and
    // leaky units are not called dead.
    CHECK_THAT(html, Catch::Contains("adventuresinmachinelearning.com/vanishing-gradient-problem-tensorflow"));
    CHECK_THAT(html, Catch::Contains("Andy Thomas"));
    CHECK_THAT(html, Catch::Contains("The vanishing gradient problem and ReLUs"));
    CHECK_THAT(html, Catch::Contains("is a standard deviation"));
    CHECK_THAT(html, Catch::Contains("min to max"));
    CHECK_THAT(html, Catch::Contains("relu: dead"));
    CHECK_THAT(html, Catch::Contains("leaky_relu: below 0 on the batch"));
    CHECK_THAT(html, !Catch::Contains("leaky_relu dead"));
    // Item 21: the step graphs say what sets their colours.
    CHECK_THAT(html, Catch::Contains("What sets a node&#39;s colour"));
    CHECK_THAT(slurp(out / "graph_relu.dot"), Catch::Contains("batch-mean loss"));
    // Issue 13 item 3: diagrams are inline SVG (tooltips on hover), the large graphs folded.
    CHECK(count_of(html, "<details class=\"diagram\">") == 3);
    CHECK_THAT(html, Catch::Contains("xlink:title="));
  }
  fs::remove_all(out);
}

TEST_CASE("lesson05 rejects an unknown activation with exit code 2 naming it", "[lesson05]") {
  const Run run = run_lesson05("--activations sigmoid,bogus");
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.err, Catch::Contains("bogus"));
  CHECK_THAT(run.err, Catch::Contains("--activations"));
  CHECK_THAT(run.err, Catch::Contains("Usage: lesson05_vanishing_gradients"));
}

TEST_CASE("lesson05 rejects --hidden 0 with exit code 2", "[lesson05]") {
  const Run run = run_lesson05("--hidden 0");
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.err, Catch::Contains("--hidden"));
}

TEST_CASE("lesson05 fails with exit code 1 naming a missing --data folder and writes nothing", "[lesson05]") {
  const fs::path out = fs::temp_directory_path() / fmt::format("gradflow-test-lesson05-nodata-{}", ::getpid());
  fs::remove_all(out);
  const Run run = run_lesson05(fmt::format("--quick --data /nonexistent/gradflow-mnist --out '{}'", out.string()));
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.err, Catch::Contains("error:"));
  CHECK_THAT(run.err, Catch::Contains("/nonexistent/gradflow-mnist"));
  CHECK_FALSE(fs::exists(out));
  check_no_partial_folder(out);
}

TEST_CASE("lesson05 fails with exit code 1 naming an unwritable --out", "[lesson05]") {
  const Run run =
      run_lesson05(fmt::format("--quick --data '{}' --out /proc/gradflow-test-lesson05", kFixture.string()));
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.err, Catch::Contains("/proc/gradflow-test-lesson05"));
  CHECK_FALSE(fs::exists("/proc/gradflow-test-lesson05"));
}

TEST_CASE("lesson05 gives the same numbers whether its runs go one at a time or in parallel", "[lesson05]") {
  const fs::path base = fs::temp_directory_path() / fmt::format("gradflow-test-lesson05-jobs-{}", ::getpid());
  fs::remove_all(base);
  const auto run_with = [&](int jobs) {
    const fs::path out = base / fmt::format("jobs{}", jobs);
    const Run run = run_lesson05(
        fmt::format("--quick --seeds 2 --jobs {} --data '{}' --out '{}'", jobs, kFixture.string(), out.string()));
    REQUIRE(run.exit_code == 0);
    return out;
  };
  const fs::path serial = run_with(1);
  const fs::path parallel = run_with(3);
  CHECK(slurp(serial / "scalars.csv") == slurp(parallel / "scalars.csv"));
  CHECK(slurp(serial / "histograms.csv") == slurp(parallel / "histograms.csv"));
  // summary.json differs only in the timings.
  const auto without_timings = [](std::string json) {
    return std::regex_replace(json, std::regex("\"(training_)?seconds\": [0-9.e+-]+"), "\"seconds\": T");
  };
  CHECK(without_timings(slurp(serial / "summary.json")) == without_timings(slurp(parallel / "summary.json")));
  fs::remove_all(base);
}

TEST_CASE("lesson05 bounds --jobs by what OpenBLAS survives, naming the flag", "[lesson05]") {
  // Issue 8 item 4: --jobs 192 was allowed and crashed in sgemm_incopy.
  const Run run = run_lesson05("--jobs 192 --data /nonexistent/gradflow-mnist");
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.err, Catch::Contains("--jobs"));
}

TEST_CASE("lesson05 refuses a --log-every that would log without bound, before reading data", "[lesson05]") {
  // Issue 8 item 6: --log-every 1 at defaults used 1.24 GB and wrote 525 MB.
  const Run run = run_lesson05("--iterations 5000 --log-every 1 --data /nonexistent/gradflow-mnist");
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.err, Catch::Contains("--log-every"));
}

TEST_CASE("lesson05 counts a scenario named twice once", "[lesson05]") {
  // Issue 8 item 10: --activations relu,relu reported "runs 4" twice.
  const fs::path out = fs::temp_directory_path() / fmt::format("gradflow-test-lesson05-dup-{}", ::getpid());
  fs::remove_all(out);
  const Run run = run_lesson05(fmt::format("--quick --activations relu,relu --iterations 20 --data '{}' --out '{}'",
                                           kFixture.string(), out.string()));
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  const auto json = nlohmann::json::parse(slurp(out / "summary.json"));
  CHECK(json["scenarios"]["relu"]["runs"] == 2);
  CHECK(json["scenarios"].size() == 1);
  CHECK(json["settings"]["activations"].size() == 1);
  fs::remove_all(out);
}

TEST_CASE("lesson05 says underflowed instead of printing inf or nan, and judges nothing on it", "[lesson05]") {
  // Issue 8 item 9: --quick --seeds 2 --layers 100 showed "infx ± -nan" and judged a claim on inf.
  const fs::path out = fs::temp_directory_path() / fmt::format("gradflow-test-lesson05-deep-{}", ::getpid());
  fs::remove_all(out);
  const Run run =
      run_lesson05(fmt::format("--quick --seeds 2 --layers 100 --iterations 3 --log-every 1 --activations "
                               "sigmoid,leaky_relu --data '{}' --out '{}'",
                               kFixture.string(), out.string()));
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  const auto json = nlohmann::json::parse(slurp(out / "summary.json"));
  const auto& ratio = json["scenarios"]["sigmoid"]["grad_ratio"];
  INFO(ratio.dump());
  REQUIRE(ratio["non_finite"].get<int>() > 0);  // layer 1's gradient underflowed to 0 in this run
  CHECK(ratio["mean"].is_null());
  CHECK(json["claims"][1]["verdict"] == "not_tested");
  const std::string html = slurp(out / "index.html");
  CHECK_THAT(html, Catch::Contains("underflowed to 0"));
  CHECK_THAT(html, !Catch::Contains("infx"));
  CHECK_THAT(html, !Catch::Contains("nanx") && !Catch::Contains("-nan") && !Catch::Contains(" nan"));
  CHECK_THAT(run.out, !Catch::Contains("infx"));
  fs::remove_all(out);
}
