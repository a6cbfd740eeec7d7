// Runs build/bin/mnist_info on the fixture folder and checks what it prints and draws.
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <sstream>
#include <string>

#include "tests/mnist/test_support.hpp"

using namespace gradflow::mnist::testing;
using Catch::Matchers::Contains;

namespace {

struct RunResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

RunResult run_mnist_info(const std::string& args) {
  const std::string command = std::string("'") + MNIST_INFO_PATH + "' " + args + " 2>&1";
  RunResult result;
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[4096];
  while (const std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) result.output.append(buffer, n);
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// The whitespace-separated numbers after a row's name, e.g. "test  200  17 28 ...".
std::vector<long> row_numbers(const std::string& output, const std::string& row_name) {
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with(row_name + " ")) continue;
    std::istringstream fields(line.substr(row_name.size()));
    std::vector<long> numbers;
    for (long v; fields >> v;) numbers.push_back(v);
    return numbers;
  }
  return {};
}

std::uint32_t big_endian_at(const Bytes& b, std::size_t at) {
  return (std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) | (std::uint32_t{b[at + 2]} << 8) | b[at + 3];
}

}  // namespace

TEST_CASE("mnist_info prints each split's count and class histogram and writes a PNG", "[mnist][mnist_info]") {
  TempDir dir;
  const auto png = dir / "nested/folder/digits.png";  // folders are created as needed
  const auto run = run_mnist_info("--data '" + kFixtureDir.string() + "' --out '" + png.parent_path().string() +
                                  "' --validation 50");
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  CHECK(row_numbers(run.output, "train") == std::vector<long>{150, 17, 19, 16, 14, 17, 9, 14, 17, 11, 16});
  CHECK(row_numbers(run.output, "validation") == std::vector<long>{50, 4, 7, 4, 7, 4, 4, 5, 4, 4, 7});
  CHECK(row_numbers(run.output, "train file (all)") == std::vector<long>{200, 21, 26, 20, 21, 21, 13, 19, 21, 15, 23});
  CHECK(row_numbers(run.output, "test") == std::vector<long>{200, 17, 28, 16, 16, 28, 20, 20, 24, 10, 21});

  const Bytes bytes = read_file(png);
  REQUIRE(bytes.size() > 33);
  CHECK(Bytes(bytes.begin(), bytes.begin() + 8) == Bytes{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
  CHECK(std::string(bytes.begin() + 12, bytes.begin() + 16) == "IHDR");
  CHECK(big_endian_at(bytes, 16) == 332);  // 11 cells of 30 pixels (label + 10 digits) + border
  CHECK(big_endian_at(bytes, 20) == 302);  // 10 rows of 30 + border
  CHECK(std::string(bytes.end() - 8, bytes.end() - 4) == "IEND");
  CHECK(bytes.size() < 64 * 1024);
}

TEST_CASE("mnist_info --help prints usage and succeeds", "[mnist][mnist_info]") {
  const auto run = run_mnist_info("--help");
  CHECK(run.exit_code == 0);
  CHECK_THAT(run.output, Contains("Usage: mnist_info") && Contains("--data DIR") && Contains("--out DIR") &&
                            Contains("--validation N") && Contains("default: 5000"));
}

TEST_CASE("mnist_info rejects an unknown flag or a bad value with usage and exit code 2", "[mnist][mnist_info]") {
  auto run = run_mnist_info("--frobnicate");
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.output, Contains("unknown flag --frobnicate") && Contains("Usage:"));
  run = run_mnist_info("--data");
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.output, Contains("--data: missing value"));
  run = run_mnist_info("--validation lots");
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.output, Contains("--validation: 'lots' is not"));
}

TEST_CASE("mnist_info reports a missing folder or a bad file with exit code 1", "[mnist][mnist_info][bad]") {
  TempDir dir;
  auto run = run_mnist_info("--data '" + (dir / "missing").string() + "' --out '" + (dir / "d").string() + "'");
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.output, Contains((dir / "missing").string()) && Contains("scripts/fetch-mnist.sh"));

  for (const auto& entry : std::filesystem::directory_iterator(kFixtureDir)) {
    if (entry.path().filename().string().find("idx") != std::string::npos) {
      std::filesystem::copy_file(entry.path(), dir / entry.path().filename().string());
    }
  }
  Bytes labels = read_file(kFixtureDir / "t10k-labels-idx1-ubyte");
  labels[20] = 10;  // an 11th class
  write_file(dir / "t10k-labels-idx1-ubyte", labels);
  run = run_mnist_info("--data '" + dir.path().string() + "' --validation 50 --out '" + (dir / "d").string() + "'");
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.output, Contains("t10k-labels-idx1-ubyte: label 10 at index 12"));
}
