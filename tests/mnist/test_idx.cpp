// The IDX reader: real MNIST files parse to the right values; every kind of broken file is
// refused with an IdxError naming the file and the problem (and never a crash or huge allocation).
#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "mnist/idx.hpp"
#include "tests/mnist/test_support.hpp"

using namespace gradflow::mnist;
using namespace gradflow::mnist::testing;
using Catch::Matchers::Contains;

namespace {

// The message of the IdxError that `parse` throws; fails the test if it throws nothing.
template <class Parse>
std::string idx_error_of(Parse&& parse) {
  try {
    parse();
  } catch (const IdxError& e) {
    return e.what();
  }
  FAIL("expected an IdxError, but parsing succeeded");
  return {};
}

std::string image_error(const Bytes& bytes) {
  return idx_error_of([&] { parse_idx_images(bytes, "bad.idx"); });
}
std::string label_error(const Bytes& bytes) {
  return idx_error_of([&] { parse_idx_labels(bytes, "bad.idx"); });
}

}  // namespace

TEST_CASE("The MNIST fixture's test images parse with the right count, size and pixels", "[mnist][idx]") {
  const auto images = read_idx_images(kFixtureDir / "t10k-images-idx3-ubyte");
  CHECK(images.count == 200);
  CHECK(images.rows == 28);
  CHECK(images.cols == 28);
  REQUIRE(images.pixels.size() == 200u * 28 * 28);
  // The first test digit (a 7): known ink total, its brightest pixel, one pixel of its top bar.
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < 784; ++i) sum += images.pixels[i];
  CHECK(sum == 18454);
  CHECK(images.pixels[7 * 28 + 10] == 60);
}

TEST_CASE("The gzipped MNIST fixture decompresses to the known first training digit and labels", "[mnist][idx]") {
  const auto images = read_idx_images(kFixtureDir / "train-images-idx3-ubyte.gz");
  REQUIRE(images.count == 200);
  const std::vector<std::uint8_t> row5(images.pixels.begin() + 5 * 28, images.pixels.begin() + 6 * 28);
  const std::vector<std::uint8_t> expected{0,  0,  0,   0,   0,   0,  0,   0,   0,   0,   0, 0, 3, 18,
                                           18, 18, 126, 136, 175, 26, 166, 255, 247, 127, 0, 0, 0, 0};
  CHECK(row5 == expected);
  const auto labels = read_idx_labels(kFixtureDir / "train-labels-idx1-ubyte.gz");
  REQUIRE(labels.size() == 200);
  CHECK(std::vector<std::uint8_t>(labels.begin(), labels.begin() + 10) ==
        std::vector<std::uint8_t>{5, 0, 4, 1, 9, 2, 1, 3, 1, 4});
}

TEST_CASE("Plain and gzipped bytes give identical results, whatever the file is called", "[mnist][idx]") {
  const Bytes plain = image_file(4);
  const Bytes packed = gzip(plain);
  const auto a = parse_idx_images(plain, "x.gz");  // the name does not decide: the magic bytes do
  const auto b = parse_idx_images(packed, "x");
  CHECK(a.count == 4);
  CHECK(a.rows == 2);
  CHECK(a.cols == 3);
  CHECK(a.pixels == b.pixels);
  CHECK(parse_idx_labels(gzip(label_file({3, 1, 4})), "y") == std::vector<std::uint8_t>{3, 1, 4});

  TempDir dir;
  write_file(dir / "gzip-without-suffix", packed);
  CHECK(read_idx_images(dir / "gzip-without-suffix").pixels == a.pixels);
}

TEST_CASE("An image file holding zero images is valid and empty", "[mnist][idx]") {
  const auto images = parse_idx_images(image_file(0, 28, 28), "empty.idx");
  CHECK(images.count == 0);
  CHECK(images.pixels.empty());
}

TEST_CASE("A truncated header is refused", "[mnist][idx][bad]") {
  CHECK_THAT(image_error({}), Contains("bad.idx") && Contains("truncated header"));
  CHECK_THAT(image_error({0x00, 0x00, 0x08}), Contains("truncated header"));
  Bytes header = image_file(1);
  header.resize(10);
  CHECK_THAT(image_error(header), Contains("truncated header") && Contains("needs 16"));
  CHECK_THAT(image_error(gzip(header)), Contains("truncated header"));
}

TEST_CASE("A truncated payload is refused", "[mnist][idx][bad]") {
  Bytes file = image_file(2);
  file.pop_back();
  CHECK_THAT(image_error(file), Contains("truncated payload") && Contains("11 bytes follow"));
  Bytes labels = label_file({1, 2, 3});
  labels.pop_back();
  CHECK_THAT(label_error(labels), Contains("truncated payload"));
}

TEST_CASE("Trailing bytes after the payload are refused", "[mnist][idx][bad]") {
  Bytes file = image_file(2);
  file.push_back(0);
  file.push_back(0);
  CHECK_THAT(image_error(file), Contains("2 trailing bytes"));
}

TEST_CASE("A wrong magic number, element type or dimension count is refused", "[mnist][idx][bad]") {
  Bytes file = image_file(1);
  file[0] = 0x12;
  CHECK_THAT(image_error(file), Contains("not an IDX file") && Contains("0x00000803"));
  file = image_file(1);
  file[2] = 0x0d;  // IDX float
  CHECK_THAT(image_error(file), Contains("element type is 0x0d"));
  // A label file given where images are expected, and the other way round.
  CHECK_THAT(image_error(label_file({1, 2})), Contains("1 dimension(s)") && Contains("is this a label file?"));
  CHECK_THAT(label_error(image_file(1)), Contains("3 dimension(s)") && Contains("is this an image file?"));
  Bytes two_dims = idx_header(0x00000802, {1, 1});
  two_dims.push_back(0);
  CHECK_THAT(image_error(two_dims), Contains("2 dimension(s)"));
}

TEST_CASE("Implausible image sizes are refused", "[mnist][idx][bad]") {
  CHECK_THAT(image_error(idx_header(0x00000803, {0, 0, 28})), Contains("image size 0 x 28"));
  CHECK_THAT(image_error(idx_header(0x00000803, {1, 28, 100000})), Contains("not plausible"));
  // Found by the fuzzer: zero images of 65251 x 65251 pixels. The payload is empty, but a caller
  // computing rows * cols in int would overflow, so the image size is bounded on its own.
  CHECK_THAT(image_error(idx_header(0x00000803, {0, 65251, 65251})),
             Contains("image size 65251 x 65251 is larger than the 1073741824 byte limit"));
}

TEST_CASE("Lying huge dimensions are refused quickly, without a giant allocation", "[mnist][idx][bad]") {
  const auto start = std::chrono::steady_clock::now();
  // 4 billion 28 x 28 images: 3 TB claimed by a 16-byte file.
  CHECK_THAT(image_error(idx_header(0x00000803, {0xffffffff, 28, 28})),
             Contains("more than the 1073741824 byte limit"));
  // Near the largest claim the size limits allow, about 2^62 bytes (the product is computed
  // with an overflow check, so it can never wrap around to a small, harmless-looking number).
  CHECK_THAT(image_error(idx_header(0x00000803, {0xffffffff, 32768, 32768})), Contains("more than the"));
  // Under the limit (1,000,000 images, 784 MB) but the file is tiny: the claim is checked
  // against the real size before any memory is reserved.
  CHECK_THAT(image_error(idx_header(0x00000803, {1000000, 28, 28})), Contains("truncated payload"));
  CHECK_THAT(label_error(idx_header(0x00000801, {100000000})), Contains("truncated payload"));
  // The same lie inside a gzip file: a few dozen compressed bytes cannot hold 784 MB.
  CHECK_THAT(image_error(gzip(idx_header(0x00000803, {1000000, 28, 28}))), Contains("cannot decompress to that much"));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(elapsed < std::chrono::seconds(2));
}

TEST_CASE("A label above 9 is refused with its position", "[mnist][idx][bad]") {
  CHECK_THAT(label_error(label_file({1, 2, 12, 3})), Contains("label 12 at index 2") && Contains("0..9"));
  CHECK_THAT(label_error(gzip(label_file({255}))), Contains("label 255 at index 0"));
}

TEST_CASE("Corrupt or truncated gzip data is refused", "[mnist][idx][bad]") {
  const Bytes packed = gzip(image_file(20, 28, 28));
  Bytes corrupt = packed;
  for (std::size_t i = 12; i < 40; ++i) corrupt[i] ^= 0x5a;  // scramble the deflate stream
  CHECK_THAT(image_error(corrupt), Contains("bad.idx") && Contains("gzip"));

  Bytes crc_wrong = packed;
  crc_wrong[crc_wrong.size() - 6] ^= 0xff;  // inside the CRC-32 of the trailer
  CHECK_THAT(image_error(crc_wrong), Contains("corrupt gzip data") && Contains("incorrect data check"));

  Bytes cut = packed;
  cut.resize(cut.size() - 20);
  CHECK_THAT(image_error(cut), Contains("truncated gzip data"));

  // Just the gzip magic and nothing that follows it.
  CHECK_THAT(image_error(Bytes{0x1f, 0x8b}), Contains("gzip"));
}

TEST_CASE("Gzip data that decompresses to more or less than the header claims is refused", "[mnist][idx][bad]") {
  Bytes longer = image_file(3);
  longer.push_back(7);
  CHECK_THAT(image_error(gzip(longer)), Contains("decompresses to more than") && Contains("3 images of 2 x 3"));
  Bytes shorter = image_file(3);
  shorter.resize(shorter.size() - 5);
  CHECK_THAT(image_error(gzip(shorter)), Contains("truncated payload") && Contains("holds only 13 bytes"));
  Bytes two_streams = gzip(image_file(1));
  const Bytes second = gzip(image_file(1));
  two_streams.insert(two_streams.end(), second.begin(), second.end());
  // Two members are one gzip file (RFC 1952): here it holds two whole IDX files, one too many.
  CHECK_THAT(image_error(two_streams), Contains("decompresses to more than") && Contains("1 images of 2 x 3"));
}

TEST_CASE("A missing file or a folder in its place is refused with its path", "[mnist][idx][bad]") {
  TempDir dir;
  const auto missing = dir / "no-such-file";
  CHECK_THAT(idx_error_of([&] { read_idx_images(missing); }), Contains(missing.string()) && Contains("no such file"));
  CHECK_THAT(idx_error_of([&] { read_idx_labels(dir.path()); }), Contains("is a directory"));
}

TEST_CASE("Errors from files name the file", "[mnist][idx][bad]") {
  TempDir dir;
  Bytes file = image_file(2);
  file.resize(file.size() - 1);
  write_file(dir / "short-images", file);
  CHECK_THAT(idx_error_of([&] { read_idx_images(dir / "short-images"); }),
             Contains((dir / "short-images").string() + ": truncated payload"));
}
