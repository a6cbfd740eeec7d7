#pragma once
// MNIST as TensorFlow 1.x's `read_data_sets` served it, plus its `next_batch` mini-batches.
//
//   auto data = gradflow::mnist::read_data_sets("data/mnist");      // 55,000 / 5,000 / 10,000
//   gradflow::mnist::BatchSampler batches(data.train, 30, seed);
//   std::vector<float> x;  std::vector<std::uint8_t> y;
//   batches.next_batch(x, y);                       // x: 30 x 784 floats in [0, 1], y: 30 labels
//   float acc = gradflow::mnist::evaluate_split(classifier, data.test);   // chunk by chunk
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace gradflow::mnist {

// A missing folder or file, or a request the data cannot satisfy (e.g. a validation split larger
// than the training file). Malformed file contents raise IdxError instead (see idx.hpp).
class DataError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The four standard file names; each may also carry a `.gz` suffix on disk.
inline constexpr std::string_view kTrainImagesFile = "train-images-idx3-ubyte";
inline constexpr std::string_view kTrainLabelsFile = "train-labels-idx1-ubyte";
inline constexpr std::string_view kTestImagesFile = "t10k-images-idx3-ubyte";
inline constexpr std::string_view kTestLabelsFile = "t10k-labels-idx1-ubyte";

// N images and their labels. Pixels stay the file's bytes (0 = background, 255 = full ink), one
// image per row of rows * cols bytes, row-major: a quarter of the memory floats would take (the
// 55,000 training images are 43 MB, not 172 MB). The network sees byte / 255 in [0, 1], as
// TensorFlow served it; the sampler converts each batch as it gathers it, and
// images_as_floats() converts any range on demand (a chunk for evaluation, say).
struct DataSplit {
  std::vector<std::uint8_t> pixels;
  std::vector<std::uint8_t> labels;
  int rows = 28;
  int cols = 28;

  std::size_t size() const { return labels.size(); }
  std::size_t pixels_per_image() const { return static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols); }

  // The value a network sees for a byte: byte / 255, correctly rounded.
  static float pixel_value(std::uint8_t byte);
  // Images [first, first + out.size() / pixels_per_image()) as floats in [0, 1], written into
  // `out` (e.g. a graph's input tensor). Throws std::out_of_range when the range is not in the
  // split and std::invalid_argument when out.size() is not a whole number of images.
  void images_as_floats(std::size_t first, std::span<float> out) const;
  // The same into a new vector: `count` images from `first` (all of them by default). For code
  // that wants the floats of a few images; a whole split as floats costs four times its bytes.
  std::vector<float> images_as_floats(std::size_t first = 0, std::size_t count = SIZE_MAX) const;
};

// Converts bytes to byte / 255 (correctly rounded floats, what TensorFlow's read_data_sets
// gave); a vectorised loop, cheap enough to do for every batch.
void to_unit_float(std::span<const std::uint8_t> bytes, std::span<float> out);

// Accuracy of `model` on a whole split, converting it chunk by chunk straight into the model's
// input buffer, so no float copy of the split is ever made. 250 images a chunk: 0.8 MB of floats
// (a 1000-image buffer stayed allocated in every kept model: 3 MB each of lesson 05's peak). `model` is anything with
// `std::span<float> input_batch(int rows)` and `float evaluate(std::span<const float>,
// std::span<const std::uint8_t>, int chunk)`, such as nn::Classifier (mnist does not depend on nn).
template <class Model>
float evaluate_split(Model& model, const DataSplit& split, std::size_t chunk = 250) {
  if (split.size() == 0) return 0.0F;
  chunk = chunk == 0 ? 1 : chunk;
  double correct = 0;
  for (std::size_t first = 0; first < split.size(); first += chunk) {
    const std::size_t n = std::min(chunk, split.size() - first);
    const std::span<float> x = model.input_batch(static_cast<int>(n));
    split.images_as_floats(first, x);
    const auto labels = std::span<const std::uint8_t>(split.labels).subspan(first, n);
    correct += static_cast<double>(model.evaluate(x, labels, static_cast<int>(n))) * static_cast<double>(n);
  }
  return static_cast<float>(correct / static_cast<double>(split.size()));
}

struct DataSets {
  DataSplit train, validation, test;
};

// `dir/name` or, failing that, `dir/name.gz`. Throws DataError naming both paths and saying how
// to get the data when neither exists.
std::filesystem::path find_idx_file(const std::filesystem::path& dir, std::string_view name);

// Read one image file and its label file; their counts must agree.
DataSplit read_split(const std::filesystem::path& images_file, const std::filesystem::path& labels_file);

// The image size a consumer needs (a network's first layer takes rows * cols inputs), and why,
// for the message: {28, 28, "the network's input layer has 784 units"}.
struct ImageShape {
  int rows = 28;
  int cols = 28;
  std::string why;
};

// Like TensorFlow's read_data_sets: the FIRST `validation_size` training images become the
// validation split and the rest the training split; the test split is the t10k files.
// Shapes are checked as the files are read, before anything trains: test images must have the
// training images' size, and both must be `expected` when it is given. A mismatch throws
// DataError naming the file and both sizes.
DataSets read_data_sets(const std::filesystem::path& dir, std::size_t validation_size = 5000,
                        std::optional<ImageShape> expected = std::nullopt);

// Throws DataError naming `images_file` when `split`'s images are not `expected` (if given).
void check_image_shape(const DataSplit& split, const std::filesystem::path& images_file,
                       const std::optional<ImageShape>& expected);

// Endless mini-batches from a split, like TensorFlow's DataSet.next_batch: the order is shuffled
// before the first batch and reshuffled at the start of every epoch, so within an epoch each
// sample appears exactly once. A batch that crosses an epoch boundary takes the last samples of
// the old epoch and the first of the new one, so every batch is full.
//
// Deterministic for a seed on every platform: std::mt19937_64 is fully specified by the
// standard, but std::uniform_int_distribution and std::shuffle are not, so the shuffle is our own
// Fisher-Yates with an unbiased bounded draw.
//
// The split must outlive the sampler. next_batch() resizes its outputs; once they have the
// capacity for one batch it allocates nothing.
class BatchSampler {
 public:
  BatchSampler(const DataSplit& split, std::size_t batch_size, std::uint64_t seed);

  // Gathers batch_size random images, converting their bytes to floats in [0, 1] on the way.
  void next_batch(std::vector<float>& images, std::vector<std::uint8_t>& labels);
  // The same into caller-owned memory of exactly batch_size images and labels (a training
  // graph's input tensor, say), so the batch is gathered once and never copied again.
  void next_batch(std::span<float> images, std::span<std::uint8_t> labels);

  // Number of complete passes over the split so far (TensorFlow's epochs_completed).
  std::size_t epoch() const { return epoch_; }
  std::size_t batch_size() const { return batch_size_; }
  // The sample order of the current epoch (indices into the split); exposed for tests.
  const std::vector<std::size_t>& order() const { return order_; }

 private:
  void shuffle();
  // Starts loading a sample's image into the cache (see next_batch).
  void prefetch_image(std::size_t sample) const;

  const DataSplit* split_;
  std::size_t batch_size_;
  std::mt19937_64 rng_;
  std::vector<std::size_t> order_;
  std::size_t position_ = 0;  // next index into order_
  std::size_t epoch_ = 0;
};

}  // namespace gradflow::mnist
