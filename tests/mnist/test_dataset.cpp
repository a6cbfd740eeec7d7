// read_data_sets (splits, scaling, errors) and BatchSampler (determinism, epochs, no allocation).
#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <numeric>
#include <set>

#include "mnist/dataset.hpp"
#include "mnist/idx.hpp"
#include "tests/mnist/test_support.hpp"

using namespace gradflow::mnist;
using namespace gradflow::mnist::testing;
using Catch::Matchers::Contains;

namespace {

std::array<std::size_t, 10> histogram(const std::vector<std::uint8_t>& labels) {
  std::array<std::size_t, 10> counts{};
  for (const auto label : labels) ++counts[label];
  return counts;
}

// A split of n one-pixel "images" whose pixel byte is the sample's own index, so every batch
// tells exactly which samples it holds (the sampler hands out index / 255).
DataSplit numbered_split(std::size_t n) {
  DataSplit split;
  split.rows = 1;
  split.cols = 1;
  for (std::size_t i = 0; i < n; ++i) {
    split.pixels.push_back(static_cast<std::uint8_t>(i));  // n <= 256 in these tests
    split.labels.push_back(static_cast<std::uint8_t>(i % 10));
  }
  return split;
}

std::vector<std::size_t> as_indices(const std::vector<float>& images) {
  std::vector<std::size_t> out;
  for (const float v : images) out.push_back(static_cast<std::size_t>(std::lround(v * 255.0f)));  // byte / 255
  return out;
}

// Copy the four fixture files into a temp folder, optionally leaving one out.
void copy_fixture(const TempDir& dir, std::string_view skip = {}) {
  for (const auto& entry : std::filesystem::directory_iterator(kFixtureDir)) {
    const auto name = entry.path().filename().string();
    if (name.find("idx") == std::string::npos || (!skip.empty() && name.starts_with(skip))) continue;
    std::filesystem::copy_file(entry.path(), dir / name);
  }
}

}  // namespace

TEST_CASE("read_data_sets holds out the first training images for validation, like TensorFlow", "[mnist][dataset]") {
  const DataSets data = read_data_sets(kFixtureDir, 50);
  CHECK(data.validation.size() == 50);
  CHECK(data.train.size() == 150);
  CHECK(data.test.size() == 200);
  CHECK(data.train.pixels.size() == 150u * 784);
  CHECK(data.train.rows == 28);
  CHECK(data.test.cols == 28);
  // Fixture histograms, computed from the real files when the fixture was cut.
  CHECK(histogram(data.validation.labels) == std::array<std::size_t, 10>{4, 7, 4, 7, 4, 4, 5, 4, 4, 7});
  CHECK(histogram(data.train.labels) == std::array<std::size_t, 10>{17, 19, 16, 14, 17, 9, 14, 17, 11, 16});
  CHECK(histogram(data.test.labels) == std::array<std::size_t, 10>{17, 28, 16, 16, 28, 20, 20, 24, 10, 21});
  // The first training digit (a 5) is the first validation image, not a training one.
  CHECK(data.validation.labels[0] == 5);
  CHECK(data.validation.labels[1] == 0);

  const auto all_train = read_data_sets(kFixtureDir, 0);
  CHECK(all_train.validation.size() == 0);
  CHECK(all_train.train.size() == 200);
  // train = the training file with the first 50 images removed.
  CHECK(std::equal(data.train.pixels.begin(), data.train.pixels.end(), all_train.train.pixels.begin() + 50 * 784));
}

TEST_CASE("Pixels are kept as the file's bytes and seen as byte / 255 in [0, 1]", "[mnist][dataset]") {
  const DataSets data = read_data_sets(kFixtureDir, 1);
  // Stored as bytes: the first training digit, exactly as the file holds it.
  const auto file = read_idx_images(kFixtureDir / "train-images-idx3-ubyte.gz");
  CHECK(std::equal(data.validation.pixels.begin(), data.validation.pixels.end(), file.pixels.begin()));
  const std::vector<float> first = data.validation.images_as_floats();  // the first training digit
  REQUIRE(first.size() == 784);
  CHECK(first[5 * 28 + 12] == 3.0f / 255.0f);
  CHECK(first[5 * 28 + 21] == 1.0f);
  CHECK(first[0] == 0.0f);
  double ink = 0;
  for (std::size_t i = 0; i < 784; ++i) ink += first[i];
  CHECK(ink == Approx(27525.0 / 255.0));
  for (const auto* split : {&data.train, &data.validation, &data.test}) {
    const auto all = split->images_as_floats();
    const auto [lo, hi] = std::minmax_element(all.begin(), all.end());
    CHECK(*lo >= 0.0f);
    CHECK(*hi <= 1.0f);
  }
  // Every byte converts to the correctly rounded quotient (not a multiplication by 1/255, which
  // is one unit in the last place off for some bytes).
  for (int b = 0; b < 256; ++b)
    CHECK(DataSplit::pixel_value(static_cast<std::uint8_t>(b)) == static_cast<float>(b) / 255.0f);
}

TEST_CASE("images_as_floats converts any range of images and refuses one outside the split", "[mnist][dataset]") {
  const DataSets data = read_data_sets(kFixtureDir, 0);
  const auto& test = data.test;
  std::vector<float> three(3 * 784);
  test.images_as_floats(10, std::span<float>(three));
  for (std::size_t i = 0; i < three.size(); ++i) REQUIRE(three[i] == test.pixels[10 * 784 + i] / 255.0f);
  CHECK(test.images_as_floats(10, 3) == three);
  CHECK(test.images_as_floats(199).size() == 784);  // the last image: count clipped to the split
  CHECK_THROWS_AS(test.images_as_floats(198, std::span<float>(three)), std::out_of_range);
  std::vector<float> ragged(783);
  CHECK_THROWS_AS(test.images_as_floats(0, std::span<float>(ragged)), std::invalid_argument);
}

// Counts the rows a model is asked to evaluate, and answers "all correct" when the first pixel
// of each row is what the split's bytes say it is.
struct FakeModel {
  std::vector<float> buffer;
  std::vector<std::size_t> chunks;
  const DataSplit* split = nullptr;
  std::size_t seen = 0;
  std::span<float> input_batch(int rows) {
    buffer.resize(static_cast<std::size_t>(rows) * 784);
    return buffer;
  }
  float evaluate(std::span<const float> x, std::span<const std::uint8_t> y, int chunk) {
    REQUIRE(x.data() == buffer.data());  // converted straight into the model's own buffer
    REQUIRE(static_cast<std::size_t>(chunk) == y.size());
    chunks.push_back(y.size());
    std::size_t correct = 0;
    for (std::size_t r = 0; r < y.size(); ++r) {
      const std::size_t i = seen + r;
      correct += x[r * 784 + 400] == split->pixels[i * 784 + 400] / 255.0f && y[r] == split->labels[i];
    }
    seen += y.size();
    return static_cast<float>(correct) / static_cast<float>(y.size());
  }
};

TEST_CASE("evaluate_split feeds a split chunk by chunk as floats into the model's buffer", "[mnist][dataset]") {
  const DataSets data = read_data_sets(kFixtureDir, 0);
  FakeModel model;
  model.split = &data.test;
  CHECK(evaluate_split(model, data.test, 64) == 1.0f);
  CHECK(model.chunks == std::vector<std::size_t>{64, 64, 64, 8});
  CHECK(model.buffer.size() <= 64u * 784);  // never the whole split at once
}

TEST_CASE("A validation split larger than the training file is refused", "[mnist][dataset][bad]") {
  CHECK_THROWS_AS(read_data_sets(kFixtureDir), DataError);  // the default 5,000 > 200
  CHECK_THROWS_WITH(read_data_sets(kFixtureDir, 201),
                    Contains("validation size 201") && Contains("train-images-idx3-ubyte") && Contains("200 images"));
}

TEST_CASE("A missing data folder is reported with its path and how to get the data", "[mnist][dataset][bad]") {
  TempDir dir;
  const auto missing = dir / "nowhere";
  CHECK_THROWS_AS(read_data_sets(missing), DataError);
  CHECK_THROWS_WITH(read_data_sets(missing), Contains(missing.string()) && Contains("scripts/fetch-mnist.sh"));
}

TEST_CASE("A missing file is reported with both names tried and how to get the data", "[mnist][dataset][bad]") {
  TempDir dir;
  copy_fixture(dir, "t10k-labels");
  CHECK_THROWS_WITH(read_data_sets(dir.path(), 10), Contains((dir / "t10k-labels-idx1-ubyte").string()) &&
                                                        Contains("t10k-labels-idx1-ubyte.gz") &&
                                                        Contains("scripts/fetch-mnist.sh"));
}

TEST_CASE("Image and label files with different counts are refused, naming both", "[mnist][dataset][bad]") {
  TempDir dir;
  copy_fixture(dir, "t10k-labels");
  Bytes labels = read_file(kFixtureDir / "t10k-labels-idx1-ubyte");
  labels[7] = 199;    // claim 199 labels ...
  labels.pop_back();  // ... and hold exactly that many
  write_file(dir / "t10k-labels-idx1-ubyte", labels);
  CHECK_THROWS_AS(read_data_sets(dir.path(), 10), IdxError);
  CHECK_THROWS_WITH(read_data_sets(dir.path(), 10),
                    Contains("holds 200 images") && Contains("199 labels") && Contains("t10k-labels-idx1-ubyte"));
}

TEST_CASE("A corrupt file inside the data folder is reported by its path", "[mnist][dataset][bad]") {
  TempDir dir;
  copy_fixture(dir, "train-images");
  Bytes packed = read_file(kFixtureDir / "train-images-idx3-ubyte.gz");
  packed.resize(packed.size() / 2);
  write_file(dir / "train-images-idx3-ubyte.gz", packed);
  CHECK_THROWS_WITH(read_data_sets(dir.path(), 10),
                    Contains((dir / "train-images-idx3-ubyte.gz").string()) && Contains("truncated gzip data"));
}

TEST_CASE("The sampler gives the same batches for the same seed and different ones for another", "[mnist][sampler]") {
  const DataSplit split = numbered_split(100);
  BatchSampler a(split, 7, 42), b(split, 7, 42), c(split, 7, 43);
  std::vector<float> xa, xb, xc;
  std::vector<std::uint8_t> ya, yb, yc;
  bool differs = false;
  for (int step = 0; step < 40; ++step) {
    a.next_batch(xa, ya);
    b.next_batch(xb, yb);
    c.next_batch(xc, yc);
    REQUIRE(xa == xb);
    REQUIRE(ya == yb);
    differs = differs || xa != xc;
  }
  CHECK(differs);
}

TEST_CASE("The sampler's shuffle is pinned, so results match across standard libraries", "[mnist][sampler]") {
  // Golden values: mt19937_64 is fully specified by the C++ standard and the Fisher-Yates and
  // bounded draw are ours, so this order must never change from one compiler to another.
  const DataSplit split = numbered_split(10);
  BatchSampler sampler(split, 10, 2024);
  std::vector<float> x;
  std::vector<std::uint8_t> y;
  sampler.next_batch(x, y);
  CHECK(as_indices(x) == std::vector<std::size_t>{1, 3, 6, 0, 2, 8, 7, 5, 9, 4});
  for (std::size_t i = 0; i < 10; ++i) CHECK(y[i] == static_cast<std::uint8_t>(as_indices(x)[i] % 10));
}

TEST_CASE("Each epoch shows every sample exactly once, reshuffled, even when batches straddle epochs",
          "[mnist][sampler]") {
  // 10 samples in batches of 3: batch 4 holds the last sample of epoch 0 and two of epoch 1.
  const DataSplit split = numbered_split(10);
  BatchSampler sampler(split, 3, 7);
  std::vector<float> x;
  std::vector<std::uint8_t> y;
  std::vector<std::size_t> stream;
  std::vector<std::size_t> epochs_after;
  for (int step = 0; step < 10; ++step) {  // 30 samples = exactly 3 epochs
    sampler.next_batch(x, y);
    REQUIRE(x.size() == 3);
    REQUIRE(y.size() == 3);
    const auto ids = as_indices(x);
    stream.insert(stream.end(), ids.begin(), ids.end());
    epochs_after.push_back(sampler.epoch());
  }
  std::vector<std::vector<std::size_t>> epochs;
  for (std::size_t e = 0; e < 3; ++e) {
    std::vector<std::size_t> epoch(stream.begin() + static_cast<std::ptrdiff_t>(10 * e),
                                   stream.begin() + static_cast<std::ptrdiff_t>(10 * (e + 1)));
    epochs.push_back(epoch);
    std::sort(epoch.begin(), epoch.end());
    std::vector<std::size_t> all(10);
    std::iota(all.begin(), all.end(), std::size_t{0});
    CHECK(epoch == all);
  }
  CHECK(epochs[0] != epochs[1]);  // reshuffled, not replayed
  CHECK(epochs[1] != epochs[2]);
  // epoch() counts completed passes: the 4th batch (index 3) is the first to start epoch 1.
  CHECK(epochs_after == std::vector<std::size_t>{0, 0, 0, 1, 1, 1, 2, 2, 2, 2});
}

TEST_CASE("The first epoch is already shuffled", "[mnist][sampler]") {
  const DataSplit split = numbered_split(50);
  BatchSampler sampler(split, 50, 1);
  std::vector<float> x;
  std::vector<std::uint8_t> y;
  sampler.next_batch(x, y);
  std::vector<std::size_t> identity(50);
  std::iota(identity.begin(), identity.end(), std::size_t{0});
  CHECK(as_indices(x) != identity);
}

TEST_CASE("next_batch copies whole images and allocates nothing once its outputs have capacity", "[mnist][sampler]") {
  const DataSets data = read_data_sets(kFixtureDir, 0);
  BatchSampler sampler(data.train, 30, 5);
  std::vector<float> x;
  std::vector<std::uint8_t> y;
  sampler.next_batch(x, y);
  REQUIRE(x.size() == 30u * 784);
  const float* x_data = x.data();
  const std::uint8_t* y_data = y.data();
  for (int step = 0; step < 100; ++step) {  // 15 epochs' worth of batch boundaries
    sampler.next_batch(x, y);
    REQUIRE(x.data() == x_data);
    REQUIRE(y.data() == y_data);
  }
  // Each batch row is a real image from the split with its own label.
  const auto& train = data.train;
  for (std::size_t b = 0; b < 30; ++b) {
    bool found = false;
    for (std::size_t i = 0; i < train.size() && !found; ++i) {
      found = train.labels[i] == y[b] &&
              std::equal(x.begin() + static_cast<std::ptrdiff_t>(b * 784),
                         x.begin() + static_cast<std::ptrdiff_t>((b + 1) * 784), train.images_as_floats(i, 1).begin());
    }
    CHECK(found);
  }
}

TEST_CASE("A batch size of zero or larger than the split is refused", "[mnist][sampler][bad]") {
  const DataSplit split = numbered_split(10);
  CHECK_THROWS_WITH(BatchSampler(split, 0, 1), Contains("batch size must be at least 1"));
  CHECK_THROWS_WITH(BatchSampler(split, 11, 1), Contains("batch size 11 is larger than the split (10 samples)"));
  CHECK_NOTHROW(BatchSampler(split, 10, 1));
}

TEST_CASE("next_batch into caller memory gives the same batches and checks the room it is given", "[mnist][sampler]") {
  const DataSplit split = numbered_split(50);
  BatchSampler by_vector(split, 8, 3), by_span(split, 8, 3);
  std::vector<float> xv, xs(8);
  std::vector<std::uint8_t> yv, ys(8);
  for (int step = 0; step < 20; ++step) {  // several epochs
    by_vector.next_batch(xv, yv);
    by_span.next_batch(std::span<float>(xs), std::span<std::uint8_t>(ys));
    REQUIRE(xv == xs);
    REQUIRE(yv == ys);
  }
  std::vector<float> too_small(7);
  CHECK_THROWS_WITH(by_span.next_batch(std::span<float>(too_small), std::span<std::uint8_t>(ys)),
                    Catch::Contains("needs room for 8 pixel values") && Catch::Contains("got 7"));
}
