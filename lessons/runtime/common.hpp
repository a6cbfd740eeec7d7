#pragma once
// What every lesson program shares: the common flags (--out, --seed, --data, --quick, --help),
// where the MNIST files are by default, and a main() wrapper that turns exceptions into the
// exit codes the contract promises (2 for a bad command line, 1 for a run-time failure).

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string_view>

#include "lessons/runtime/flags.hpp"

namespace gradflow::lessons {

struct CommonOptions {
  std::filesystem::path out;   // where index.html, the diagrams and figures go
  std::uint64_t seed = 1;      // seeds the one explicit RNG of the lesson
  std::filesystem::path data;  // an IDX folder (lessons that read MNIST only)
  bool quick = false;          // a short run, for the smoke tests
};

// Declares --out (default out/<lesson_name>), --seed, --quick and, when `uses_data`, --data
// (default default_data_dir()). Defaults already set in `options` are kept.
void add_common_flags(Flags& flags, CommonOptions& options, std::string_view lesson_name, bool uses_data);

// `data/mnist` below the current directory if that folder exists, else the one in the source
// tree (the folder scripts/fetch-mnist.sh fills).
std::filesystem::path default_data_dir();

// Runs `body(argc, argv)` and returns its exit code. Never lets an exception escape:
//   UsageError       -> "error: <message>" and the usage on stderr, exit code 2
//   std::exception   -> "error: <message>" on stderr, exit code 1
//
//   int main(int argc, char** argv) { return gradflow::lessons::run_main(argc, argv, lesson); }
int run_main(int argc, char** argv, const std::function<int(int, char**)>& body);

}  // namespace gradflow::lessons
