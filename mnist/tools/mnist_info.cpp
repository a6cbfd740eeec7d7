// mnist_info: look at the data before training on it.
//
//   build/bin/mnist_info [--data DIR] [--out DIR] [--validation N] [--per-class N] [--help]
//
// Prints how many images each split holds and how they spread over the ten classes (a
// classifier's accuracy only means something next to these: always answering "1" scores 11%),
// and draws the first ten (--per-class) training digits of every class into DIR/digits.png so
// you can see what the network will see. Works for MNIST and Fashion-MNIST alike (same file format, ten classes).
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <new>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "mnist/dataset.hpp"
#include "mnist/idx.hpp"
#include "mnist/tools/png.hpp"
#include "support/flags.hpp"
#include "support/interrupt.hpp"
#include "support/standard_output.hpp"

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
// The digit grid is one row per class of `per_class` images; both the count and the image size
// are bounded so that a flag or a file claiming huge images cannot ask for gigabytes of PNG.
constexpr std::size_t kMaxPerClass = 100;
constexpr int kMaxGridImageSide = 256;

struct Options {
  fs::path data_dir;
  fs::path out_dir = "out/mnist_info";
  std::size_t validation = 5000;
  std::size_t per_class = 10;
};

// The same flag style as the lessons (support/flags.hpp): --name VALUE or --name=VALUE, unknown
// flags answered with the nearest one, every default shown by --help.
gradflow::support::Flags make_flags(Options& options) {
  gradflow::support::Flags flags(
      "mnist_info",
      "Prints the size and class histogram of each MNIST split (TensorFlow's read_data_sets split: the first "
      "--validation training images are held out) and draws sample digits of each class into DIR/digits.png.");
  flags.add_path("data", &options.data_dir, "folder with the four IDX files, plain or .gz", "DIR");
  flags.add_path("out", &options.out_dir, "folder for digits.png (created if needed; the PNG is replaced atomically)",
                 "DIR");
  flags.add_size("validation", &options.validation, "training images held out for validation (TensorFlow: 5000)", 0,
                 1'000'000'000);
  flags.add_size("per-class", &options.per_class, "sample digits drawn per class", 1, kMaxPerClass);
  return flags;
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
GrayImage draw_digit_grid(const std::vector<const DataSplit*>& splits, std::size_t per_class,
                          const fs::path& images_file) {
  if (splits.front()->rows > kMaxGridImageSide || splits.front()->cols > kMaxGridImageSide) {
    throw std::runtime_error(fmt::format(
        "{}: images of {} x {} pixels are too large to draw as a grid of digits (at "
        "most {} x {}); the counts above are complete",
        images_file.string(), splits.front()->rows, splits.front()->cols, kMaxGridImageSide, kMaxGridImageSide));
  }
  const auto rows = static_cast<std::size_t>(splits.front()->rows);
  const auto cols = static_cast<std::size_t>(splits.front()->cols);
  constexpr std::size_t kGap = 2;
  constexpr std::size_t kFontScale = 4;
  const std::size_t cell_w = std::max<std::size_t>(cols, 3 * kFontScale) + kGap;
  const std::size_t cell_h = std::max<std::size_t>(rows, 5 * kFontScale) + kGap;
  GrayImage grid(kGap + (1 + per_class) * cell_w, kGap + kClasses * cell_h, 96);

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
      for (std::size_t i = 0; i < split->size() && drawn < per_class; ++i) {
        if (split->labels[i] != cls) continue;
        const std::size_t left = kGap + (1 + drawn) * cell_w;
        const std::uint8_t* image = split->pixels.data() + i * split->pixels_per_image();
        for (std::size_t y = 0; y < rows; ++y)
          for (std::size_t x = 0; x < cols; ++x) grid.at(left + x, top + y) = image[y * cols + x];
        ++drawn;
      }
    }
  }
  return grid;
}

int run(const Options& options) {
  const auto data = gradflow::mnist::read_data_sets(options.data_dir, options.validation);

  fmt::print("data: {} ({} x {} pixel images, {} held out for validation)\n\n", options.data_dir.string(),
             data.train.rows, data.train.cols, options.validation);
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

  const fs::path train_images = gradflow::mnist::find_idx_file(options.data_dir, gradflow::mnist::kTrainImagesFile);
  const GrayImage grid = draw_digit_grid({&data.validation, &data.train}, options.per_class, train_images);
  const fs::path png = options.out_dir / "digits.png";
  gradflow::mnist::write_png(png, grid);
  fmt::print("\ndigits: {} ({} x {} pixels; first {} training images of each class)\n", png.string(), grid.width,
             grid.height, options.per_class);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  gradflow::support::install_interrupt_handler();  // Ctrl-C: a message, the temp PNG removed, exit 130
  Options options;
  // Run from the repo root, data/mnist is right here; run from elsewhere (build/, a test), fall
  // back to the source tree the program was built from.
  std::error_code ec;
  options.data_dir =
      fs::is_directory("data/mnist", ec) ? fs::path("data/mnist") : fs::path(GRADFLOW_SOURCE_DIR) / "data/mnist";
  try {
    gradflow::support::Flags flags = make_flags(options);
    if (!flags.parse(argc, argv)) {
      gradflow::support::flush_standard_output();
      return 0;
    }
  } catch (const gradflow::support::UsageError& e) {
    fmt::print(stderr, "mnist_info: error: {}\n\n{}", e.what(), e.usage());
    return kExitUsage;
  } catch (const std::exception& e) {
    fmt::print(stderr, "mnist_info: error: {}\n", e.what());
    return kExitFailure;
  }
  try {
    const int code = run(options);
    gradflow::support::flush_standard_output();
    return code;
  } catch (const std::bad_alloc&) {
    fmt::print(stderr, "mnist_info: error: out of memory reading {}\n", options.data_dir.string());
  } catch (const std::system_error& e) {
    // fmt reports a failed write to stdout as "cannot write to file"; name the stream.
    if (std::ferror(stdout) != 0) {
      fmt::print(stderr, "mnist_info: error: cannot write to standard output: {}\n", e.code().message());
    } else {
      fmt::print(stderr, "mnist_info: error: {}\n", e.what());
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "mnist_info: error: {}\n", e.what());
  }
  return kExitFailure;
}
