#include "lessons/runtime/common.hpp"

#include <fmt/format.h>
#include <malloc.h>

#include <cstdio>
#include <exception>
#include <limits>
#include <new>
#include <string_view>
#include <system_error>

#include "support/interrupt.hpp"
#include "support/standard_output.hpp"

#ifndef GRADFLOW_SOURCE_DIR
#error "GRADFLOW_SOURCE_DIR must be defined by the build (see lessons/runtime/CMakeLists.txt)"
#endif

namespace gradflow::lessons {

void add_common_flags(Flags& flags, CommonOptions& options, std::string_view lesson_name, bool uses_data) {
  if (options.out.empty()) options.out = std::filesystem::path("out") / lesson_name;
  flags.add_path("out", &options.out,
                 "folder for index.html, the diagrams and figures; replaced as a whole when the run succeeds", "DIR");
  flags.add_uint64("seed", &options.seed, "seed of the random number generator; the same seed gives the same run");
  if (uses_data) {
    if (options.data.empty()) options.data = default_data_dir();
    flags.add_path("data", &options.data, "folder with the four MNIST IDX files (plain or .gz)", "DIR");
  }
  flags.add_bool("quick", &options.quick, "a short run, used by the smoke tests");
  flags.add_bool("verbose", &options.verbose, "print a timestamp per phase (data, training, each figure) on stderr");
  flags.add_bool("no-png", &options.no_png,
                 "write figures and diagrams as SVG only (the page shows the SVGs; the PNG copies take most of the "
                 "drawing time)");
}

std::filesystem::path default_data_dir() {
  std::error_code ec;
  const std::filesystem::path local = std::filesystem::path("data") / "mnist";
  if (std::filesystem::is_directory(local, ec)) return local;
  return std::filesystem::path(GRADFLOW_SOURCE_DIR) / "data" / "mnist";
}

std::uint64_t dense_training_bytes(const std::vector<std::uint64_t>& widths, std::uint64_t batch) {
  std::uint64_t parameters = 0, units = 0;
  const std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
  for (std::size_t i = 0; i < widths.size(); ++i) {
    if (i > 0) {
      const std::uint64_t layer = support::saturating_product({widths[i - 1] + 1, widths[i]});  // kernel + bias
      parameters = layer > max - parameters ? max : parameters + layer;
    }
    units = widths[i] > max - units ? max : units + widths[i];
  }
  const std::uint64_t a = support::saturating_product({parameters, 4, sizeof(float)});
  const std::uint64_t b = support::saturating_product({units, batch, 4, sizeof(float)});
  return a > max - b ? max : a + b;
}

int run_main(int argc, char** argv, const std::function<int(int, char**)>& body) {
  support::install_interrupt_handler();
  // Large blocks (a diagram's PNG surface is 20 MB, an evaluation chunk 3 MB) go straight to
  // mmap and back to the system when freed. glibc otherwise raises this threshold after the
  // first such free and serves the next ones from the heap, where they pile up: lesson 05's
  // peak RSS was 140 MiB with the default, 113 MiB with a fixed 1 MiB (docs/performance.md).
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
  // Whatever goes wrong, print it after what the lesson has printed so far, not before it.
  auto report = [](std::string_view message) noexcept {
    try {
      std::fflush(stdout);
      fmt::print(stderr, "error: {}\n", message);
    } catch (...) {  // stderr itself failed: nothing more we can say
    }
  };
  // A failed write to stdout surfaces as fmt's "cannot write to file"; name the stream instead.
  auto describe = [](const std::exception& e) -> std::string {
    const auto* system = dynamic_cast<const std::system_error*>(&e);
    if (system != nullptr && std::ferror(stdout) != 0) {
      return fmt::format("cannot write to standard output: {}", system->code().message());
    }
    return e.what();
  };
  try {
    const int code = body(argc, argv);
    support::flush_standard_output();
    return code;
  } catch (const UsageError& e) {
    report(e.what());
    try {
      if (e.usage().empty()) {
        fmt::print(stderr, "Run with --help to see the flags.\n");
      } else {
        fmt::print(stderr, "\n{}", e.usage());
      }
    } catch (...) {  // stderr itself failed: nothing more we can say
    }
    return 2;
  } catch (const std::bad_alloc&) {
    report(
        "out of memory: the run asked for more memory than this machine could give; use smaller sizes (fewer "
        "units, layers, seeds or parallel jobs)");
    return 1;
  } catch (const std::exception& e) {
    report(describe(e));
    return 1;
  } catch (...) {
    report("an unknown exception was thrown");
    return 1;
  }
}

}  // namespace gradflow::lessons
