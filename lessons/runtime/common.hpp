#pragma once
// What every lesson program shares: the common flags (--out, --seed, --data, --quick, --help),
// where the MNIST files are by default, and a main() wrapper that turns exceptions into the
// exit codes the contract promises (2 for a bad command line, 1 for a run-time failure).

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string_view>
#include <vector>

#include "lessons/runtime/flags.hpp"
#include "support/memory.hpp"

namespace gradflow::lessons {

struct CommonOptions {
  std::filesystem::path out;   // where index.html, the diagrams and figures go
  std::uint64_t seed = 1;      // seeds the one explicit RNG of the lesson
  std::filesystem::path data;  // an IDX folder (lessons that read MNIST only)
  bool quick = false;          // a short run, for the smoke tests
  bool verbose = false;        // --verbose: a timestamp per phase on stderr (PhaseClock)
  bool no_png = false;         // --no-png: SVG only (the page shows SVGs; PNGs are copies to download)
};

// Declares --out (default out/<lesson_name>), --seed, --quick and, when `uses_data`, --data
// (default default_data_dir()). Defaults already set in `options` are kept.
void add_common_flags(Flags& flags, CommonOptions& options, std::string_view lesson_name, bool uses_data);

// `data/mnist` below the current directory if that folder exists, else the one in the source
// tree (the folder scripts/fetch-mnist.sh fills).
std::filesystem::path default_data_dir();

// Memory a dense network with these layer widths (input first, e.g. {784, 10, 10, 10}) needs
// to train on batches of `batch` with Adam: parameters, their gradients and Adam's two moments
// (4 floats per parameter), plus every layer's activations and gradients for the batch (4
// floats per unit per sample: pre-activation, activation and their gradients). A lower bound,
// for require_memory() before any training starts; saturates instead of overflowing.
std::uint64_t dense_training_bytes(const std::vector<std::uint64_t>& widths, std::uint64_t batch);

// Throws a clear error before allocating when a flag asks for more memory than the machine has:
//   require_memory(fmt::format("--hidden {} ({} layers, batch {})", ...), bytes * jobs,
//                  "lower --hidden or --jobs");
// -> "error: --hidden 100000 (...) needs 640 GB of memory, but this machine has 22 GB available; ..."
using support::require_memory;

// Runs `body(argc, argv)` and returns its exit code. Never lets an exception escape:
//   UsageError       -> "error: <message>" and the usage on stderr, exit code 2
//   std::exception   -> "error: <message>" on stderr, exit code 1
//   std::bad_alloc   -> "error: out of memory ..." (a size check missed it), exit code 1
// Standard output is flushed and checked at the end: `lesson > /dev/full` fails with
// "cannot write to standard output: No space left on device" and exit code 1. Ctrl-C and
// SIGTERM remove the unfinished output folder and exit 130 and 143.
//
//   int main(int argc, char** argv) { return gradflow::lessons::run_main(argc, argv, lesson); }
int run_main(int argc, char** argv, const std::function<int(int, char**)>& body);

}  // namespace gradflow::lessons
