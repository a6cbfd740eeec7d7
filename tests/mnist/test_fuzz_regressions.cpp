// Every input the fuzzer (mnist/fuzz/idx_fuzzer.cpp) ever found troublesome, plus its seeds, must
// parse cleanly or raise IdxError, as images and as labels: nothing else, and no sanitizer report
// in a GRADFLOW_SANITIZE build.
#include <catch2/catch.hpp>

#include "mnist/idx.hpp"
#include "tests/mnist/test_support.hpp"

using namespace gradflow::mnist;
using namespace gradflow::mnist::testing;

namespace {

void parses_or_raises_idx_error(const std::filesystem::path& file) {
  INFO(file.string());
  const Bytes bytes = read_file(file);
  try {
    const auto images = parse_idx_images(bytes, file.string());
    CHECK(images.pixels.size() == images.count * static_cast<std::size_t>(images.rows * images.cols));
  } catch (const IdxError&) {
    SUCCEED();
  }
  try {
    parse_idx_labels(bytes, file.string());
  } catch (const IdxError&) {
    SUCCEED();
  }
}

std::size_t check_folder(const std::filesystem::path& dir) {
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.path().extension() == ".md") continue;
    parses_or_raises_idx_error(entry.path());
    ++files;
  }
  return files;
}

}  // namespace

TEST_CASE("Inputs kept from fuzzing parse cleanly or raise IdxError", "[mnist][idx][fuzz]") {
  CHECK(check_folder(std::filesystem::path(GRADFLOW_SOURCE_DIR) / "tests/mnist/fuzz_regressions") > 0);
}

TEST_CASE("The fuzzer's seed files parse cleanly or raise IdxError", "[mnist][idx][fuzz]") {
  CHECK(check_folder(std::filesystem::path(GRADFLOW_SOURCE_DIR) / "mnist/fuzz/seeds") > 0);
}
