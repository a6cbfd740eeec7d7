#pragma once
// Runs a built lesson program the way a learner would (a shell command line) and captures what
// it printed, for the lessons' smoke tests.
#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

namespace gradflow::testing {

struct ProgramRun {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A fresh, empty folder for one test (named after `tag` and the process), removed at the end.
struct TempDir {
  std::filesystem::path path;
  explicit TempDir(std::string_view tag)
      : path(std::filesystem::temp_directory_path() / fmt::format("gradflow-test-{}-{}", tag, ::getpid())) {
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

// Runs build/bin/<program> with `args` (already shell-quoted where needed).
inline ProgramRun run_program(const std::string& program, const std::string& args) {
  namespace fs = std::filesystem;
  const fs::path path = fs::path(GRADFLOW_BINARY_DIR) / "bin" / program;
  REQUIRE(fs::exists(path));
  const fs::path capture = fs::temp_directory_path() / fmt::format("gradflow-test-{}-capture-{}", program, ::getpid());
  const std::string command =
      fmt::format("'{}' {} >'{}.out' 2>'{}.err'", path.string(), args, capture.string(), capture.string());
  const int status = std::system(command.c_str());
  ProgramRun run;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.out = slurp(capture.string() + ".out");
  run.err = slurp(capture.string() + ".err");
  fs::remove(capture.string() + ".out");
  fs::remove(capture.string() + ".err");
  return run;
}

}  // namespace gradflow::testing
