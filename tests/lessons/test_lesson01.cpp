// Smoke test of lesson 01: runs the built program and checks what it wrote and printed.
#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "program_runner.hpp"

namespace fs = std::filesystem;

namespace {

using Run = gradflow::testing::ProgramRun;
using gradflow::testing::slurp;

Run run_lesson01(const std::string& args) { return gradflow::testing::run_program("lesson01_computation_graph", args); }

std::size_t count(const std::string& text, std::string_view word) {
  std::size_t n = 0;
  for (auto pos = text.find(word); pos != std::string::npos; pos = text.find(word, pos + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("lesson01 writes both graphs, index.html and passing gradient checks", "[lesson01]") {
  const fs::path out = fs::temp_directory_path() / fmt::format("gradflow-test-lesson01-{}", ::getpid());
  fs::remove_all(out);
  const Run run = run_lesson01(fmt::format("--out '{}' --seed 3", out.string()));
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);

  for (const char* name :
       {"graph.dot", "graph.svg", "graph.png", "index.html", "neuron.dot", "neuron.svg", "neuron.png"}) {
    INFO(name);
    CHECK(fs::is_regular_file(out / name));
    CHECK(fs::file_size(out / name) > 0);
  }
  // Nothing half-written stayed behind next to the result.
  for (const auto& entry : fs::directory_iterator(out.parent_path())) {
    CHECK_THAT(entry.path().filename().string(), !Catch::StartsWith(out.filename().string() + ".partial-"));
  }

  const std::string dot = slurp(out / "graph.dot");
  CHECK_THAT(dot, Catch::Contains("digraph"));
  CHECK_THAT(dot, Catch::Contains("cluster_layer1"));
  CHECK_THAT(dot, Catch::Contains("cluster_layer2"));
  for (const char* node :
       {"layer1/kernel", "layer1/bias", "layer1/tanh", "layer2/kernel", "layer2/bias", "softmax_cross_entropy"}) {
    CHECK_THAT(dot, Catch::Contains(node));
  }
  CHECK_THAT(slurp(out / "neuron.dot"), Catch::Contains("sigmoid"));
  CHECK_THAT(slurp(out / "graph.svg"), Catch::Contains("<svg"));

  const std::string png = slurp(out / "graph.png");
  REQUIRE(png.size() > 8);
  CHECK(png.substr(0, 8) == std::string("\x89PNG\r\n\x1a\n", 8));

  const std::string html = slurp(out / "index.html");
  CHECK_THAT(html, Catch::Contains("graph.svg"));
  CHECK_THAT(html, Catch::Contains("graph.png"));
  CHECK_THAT(html, Catch::Contains("neuron.svg"));
  CHECK_THAT(html, Catch::Contains("layer1/kernel"));

  // Every parameter (w, b, 2 kernels, 2 biases) and every op is checked, and nothing fails.
  CHECK(count(run.out, "PASS") >= 6);
  CHECK(count(run.out, "FAIL") == 0);
  CHECK_THAT(run.out, Catch::Contains("layer1/kernel"));
  CHECK_THAT(run.out, Catch::Contains("dL/dz"));

  // Issue 8 item 21: small tensors show signed values in the diagrams (the text derives
  // dL/dy = -1.1974; the diagram used to say "1.2e0"), biases of [0.1, -0.1] are not "mean 0",
  // and hovering a node gives its exact numbers.
  const std::string neuron_dot = slurp(out / "neuron.dot");
  CHECK_THAT(neuron_dot, Catch::Contains("grad [-1.2]"));
  CHECK_THAT(neuron_dot, Catch::Contains("grad [-0.144; 0.288; -0.575]"));
  CHECK_THAT(dot, Catch::Contains("[1 x 4] [0.1, -0.1, 0.1, -0.1]"));
  CHECK_THAT(neuron_dot, Catch::Contains("dL/dx [-1.19"));
  // Issue 9: one page from the lesson runtime: summary.json of the common shape, inline SVG.
  CHECK_THAT(html, Catch::Contains("<svg style="));
  CHECK_THAT(slurp(out / "summary.json"), Catch::Contains("\"lesson\": \"01_computation_graph\""));
  CHECK_THAT(slurp(out / "summary.json"), Catch::Contains("\"verdict\": \"holds\""));
  fs::remove_all(out);
}

TEST_CASE("lesson01 rejects an unknown flag with the usage and exit code 2", "[lesson01]") {
  const Run run = run_lesson01("--bogus");
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.err, Catch::Contains("unknown flag --bogus"));
  CHECK_THAT(run.err, Catch::Contains("Usage: lesson01_computation_graph"));
  CHECK_THAT(run.err, Catch::Contains("--out DIR"));

  const Run bad_seed = run_lesson01("--seed=minus-one");
  CHECK(bad_seed.exit_code == 2);
  CHECK_THAT(bad_seed.err, Catch::Contains("--seed"));
}

TEST_CASE("lesson01 --help prints the usage and exits 0", "[lesson01]") {
  const Run run = run_lesson01("--help");
  CHECK(run.exit_code == 0);
  CHECK_THAT(run.out, Catch::Contains("--out DIR"));
  CHECK_THAT(run.out, Catch::Contains("--seed N"));
  CHECK_THAT(run.out, Catch::Contains("(default: out/lesson01_computation_graph)"));
}

TEST_CASE("lesson01 fails with exit code 1 naming an unwritable --out", "[lesson01]") {
  const Run run = run_lesson01("--out /proc/gradflow-test");
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.err, Catch::Contains("error:"));
  CHECK_THAT(run.err, Catch::Contains("/proc/gradflow-test"));
  CHECK_FALSE(fs::exists("/proc/gradflow-test"));
}
