// The C++ side of the TensorBoard writer: CRC-32C and its mask, record framing, TensorFlow's
// histogram buckets, the event file's name and first event, and its errors. The byte-level check
// against an independent reader is tests/tensorboard/test_event_files.py.
#include <fmt/format.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cfloat>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "tensorboard/event.pb.h"
#include "tensorboard/event_writer.hpp"
#include "tensorboard/histogram.hpp"
#include "tensorboard/record.hpp"

namespace fs = std::filesystem;
namespace tb = gradflow::tensorboard;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    static int counter = 0;
    path = fs::temp_directory_path() / fmt::format("gradflow-tb-test-{}-{}", ::getpid(), counter++);
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::uint64_t read_le(std::string_view bytes, std::size_t at, int n) {
  std::uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(bytes[at + static_cast<std::size_t>(i)]);
  return v;
}

// Splits a file into its records, checking both CRCs of each (a minimal reader for these tests).
std::vector<tb::proto::Event> read_events(const fs::path& file) {
  const std::string bytes = slurp(file);
  std::vector<tb::proto::Event> events;
  std::size_t at = 0;
  while (at < bytes.size()) {
    REQUIRE(at + 12 <= bytes.size());
    const std::uint64_t length = read_le(bytes, at, 8);
    REQUIRE(read_le(bytes, at + 8, 4) == tb::mask_crc(tb::crc32c(std::string_view(bytes).substr(at, 8))));
    REQUIRE(at + 12 + length + 4 <= bytes.size());
    const std::string_view data = std::string_view(bytes).substr(at + 12, length);
    REQUIRE(read_le(bytes, at + 12 + length, 4) == tb::mask_crc(tb::crc32c(data)));
    tb::proto::Event e;
    REQUIRE(e.ParseFromArray(data.data(), static_cast<int>(data.size())));
    events.push_back(e);
    at += 12 + length + 4;
  }
  return events;
}

}  // namespace

TEST_CASE("crc32c is the Castagnoli CRC and the mask is TensorFlow's", "[tensorboard]") {
  // The check value of CRC-32C (RFC 3720, and every CRC catalogue) and RFC 3720's 32 zero bytes.
  CHECK(tb::crc32c("123456789") == 0xE3069283u);
  CHECK(tb::crc32c(std::string(32, '\0')) == 0x8A9136AAu);
  CHECK(tb::crc32c("") == 0u);
  // mask(crc) = rotate right by 15, plus 0xa282ead8.
  CHECK(tb::mask_crc(0u) == 0xa282ead8u);
  CHECK(tb::mask_crc(0xE3069283u) == ((0xE3069283u >> 15 | 0xE3069283u << 17) + 0xa282ead8u));
  CHECK(tb::mask_crc(0x00008000u) == 0xa282ead9u);  // bit 15 rotates to bit 0
}

TEST_CASE("a record is length, its masked crc, the bytes, their masked crc", "[tensorboard]") {
  const std::string data = "hello, tensorboard";
  const std::string record = tb::frame_record(data);
  REQUIRE(record.size() == 8 + 4 + data.size() + 4);
  CHECK(read_le(record, 0, 8) == data.size());
  CHECK(record.substr(0, 8) == std::string("\x12\0\0\0\0\0\0\0", 8));  // little-endian 18
  CHECK(read_le(record, 8, 4) == tb::mask_crc(tb::crc32c(record.substr(0, 8))));
  CHECK(record.substr(12, data.size()) == data);
  CHECK(read_le(record, 12 + data.size(), 4) == tb::mask_crc(tb::crc32c(data)));
}

TEST_CASE("default bucket limits are TensorFlow's exponential ones", "[tensorboard]") {
  const auto& limits = tb::default_bucket_limits();
  // 774 positive limits from 1e-12 growing by 10% while below 1e20, plus DBL_MAX; mirrored; 0.
  REQUIRE(limits.size() == 1551);
  CHECK(limits.front() == -DBL_MAX);
  CHECK(limits.back() == DBL_MAX);
  CHECK(limits[775] == 0.0);
  CHECK(limits[776] == 1.0e-12);
  CHECK(limits[777] == 1.0e-12 * 1.1);
  CHECK(limits[774] == -1.0e-12);
  CHECK(limits[1549] < 1.0e20);
  CHECK(limits[1549] * 1.1 >= 1.0e20);
  for (std::size_t i = 1; i < limits.size(); ++i) REQUIRE(limits[i] > limits[i - 1]);
}

TEST_CASE("a histogram bucket counts the values from the previous limit up to its own, empty runs collapsed",
          "[tensorboard]") {
  const std::vector<float> values = {0.0f, 0.0f, 1.0f, -1.0f, 2.5f};
  const tb::Histogram h = tb::make_histogram(values);
  CHECK(h.min == -1.0);
  CHECK(h.max == 2.5);
  CHECK(h.num == 5.0);
  CHECK(h.sum == 2.5);
  CHECK(h.sum_squares == 1.0 + 1.0 + 6.25);
  REQUIRE(h.bucket.size() == h.bucket_limit.size());
  double total = 0;
  for (double c : h.bucket) total += c;
  CHECK(total == 5.0);
  // Zeros land in the bucket whose limit is 1e-12 (0 <= v < 1e-12).
  const auto& limits = tb::default_bucket_limits();
  bool found_zero_bucket = false;
  for (std::size_t i = 0; i < h.bucket.size(); ++i) {
    if (h.bucket_limit[i] == limits[776]) {
      CHECK(h.bucket[i] == 2.0);
      found_zero_bucket = true;
    }
    // Never two empty buckets in a row: a run of them is written as one.
    if (i > 0) CHECK_FALSE((h.bucket[i] == 0.0 && h.bucket[i - 1] == 0.0));
  }
  CHECK(found_zero_bucket);
  // Each non-empty bucket's count equals the number of values in [previous limit, limit).
  double previous = -std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < h.bucket.size(); ++i) {
    double expected = 0;
    for (float v : values)
      if (v >= previous && v < h.bucket_limit[i]) expected += 1;
    CHECK(h.bucket[i] == expected);
    previous = h.bucket_limit[i];
  }
}

TEST_CASE("an empty histogram is TensorFlow's: one empty bucket at DBL_MAX", "[tensorboard]") {
  const tb::Histogram h = tb::make_histogram({});
  CHECK(h.num == 0.0);
  CHECK(h.min == DBL_MAX);
  CHECK(h.max == -DBL_MAX);
  REQUIRE(h.bucket_limit.size() == 1);
  CHECK(h.bucket_limit[0] == DBL_MAX);
  CHECK(h.bucket[0] == 0.0);
}

TEST_CASE("the event file is named like TensorFlow's and starts with brain.Event:2", "[tensorboard]") {
  TempDir dir;
  const fs::path run = dir.path / "sigmoid" / "seed1";
  tb::EventWriter writer(run);  // creates the nested run folder
  const std::string name = writer.file().filename().string();
  CHECK(writer.file().parent_path() == run);
  REQUIRE(name.rfind("events.out.tfevents.", 0) == 0);
  char host[256] = {};
  ::gethostname(host, sizeof(host) - 1);
  CHECK(name.size() > std::string("events.out.tfevents.").size());
  CHECK(name.find(fmt::format(".{}", host)) != std::string::npos);
  const auto events = read_events(writer.file());
  REQUIRE(events.size() == 1);
  CHECK(events[0].file_version() == "brain.Event:2");
  CHECK(events[0].step() == 0);
  CHECK(events[0].wall_time() > 1.6e9);  // seconds since 1970, not milliseconds or zero
  CHECK(events[0].wall_time() < 1.0e10);
}

TEST_CASE("scalars and histograms are on disk as soon as they are written", "[tensorboard]") {
  TempDir dir;
  tb::EventWriter writer(dir.path);
  writer.scalar("loss", 0, 0.0f);  // a zero must still be written (simple_value is in a oneof)
  writer.scalar("layer3/kernel_grad_mean", 200, 1.5e-4f);
  const std::vector<float> grads = {-0.5f, 0.25f, 3.0e-7f};
  writer.histogram("layer3/kernel_grad", 200, grads);
  // No flush(), writer still open: a program killed here would leave exactly these records.
  const auto events = read_events(writer.file());
  REQUIRE(events.size() == 4);
  REQUIRE(events[1].summary().value_size() == 1);
  CHECK(events[1].summary().value(0).tag() == "loss");
  CHECK(events[1].summary().value(0).has_simple_value());
  CHECK(events[1].summary().value(0).simple_value() == 0.0f);
  CHECK(events[2].step() == 200);
  CHECK(events[2].summary().value(0).tag() == "layer3/kernel_grad_mean");
  CHECK(events[2].summary().value(0).simple_value() == 1.5e-4f);
  const auto& v = events[3].summary().value(0);
  CHECK(v.tag() == "layer3/kernel_grad");
  REQUIRE(v.has_histo());
  CHECK(v.histo().num() == 3.0);
  CHECK(v.histo().min() == -0.5);
  CHECK(v.histo().max() == 0.25);
  const tb::Histogram expected = tb::make_histogram(grads);
  CHECK(std::vector<double>(v.histo().bucket_limit().begin(), v.histo().bucket_limit().end()) == expected.bucket_limit);
  CHECK(std::vector<double>(v.histo().bucket().begin(), v.histo().bucket().end()) == expected.bucket);
  writer.flush();
}

TEST_CASE("a second writer in the same folder and second gets its own file, nothing is overwritten", "[tensorboard]") {
  TempDir dir;
  tb::EventWriter first(dir.path);
  first.scalar("loss", 1, 2.0f);
  const std::string before = slurp(first.file());
  tb::EventWriter second(dir.path);
  second.scalar("loss", 1, 3.0f);
  CHECK(second.file() != first.file());
  CHECK(slurp(first.file()) == before);
  CHECK(read_events(second.file()).size() == 2);
}

TEST_CASE("a non-finite histogram value or an empty tag is refused, naming it", "[tensorboard]") {
  TempDir dir;
  tb::EventWriter writer(dir.path);
  const std::vector<float> bad = {1.0f, std::numeric_limits<float>::quiet_NaN()};
  CHECK_THROWS_WITH(writer.histogram("layer1/kernel_grad", 400, bad),
                    Catch::Contains("layer1/kernel_grad") && Catch::Contains("step 400") && Catch::Contains("nan"));
  CHECK_THROWS_AS(writer.scalar("", 1, 1.0f), std::invalid_argument);
  CHECK(read_events(writer.file()).size() == 1);                      // nothing half-written
  writer.scalar("loss", 1, std::numeric_limits<float>::quiet_NaN());  // a NaN loss is data, kept
  const auto events = read_events(writer.file());
  REQUIRE(events.size() == 2);
  CHECK(std::isnan(events[1].summary().value(0).simple_value()));
}

TEST_CASE("a folder that cannot be created is a clear error naming it", "[tensorboard]") {
  TempDir dir;
  const fs::path blocker = dir.path / "not-a-folder";
  std::ofstream(blocker) << "a user's file";
  CHECK_THROWS_WITH(tb::EventWriter(blocker / "run"), Catch::Contains((blocker / "run").string()));
  CHECK_THROWS_WITH(tb::EventWriter(blocker), Catch::Contains(blocker.string()));
  CHECK(slurp(blocker) == "a user's file");  // never deleted or changed
  if (::geteuid() != 0) {                    // root may write anywhere, so this part only means something for a user
    fs::create_directories(dir.path / "locked");
    fs::permissions(dir.path / "locked", fs::perms::owner_read | fs::perms::owner_exec);
    CHECK_THROWS_WITH(tb::EventWriter(dir.path / "locked"), Catch::Contains("locked"));
    fs::permissions(dir.path / "locked", fs::perms::owner_all);
  }
}
