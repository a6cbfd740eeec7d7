// Lesson 04 --quick on the MNIST fixture (200 training, 200 test images): the summary's keys,
// the confusion matrix, the curves, scalars.csv and the figures, and its flag checking.
#include <fmt/format.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "program_runner.hpp"

namespace fs = std::filesystem;
using gradflow::testing::slurp;

namespace {
const fs::path kFixture = fs::path(GRADFLOW_SOURCE_DIR) / "tests" / "fixtures" / "mnist";
}

TEST_CASE("lesson04 --quick trains both models and writes curves, confusion matrix and figures", "[lesson04]") {
  const fs::path out = fs::temp_directory_path() / fmt::format("gradflow-test-lesson04-{}", ::getpid());
  fs::remove_all(out);
  const auto run = gradflow::testing::run_program(
      "lesson04_training", fmt::format("--quick --data '{}' --out '{}'", kFixture.string(), out.string()));
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  const auto summary = nlohmann::json::parse(slurp(out / "summary.json"));
  CHECK(summary["lesson"] == "04_training");
  for (const char* model : {"softmax_regression", "mlp"}) {
    const double acc = summary["test_accuracy"][model];
    CHECK(acc >= 0.0);
    CHECK(acc <= 1.0);
    const auto& curve = summary["loss"][model];
    CHECK(curve["step"].size() == 6);  // --quick: 60 steps logged every 10
    CHECK(curve["loss"].size() == curve["step"].size());
    CHECK(curve["val_acc"].size() == 4);  // steps 0, 20, 40, 60
  }
  // 10 x 10 counts over the 200 fixture test images; the diagonal is the mlp's test accuracy.
  const auto& confusion = summary["confusion"];
  REQUIRE(confusion.size() == 10);
  long total = 0, diagonal = 0;
  for (int r = 0; r < 10; ++r) {
    REQUIRE(confusion[r].size() == 10);
    for (int c = 0; c < 10; ++c) {
      total += confusion[r][c].get<long>();
      if (r == c) diagonal += confusion[r][c].get<long>();
    }
  }
  CHECK(total == 200);
  CHECK(static_cast<double>(diagonal) / 200.0 == Approx(summary["test_accuracy"]["mlp"].get<double>()));
  // Every claim says that --quick moved the run away from the claim's settings.
  REQUIRE(summary["claims"].size() == 3);
  for (const auto& c : summary["claims"]) {
    CHECK_THAT(c.dump(), Catch::Contains("--quick"));
  }
  // scalars.csv: the header and one row per logged value.
  std::istringstream csv(slurp(out / "scalars.csv"));
  std::string line;
  std::getline(csv, line);
  CHECK(line == "scenario,seed,step,tag,value");
  int rows = 0;
  while (std::getline(csv, line)) ++rows;
  CHECK(rows == 2 * (6 * 2 + 4 + 1));  // per model: loss and acc x6, val_acc x4, test_acc
  for (const char* f : {"training_curves.svg", "templates.png", "confusion.png", "misclassified.png"}) {
    CHECK(fs::file_size(out / f) > 1000);
  }
  fs::remove_all(out);
}

TEST_CASE("lesson04 refuses a bad optimizer (exit 2) and missing data (exit 1)", "[lesson04]") {
  const auto bad = gradflow::testing::run_program("lesson04_training", "--optimizer rmsprop --out /tmp/x-unused");
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("--optimizer"));
  const auto missing = gradflow::testing::run_program(
      "lesson04_training", fmt::format("--quick --data /nonexistent/mnist --out '{}'",
                                       (fs::temp_directory_path() / "gradflow-test-lesson04-missing").string()));
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.err, Catch::Contains("/nonexistent/mnist"));
}

// The event files of one TensorBoard run folder (DIR/<scenario>/seed<N>/).
static int event_files(const fs::path& run_dir) {
  int n = 0;
  if (!fs::is_directory(run_dir)) return 0;
  for (const auto& e : fs::directory_iterator(run_dir))
    n += e.path().filename().string().starts_with("events.out.tfevents.") && fs::file_size(e.path()) > 0;
  return n;
}

TEST_CASE("lesson04 --tensorboard writes one event file per model and seed and the page names the folder",
          "[lesson04]") {
  const gradflow::testing::TempDir tmp("lesson04-tensorboard");
  const fs::path out = tmp.path / "out", tb = tmp.path / "tb";
  const auto run = gradflow::testing::run_program(
      "lesson04_training",
      fmt::format("--quick --data '{}' --out '{}' --tensorboard '{}'", kFixture.string(), out.string(), tb.string()));
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(event_files(tb / "softmax_regression" / "seed1") == 1);
  CHECK(event_files(tb / "mlp" / "seed2") == 1);
  CHECK_THAT(slurp(out / "index.html"), Catch::Contains(tb.string()));
  // (tests/tensorboard/test_training_lessons_events.py checks every record against scalars.csv.)
}
