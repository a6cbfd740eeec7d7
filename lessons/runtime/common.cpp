#include "lessons/runtime/common.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <exception>
#include <string_view>
#include <system_error>

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
}

std::filesystem::path default_data_dir() {
  std::error_code ec;
  const std::filesystem::path local = std::filesystem::path("data") / "mnist";
  if (std::filesystem::is_directory(local, ec)) return local;
  return std::filesystem::path(GRADFLOW_SOURCE_DIR) / "data" / "mnist";
}

int run_main(int argc, char** argv, const std::function<int(int, char**)>& body) {
  // Whatever goes wrong, print it after what the lesson has printed so far, not before it.
  auto report = [](std::string_view message) noexcept {
    try {
      std::fflush(stdout);
      fmt::print(stderr, "error: {}\n", message);
    } catch (...) {  // stderr itself failed: nothing more we can say
    }
  };
  try {
    return body(argc, argv);
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
  } catch (const std::exception& e) {
    report(e.what());
    return 1;
  } catch (...) {
    report("an unknown exception was thrown");
    return 1;
  }
}

}  // namespace gradflow::lessons
