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

// Runs a shell command line, capturing what it prints to stdout.
RunResult run_mnist_info_shell(const std::string& command) {
  RunResult result;
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[4096];
  while (const std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) result.output.append(buffer, n);
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

RunResult run_mnist_info(const std::string& args) {
  return run_mnist_info_shell(std::string("'") + MNIST_INFO_PATH + "' " + args + " 2>&1");
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

TEST_CASE("mnist_info takes the lessons' flags: --out DIR, --validation N, and refuses a missing or empty --data",
          "[mnist][mnist_info][robust]") {
  TempDir dir;
  // `--data --out x.png` must not take "--out" as the folder.
  auto run = run_mnist_info("--data --out '" + (dir / "x.png").string() + "'");
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.output, Contains("--data: missing value"));
  run = run_mnist_info("--data ''");
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.output, Contains("--data: an empty path is not allowed"));
  run = run_mnist_info("--validaton 5");
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.output, Contains("did you mean --validation?"));

  run = run_mnist_info("--data '" + kFixtureDir.string() + "' --out '" + (dir / "pictures").string() +
                       "' --validation 20 --per-class 3");
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  CHECK(row_numbers(run.output, "validation").front() == 20);
  const Bytes bytes = read_file(dir / "pictures" / "digits.png");
  CHECK(big_endian_at(bytes, 16) == 122);  // 4 cells of 30 pixels (label + 3 digits) + border
  run = run_mnist_info("--per-class 101");
  CHECK(run.exit_code == 2);
}

TEST_CASE("mnist_info names the file whose header asks for absurd sizes instead of running out of memory",
          "[mnist][mnist_info][robust]") {
  TempDir dir;
  // 0 images of 65535 x 16383: a valid header, but a grid of them would need about 118 GB.
  write_file(dir / "train-images-idx3-ubyte", idx_header(0x00000803, {0, 65535, 16383}));
  write_file(dir / "t10k-images-idx3-ubyte", idx_header(0x00000803, {0, 65535, 16383}));
  write_file(dir / "train-labels-idx1-ubyte", idx_header(0x00000801, {0}));
  write_file(dir / "t10k-labels-idx1-ubyte", idx_header(0x00000801, {0}));
  const auto run =
      run_mnist_info("--data '" + dir.path().string() + "' --validation 0 --out '" + (dir / "o").string() + "'");
  INFO(run.output);
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.output, Contains("train-images-idx3-ubyte") && Contains("65535 x 16383") && !Contains("bad_alloc"));
  CHECK_FALSE(std::filesystem::exists(dir / "o" / "digits.png"));
}

TEST_CASE("mnist_info replaces its PNG atomically: a full disk keeps the old picture and says why",
          "[mnist][mnist_info][robust]") {
  TempDir dir;
  const auto mnt = dir / "small";
  std::filesystem::create_directories(mnt);
  // In a private mount namespace: a 256 kB tmpfs holding a previous digits.png, then filled up.
  const std::string script =
      "mount -t tmpfs -o size=256k tmpfs '" + mnt.string() + "' || exit 77; printf 'old picture' > '" + mnt.string() +
      "/digits.png'; dd if=/dev/zero of='" + mnt.string() + "/fill' bs=4k 2>/dev/null; '" + MNIST_INFO_PATH +
      "' --data '" + kFixtureDir.string() + "' --validation 50 --out '" + mnt.string() +
      "' 2>&1; echo \"exit=\\$?\"; cat '" + mnt.string() + "/digits.png'; echo; ls -a '" + mnt.string() + "'";
  const auto run = run_mnist_info_shell("unshare -m sh -c \"" + script + "\"");
  if (run.output.find("exit=") == std::string::npos) {
    WARN("cannot mount a small tmpfs here (" << run.output << "); skipped");
    return;
  }
  INFO(run.output);
  CHECK_THAT(run.output, Contains("digits.png") && Contains("No space left on device") && Contains("exit=1"));
  CHECK_THAT(run.output, Contains("\nold picture\n"));  // the previous PNG is intact
  CHECK_THAT(run.output, !Contains(".tmp-"));           // and no temp file is left behind
}

TEST_CASE("mnist_info fails clearly when stdout is a full device", "[mnist][mnist_info][robust]") {
  TempDir dir;
  const auto run = run_mnist_info_shell("'" + std::string(MNIST_INFO_PATH) + "' --data '" + kFixtureDir.string() +
                                        "' --validation 50 --out '" + dir.path().string() + "' 2>&1 >/dev/full");
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.output, Contains("cannot write to standard output: No space left on device"));
}
