// mnist_info: look at the data before training on it.
//
//   build/bin/mnist_info [--data DIR] [--out FILE] [--validation-size N] [--help]
//
// Prints how many images each split holds and how they spread over the ten classes (a
// classifier's accuracy only means something next to these: always answering "1" scores 11%),
// and draws the first ten training digits of every class into a PNG so you can see what the
// network will see. Works for MNIST and Fashion-MNIST alike (same file format, ten classes).
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "mnist/dataset.hpp"
#include "mnist/idx.hpp"
#include "mnist/tools/png.hpp"

#ifndef GRADFLOW_SOURCE_DIR
#define GRADFLOW_SOURCE_DIR "."
#endif

namespace {

namespace fs = std::filesystem;
using gradflow::mnist::DataSplit;
using gradflow::mnist::GrayImage;

constexpr int kExitUsage = 2;
constexpr int kExitFailure = 1;
constexpr std::size_t kClasses = 10;
constexpr std::size_t kSamplesPerClass = 10;

struct Options {
  fs::path data_dir;
  fs::path out_file = "out/mnist_info/digits.png";
  std::size_t validation_size = 5000;
};

void print_usage(std::FILE* to) {
  fmt::print(to,
             "usage: mnist_info [--data DIR] [--out FILE] [--validation-size N] [--help]\n"
             "Print the size and class histogram of each MNIST split and draw sample digits to a PNG.\n"
             "  --data DIR             folder with the four IDX files, plain or .gz\n"
             "                         (default: data/mnist, else {}/data/mnist)\n"
             "  --out FILE             PNG to write (default: out/mnist_info/digits.png)\n"
             "  --validation-size N    training images held out for validation (default: 5000)\n"
             "  --help                 show this text\n",
             GRADFLOW_SOURCE_DIR);
}

struct UsageError {
  std::string message;
};

// Accepts `--flag value` and `--flag=value`.
Options parse_args(int argc, char** argv, bool& help) {
  Options options;
  bool have_data = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    std::string_view value;
    bool inline_value = false;
    if (const auto eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      inline_value = true;
    }
    auto take_value = [&]() -> std::string_view {
      if (inline_value) return value;
      if (i + 1 >= argc) throw UsageError{fmt::format("{} needs a value", arg)};
      return argv[++i];
    };
    if (arg == "--help" || arg == "-h") {
      help = true;
    } else if (arg == "--data") {
      options.data_dir = take_value();
      have_data = true;
    } else if (arg == "--out") {
      options.out_file = take_value();
    } else if (arg == "--validation-size") {
      const std::string_view text = take_value();
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), options.validation_size);
      if (ec != std::errc{} || end != text.data() + text.size()) {
        throw UsageError{fmt::format("--validation-size needs a whole number, got '{}'", text)};
      }
    } else {
      throw UsageError{fmt::format("unknown argument '{}'", argv[i])};
    }
  }
  if (options.out_file.empty()) throw UsageError{"--out needs a file name"};
  if (!have_data) {
    // Run from the repo root, data/mnist is right here; run from elsewhere (build/, a test),
    // fall back to the source tree the program was built from.
    std::error_code ec;
    options.data_dir =
        fs::is_directory("data/mnist", ec) ? fs::path("data/mnist") : fs::path(GRADFLOW_SOURCE_DIR) / "data/mnist";
  }
  return options;
}

std::array<std::size_t, kClasses> histogram(const std::vector<std::uint8_t>& labels) {
  std::array<std::size_t, kClasses> counts{};
  for (const std::uint8_t label : labels) ++counts[label];
  return counts;
}

void print_row(std::string_view name, std::size_t count, const std::array<std::size_t, kClasses>& counts) {
  fmt::print("{:<20}{:>7}", name, count);
  for (const std::size_t c : counts) fmt::print("{:>7}", c);
  fmt::print("\n");
}

// 3 x 5 pixel digits for the row labels, one string of 15 '#'/'.' per digit, read row by row.
constexpr std::array<std::string_view, 10> kFont = {
    "###"
    "#.#"
    "#.#"
    "#.#"
    "###",
    ".#."
    "##."
    ".#."
    ".#."
    "###",
    "###"
    "..#"
    "###"
    "#.."
    "###",
    "###"
    "..#"
    "###"
    "..#"
    "###",
    "#.#"
    "#.#"
    "###"
    "..#"
    "..#",
    "###"
    "#.."
    "###"
    "..#"
    "###",
    "###"
    "#.."
    "###"
    "#.#"
    "###",
    "###"
    "..#"
    "..#"
    "..#"
    "..#",
    "###"
    "#.#"
    "###"
    "#.#"
    "###",
    "###"
    "#.#"
    "###"
    "..#"
    "###",
};

// One row per class: its label drawn large on the left, then its first ten images in file order.
// `splits` are visited in order, so passing {validation, train} walks the training file as stored.
GrayImage draw_digit_grid(const std::vector<const DataSplit*>& splits) {
  const auto rows = static_cast<std::size_t>(splits.front()->rows);
  const auto cols = static_cast<std::size_t>(splits.front()->cols);
  constexpr std::size_t kGap = 2;
  constexpr std::size_t kFontScale = 4;
  const std::size_t cell_w = std::max<std::size_t>(cols, 3 * kFontScale) + kGap;
  const std::size_t cell_h = std::max<std::size_t>(rows, 5 * kFontScale) + kGap;
  GrayImage grid(kGap + (1 + kSamplesPerClass) * cell_w, kGap + kClasses * cell_h, 96);

  for (std::size_t cls = 0; cls < kClasses; ++cls) {
    const std::size_t top = kGap + cls * cell_h;
    // The label, centred in the first cell (cells are at least as large as a glyph).
    const std::size_t lx = kGap + (cell_w - kGap - 3 * kFontScale) / 2;
    const std::size_t ly = top + (cell_h - kGap - 5 * kFontScale) / 2;
    for (std::size_t p = 0; p < 15; ++p) {
      if (kFont[cls][p] != '#') continue;
      for (std::size_t dy = 0; dy < kFontScale; ++dy)
        for (std::size_t dx = 0; dx < kFontScale; ++dx)
          grid.at(lx + (p % 3) * kFontScale + dx, ly + (p / 3) * kFontScale + dy) = 255;
    }
    std::size_t drawn = 0;
    for (const DataSplit* split : splits) {
      for (std::size_t i = 0; i < split->size() && drawn < kSamplesPerClass; ++i) {
        if (split->labels[i] != cls) continue;
        const std::size_t left = kGap + (1 + drawn) * cell_w;
        const float* image = split->images.data() + i * split->pixels_per_image();
        for (std::size_t y = 0; y < rows; ++y)
          for (std::size_t x = 0; x < cols; ++x)
            grid.at(left + x, top + y) = static_cast<std::uint8_t>(image[y * cols + x] * 255.0f + 0.5f);
        ++drawn;
      }
    }
  }
  return grid;
}

int run(const Options& options) {
  const auto data = gradflow::mnist::read_data_sets(options.data_dir, options.validation_size);

  fmt::print("data: {} ({} x {} pixel images, {} held out for validation)\n\n", options.data_dir.string(),
             data.train.rows, data.train.cols, options.validation_size);
  fmt::print("{:<20}{:>7}", "split", "count");
  for (std::size_t c = 0; c < kClasses; ++c) fmt::print("{:>7}", fmt::format("[{}]", c));
  fmt::print("\n");
  print_row("train", data.train.size(), histogram(data.train.labels));
  print_row("validation", data.validation.size(), histogram(data.validation.labels));
  // The whole training file is exactly validation + train: read_data_sets splits it, nothing more.
  auto whole = histogram(data.train.labels);
  const auto held_out = histogram(data.validation.labels);
  for (std::size_t c = 0; c < kClasses; ++c) whole[c] += held_out[c];
  print_row("train file (all)", data.train.size() + data.validation.size(), whole);
  print_row("test", data.test.size(), histogram(data.test.labels));

  const GrayImage grid = draw_digit_grid({&data.validation, &data.train});
  gradflow::mnist::write_png(options.out_file, grid);
  fmt::print("\ndigits: {} ({} x {} pixels; first {} training images of each class)\n", options.out_file.string(),
             grid.width, grid.height, kSamplesPerClass);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  bool help = false;
  try {
    options = parse_args(argc, argv, help);
  } catch (const UsageError& e) {
    fmt::print(stderr, "mnist_info: {}\n", e.message);
    print_usage(stderr);
    return kExitUsage;
  }
  if (help) {
    print_usage(stdout);
    return 0;
  }
  try {
    return run(options);
  } catch (const std::exception& e) {
    fmt::print(stderr, "mnist_info: error: {}\n", e.what());
    return kExitFailure;
  }
}
