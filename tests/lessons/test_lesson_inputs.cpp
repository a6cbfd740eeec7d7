// What a lesson does with inputs it cannot use: sizes beyond the machine and images of another
// shape are refused before any training, naming the flag or the file.
#include <fmt/format.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "tests/lessons/program_runner.hpp"

namespace fs = std::filesystem;
using gradflow::testing::run_program;

TEST_CASE("lesson05 --hidden 100000 names the flag and the memory it needs instead of std::bad_alloc",
          "[lesson05][robust]") {
  const fs::path out = fs::temp_directory_path() / fmt::format("gradflow-test-hidden-{}", ::getpid());
  const auto run = run_program("lesson05_vanishing_gradients",
                               fmt::format("--quick --hidden 100000 --data '{}/tests/fixtures/mnist' --out '{}'",
                                           GRADFLOW_SOURCE_DIR, out.string()));
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.err, Catch::Contains("--hidden 100000") && Catch::Contains("needs") && Catch::Contains("available") &&
                          !Catch::Contains("bad_alloc"));
  CHECK_FALSE(fs::exists(out));
}

TEST_CASE("lesson05 refuses images that are not 28 x 28 when it reads them, naming the file", "[lesson05][robust]") {
  const fs::path dir = fs::temp_directory_path() / fmt::format("gradflow-test-shape-{}", ::getpid());
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (const auto& entry : fs::directory_iterator(fs::path(GRADFLOW_SOURCE_DIR) / "tests/fixtures/mnist")) {
    if (entry.path().filename().string().find("idx") != std::string::npos) {
      fs::copy_file(entry.path(), dir / entry.path().filename());
    }
  }
  // Only the test file is wrong: 200 images of 14 x 14. Nothing may train first.
  std::ofstream test_images(dir / "t10k-images-idx3-ubyte", std::ios::binary | std::ios::trunc);
  const unsigned char header[] = {0, 0, 8, 3, 0, 0, 0, 200, 0, 0, 0, 14, 0, 0, 0, 14};
  test_images.write(reinterpret_cast<const char*>(header), sizeof header);
  test_images << std::string(200 * 14 * 14, '\0');
  test_images.close();
  const auto run = run_program("lesson05_vanishing_gradients",
                               fmt::format("--quick --data '{}' --out '{}'", dir.string(), (dir / "out").string()));
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.err,
             Catch::Contains("t10k-images-idx3-ubyte") && Catch::Contains("14 x 14") && Catch::Contains("28 x 28"));
  CHECK_THAT(run.out, !Catch::Contains("Scenario"));  // no run trained
  CHECK_FALSE(fs::exists(dir / "out"));
  fs::remove_all(dir);
}

TEST_CASE("lesson05 --alpha too small to represent is refused as underflowing, --sed suggests --seed",
          "[lesson05][flags][robust]") {
  for (const std::string value : {"1e-400"}) {
    const auto run = run_program("lesson05_vanishing_gradients", "--alpha " + value);
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.err, Catch::Contains("--alpha: '" + value + "' is too small") && !Catch::Contains("too large"));
  }
  const auto run = run_program("lesson05_vanishing_gradients", "--sed 3");
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.err, Catch::Contains("did you mean --seed?"));
  const auto help = run_program("lesson05_vanishing_gradients", "--help");
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.out, Catch::Contains("default: 0.2)") && !Catch::Contains("0.20000000298023224"));
}
