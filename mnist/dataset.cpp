#include "mnist/dataset.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <numeric>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>

#include "mnist/idx.hpp"

namespace gradflow::mnist {
namespace {

constexpr std::string_view kHowToGetData =
    "get MNIST with scripts/fetch-mnist.sh (it fills data/mnist), or pass --data DIR pointing at a folder with the "
    "four IDX files";

// Uniform integer in [0, bound) from 64 random bits, without modulo bias: draws below
// `threshold` would make the low residues slightly more likely, so they are redrawn.
std::uint64_t uniform_below(std::mt19937_64& rng, std::uint64_t bound) {
  const std::uint64_t threshold = (0 - bound) % bound;  // == 2^64 mod bound
  for (;;) {
    const std::uint64_t r = rng();
    if (r >= threshold) return r % bound;
  }
}

// Copy samples [first, last) of `from` into a fresh split.
DataSplit slice(const DataSplit& from, std::size_t first, std::size_t last) {
  DataSplit out;
  out.rows = from.rows;
  out.cols = from.cols;
  const std::size_t pixels = from.pixels_per_image();
  out.pixels.assign(from.pixels.begin() + static_cast<std::ptrdiff_t>(first * pixels),
                    from.pixels.begin() + static_cast<std::ptrdiff_t>(last * pixels));
  out.labels.assign(from.labels.begin() + static_cast<std::ptrdiff_t>(first),
                    from.labels.begin() + static_cast<std::ptrdiff_t>(last));
  return out;
}

// byte / 255. We divide (correctly rounded) rather than multiply by a rounded 1/255: the two
// differ by one unit in the last place for some bytes, and byte / 255 is the definition. The
// division is exact IEEE arithmetic, so the compiler vectorises the loop below without changing
// a single value.
inline float unit(std::uint8_t byte) { return static_cast<float>(byte) / 255.0F; }

}  // namespace

std::filesystem::path find_idx_file(const std::filesystem::path& dir, std::string_view name) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    const std::string why = describe_missing_path(dir);
    throw DataError(fmt::format("MNIST folder {} {}; {}", dir.string(),
                                why.empty()             ? std::string("is not a folder")
                                : why == "no such file" ? std::string("does not exist")
                                                        : why,
                                kHowToGetData));
  }
  const std::filesystem::path plain = dir / name;
  std::filesystem::path gz = plain;
  gz += ".gz";
  const std::string plain_problem = describe_missing_path(plain);
  if (plain_problem.empty()) return plain;
  const std::string gz_problem = describe_missing_path(gz);
  if (gz_problem.empty()) return gz;
  // A broken symbolic link is not a missing file: say what is wrong with it.
  if (plain_problem != "no such file") throw DataError(fmt::format("MNIST file {} {}", plain.string(), plain_problem));
  if (gz_problem != "no such file") throw DataError(fmt::format("MNIST file {} {}", gz.string(), gz_problem));
  throw DataError(
      fmt::format("MNIST file missing: neither {} nor {} exists; {}", plain.string(), gz.string(), kHowToGetData));
}

DataSplit read_split(const std::filesystem::path& images_file, const std::filesystem::path& labels_file) {
  IdxImages images = read_idx_images(images_file);
  std::vector<std::uint8_t> labels = read_idx_labels(labels_file);
  if (images.count != labels.size()) {
    throw IdxError(fmt::format("{}: holds {} images but its label file {} holds {} labels", images_file.string(),
                               images.count, labels_file.string(), labels.size()));
  }
  DataSplit split;
  split.rows = images.rows;
  split.cols = images.cols;
  split.labels = std::move(labels);
  split.pixels = std::move(images.pixels);  // kept as bytes: converted batch by batch
  return split;
}

float DataSplit::pixel_value(std::uint8_t byte) { return unit(byte); }

namespace {
// The conversion loop, compiled for three instruction sets; the loader picks the widest the CPU
// has (GCC's function multiversioning). The division is what costs here (a batch of 30 images
// is 23,520 of them, 5 us with 4-wide SSE, half that 8 or 16 wide), and IEEE division is
// correctly rounded at any vector width, so every variant gives exactly the same floats.
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
void convert_bytes(const std::uint8_t* in, float* to, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) to[i] = unit(in[i]);
}
}  // namespace

void to_unit_float(std::span<const std::uint8_t> bytes, std::span<float> out) {
  if (out.size() != bytes.size()) {
    throw std::invalid_argument(fmt::format("to_unit_float: {} bytes cannot fill {} floats", bytes.size(), out.size()));
  }
  convert_bytes(bytes.data(), out.data(), bytes.size());
}

void DataSplit::images_as_floats(std::size_t first, std::span<float> out) const {
  const std::size_t per = pixels_per_image();
  if (per == 0 || out.size() % per != 0) {
    throw std::invalid_argument(
        fmt::format("images_as_floats: {} values are not a whole number of {} x {} images", out.size(), rows, cols));
  }
  const std::size_t count = out.size() / per;
  if (first > size() || count > size() - first) {
    throw std::out_of_range(fmt::format("images_as_floats: images {} to {} asked for, but the split holds {}", first,
                                        first + count, size()));
  }
  to_unit_float(std::span<const std::uint8_t>(pixels).subspan(first * per, count * per), out);
}

std::vector<float> DataSplit::images_as_floats(std::size_t first, std::size_t count) const {
  if (first > size()) {
    throw std::out_of_range(fmt::format("images_as_floats: image {} asked for, but the split holds {}", first, size()));
  }
  count = std::min(count, size() - first);
  std::vector<float> out(count * pixels_per_image());
  images_as_floats(first, std::span<float>(out));
  return out;
}

void check_image_shape(const DataSplit& split, const std::filesystem::path& images_file,
                       const std::optional<ImageShape>& expected) {
  if (!expected || (split.rows == expected->rows && split.cols == expected->cols)) return;
  throw DataError(fmt::format("{}: images are {} x {} pixels ({} values each), but {} x {} ({} values) are expected{}",
                              images_file.string(), split.rows, split.cols, split.pixels_per_image(), expected->rows,
                              expected->cols, static_cast<std::size_t>(expected->rows) * expected->cols,
                              expected->why.empty() ? "" : fmt::format(" ({})", expected->why)));
}

DataSets read_data_sets(const std::filesystem::path& dir, std::size_t validation_size,
                        std::optional<ImageShape> expected) {
  // Look for all four files first, so a half-filled folder is reported before any slow reading.
  const auto train_images = find_idx_file(dir, kTrainImagesFile);
  const auto train_labels = find_idx_file(dir, kTrainLabelsFile);
  const auto test_images = find_idx_file(dir, kTestImagesFile);
  const auto test_labels = find_idx_file(dir, kTestLabelsFile);

  DataSplit full_train = read_split(train_images, train_labels);
  check_image_shape(full_train, train_images, expected);
  if (validation_size > full_train.size()) {
    throw DataError(fmt::format("validation size {} is larger than the training file {} ({} images)", validation_size,
                                train_images.string(), full_train.size()));
  }
  DataSets sets;
  sets.validation = slice(full_train, 0, validation_size);
  // The training split is the rest: shift it to the front in place rather than copying 43 MB.
  full_train.pixels.erase(
      full_train.pixels.begin(),
      full_train.pixels.begin() + static_cast<std::ptrdiff_t>(validation_size * full_train.pixels_per_image()));
  full_train.labels.erase(full_train.labels.begin(),
                          full_train.labels.begin() + static_cast<std::ptrdiff_t>(validation_size));
  sets.train = std::move(full_train);
  sets.test = read_split(test_images, test_labels);
  // Train and test images must have one size, whatever is expected: a model trained on one
  // cannot be evaluated on the other.
  check_image_shape(sets.test, test_images,
                    expected ? expected
                             : std::optional<ImageShape>(ImageShape{
                                   sets.train.rows, sets.train.cols,
                                   fmt::format("the size of the training images in {}", train_images.string())}));
  return sets;
}

BatchSampler::BatchSampler(const DataSplit& split, std::size_t batch_size, std::uint64_t seed)
    : split_(&split), batch_size_(batch_size), rng_(seed), order_(split.size()) {
  if (batch_size == 0) throw std::invalid_argument("BatchSampler: batch size must be at least 1");
  if (batch_size > split.size()) {
    throw std::invalid_argument(
        fmt::format("BatchSampler: batch size {} is larger than the split ({} samples)", batch_size, split.size()));
  }
  std::iota(order_.begin(), order_.end(), std::size_t{0});
  shuffle();
}

// Fisher-Yates: walk from the back, swapping each slot with a uniformly chosen slot at or before
// it. Every permutation comes out equally likely.
void BatchSampler::shuffle() {
  for (std::size_t i = order_.size(); i > 1; --i) {
    const auto j = static_cast<std::size_t>(uniform_below(rng_, i));
    std::swap(order_[i - 1], order_[j]);
  }
}

void BatchSampler::next_batch(std::vector<float>& images, std::vector<std::uint8_t>& labels) {
  images.resize(batch_size_ * split_->pixels_per_image());  // no allocation once the capacity is there
  labels.resize(batch_size_);
  next_batch(std::span<float>(images), std::span<std::uint8_t>(labels));
}

void BatchSampler::next_batch(std::span<float> images, std::span<std::uint8_t> labels) {
  const std::size_t pixels = split_->pixels_per_image();
  if (images.size() != batch_size_ * pixels || labels.size() != batch_size_) {
    throw std::invalid_argument(
        fmt::format("next_batch: a batch of {} needs room for {} pixel values and {} labels, got {} and {}",
                    batch_size_, batch_size_ * pixels, batch_size_, images.size(), labels.size()));
  }
  for (std::size_t b = 0; b < batch_size_; ++b) {
    if (position_ == order_.size()) {  // epoch finished: start the next one in a new order
      ++epoch_;
      position_ = 0;
      shuffle();
    }
    const std::size_t sample = order_[position_++];
    to_unit_float(std::span<const std::uint8_t>(split_->pixels).subspan(sample * pixels, pixels),
                  images.subspan(b * pixels, pixels));
    labels[b] = split_->labels[sample];
    // The same slot of the next batch: see prefetch_image.
    if (const std::size_t ahead = position_ - 1 + batch_size_; ahead < order_.size()) prefetch_image(order_[ahead]);
  }
}

// The gather above reads images from random places of a 43 MB array: each costs a TLB miss and a
// dozen cache misses from main memory, and the conversion waits for each in turn (without this,
// that waiting was about a fifth of a flagship training step). The next batch's samples are
// already known (the epoch's order is fixed), so while converting image b we ask for the bytes of
// image b of the next batch: they load while this batch trains, and the next gather finds them in
// cache. One image per converted image rather than all 30 at once, because a burst of 400
// prefetches overflows the core's queue of outstanding misses and most of them are dropped (a
// micro-benchmark of the gather: 11 us per batch of 30 without prefetching, 8 us with the burst,
// 5.4 us interleaved). Samples past the end of the epoch are not known yet (the next order is
// drawn when it starts) and are not prefetched. The hint asks for the outer caches (locality 2,
// prefetcht1), not the first-level one: the training step in between would evict them from
// that anyway (measured: 0.0338 -> 0.0330 ms per flagship step). Prefetching is only a hint:
// it changes no value.
void BatchSampler::prefetch_image(std::size_t sample) const {
  constexpr std::size_t kCacheLine = 64;
  const std::size_t pixels = split_->pixels_per_image();
  const std::uint8_t* image = split_->pixels.data() + sample * pixels;
  for (std::size_t offset = 0; offset < pixels; offset += kCacheLine) __builtin_prefetch(image + offset, 0, 2);
  __builtin_prefetch(image + pixels - 1, 0, 2);  // the last line, when the image does not start on a line
}

}  // namespace gradflow::mnist
