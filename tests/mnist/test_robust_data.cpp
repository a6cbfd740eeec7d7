// Bad data, bad links, bad sizes: each is named with its file and cause, before any training.
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <limits>
#include <string>

#include "mnist/dataset.hpp"
#include "mnist/idx.hpp"
#include "support/atomic_file.hpp"
#include "support/memory.hpp"
#include "tests/mnist/test_support.hpp"

using namespace gradflow::mnist;
using namespace gradflow::mnist::testing;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

// The four fixture files (some plain, some .gz), copied into `dir`.
void copy_fixture(const fs::path& dir) {
  for (const auto& entry : fs::directory_iterator(kFixtureDir)) {
    if (entry.path().filename().string().find("idx") != std::string::npos) {
      fs::copy_file(entry.path(), dir / entry.path().filename());
    }
  }
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  FAIL("no exception");
  return {};
}

}  // namespace

TEST_CASE("A gzip file of several members is read whole (RFC 1952)", "[mnist][idx][robust]") {
  const Bytes plain = read_file(kFixtureDir / "t10k-images-idx3-ubyte");
  // Split anywhere (here inside the header and inside the pixels): `cat a.gz b.gz` is valid gzip.
  for (const std::size_t cut : {std::size_t{7}, plain.size() / 2}) {
    const std::span<const unsigned char> all(plain);
    Bytes two = gzip(all.first(cut));
    const Bytes second = gzip(all.subspan(cut));
    two.insert(two.end(), second.begin(), second.end());
    const IdxImages a = parse_idx_images(plain, "plain");
    const IdxImages b = parse_idx_images(two, "two-members.gz");
    CHECK(b.count == a.count);
    CHECK(b.pixels == a.pixels);
  }
  // Three members, one of them empty, for the labels.
  const Bytes labels = read_file(kFixtureDir / "t10k-labels-idx1-ubyte");
  Bytes three = gzip(std::span<const unsigned char>(labels).first(5));
  const Bytes empty = gzip({});
  const Bytes rest = gzip(std::span<const unsigned char>(labels).subspan(5));
  three.insert(three.end(), empty.begin(), empty.end());
  three.insert(three.end(), rest.begin(), rest.end());
  CHECK(parse_idx_labels(three, "three.gz") == parse_idx_labels(labels, "plain"));
  // Still refused: bytes after the last member that are not another member.
  Bytes junk = gzip(labels);
  junk.push_back('x');
  junk.push_back('y');
  CHECK_THROWS_WITH(parse_idx_labels(junk, "junk.gz"), Contains("junk.gz") && Contains("trailing"));
}

TEST_CASE("A dangling or looping symbolic link is named as such, not as a missing file", "[mnist][dataset][robust]") {
  TempDir dir;
  copy_fixture(dir.path());
  fs::remove(dir / "t10k-images-idx3-ubyte");
  fs::create_symlink(dir / "gone", dir / "t10k-images-idx3-ubyte");
  std::string message = error_of([&] { read_data_sets(dir.path(), 50); });
  CHECK_THAT(message, Contains("t10k-images-idx3-ubyte") && Contains("dangling symbolic link") && Contains("gone"));
  CHECK_THAT(message, !Contains("neither"));

  fs::remove(dir / "t10k-images-idx3-ubyte");
  fs::create_symlink("loop", dir / "loop");
  fs::create_symlink("loop", dir / "t10k-images-idx3-ubyte");
  message = error_of([&] { read_data_sets(dir.path(), 50); });
  CHECK_THAT(message, Contains("t10k-images-idx3-ubyte") && Contains("loops"));
  CHECK_THAT(message, !Contains("neither"));

  // The data folder itself.
  fs::create_symlink(dir / "no-such-folder", dir / "data-link");
  message = error_of([&] { read_data_sets(dir / "data-link", 50); });
  CHECK_THAT(message, Contains("data-link") && Contains("dangling symbolic link"));
  // And the reader, given such a path directly.
  CHECK_THROWS_WITH(read_idx_images(dir / "t10k-images-idx3-ubyte"), Contains("loops"));
}

TEST_CASE("Images of the wrong size are refused when read, naming the file", "[mnist][dataset][robust]") {
  TempDir dir;
  copy_fixture(dir.path());
  // A test file of 14 x 14 images beside 28 x 28 training images.
  Bytes small = idx_header(0x00000803, {200, 14, 14});
  small.resize(small.size() + 200 * 14 * 14, 0);
  write_file(dir / "t10k-images-idx3-ubyte", small);
  std::string message = error_of([&] { read_data_sets(dir.path(), 50); });
  CHECK_THAT(message, Contains("t10k-images-idx3-ubyte") && Contains("14 x 14") && Contains("28 x 28"));

  // Both files 14 x 14: consistent, but not what a 784-input network takes.
  Bytes train = idx_header(0x00000803, {200, 14, 14});
  train.resize(train.size() + 200 * 14 * 14, 0);
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    if (entry.path().filename().string().starts_with("train-images")) fs::remove(entry.path());
  }
  write_file(dir / "train-images-idx3-ubyte", train);
  CHECK_NOTHROW(read_data_sets(dir.path(), 50));
  message = error_of([&] { read_data_sets(dir.path(), 50, ImageShape{28, 28, "the network has 784 inputs"}); });
  CHECK_THAT(message, Contains("train-images-idx3-ubyte") && Contains("14 x 14") && Contains("784 inputs"));
}

TEST_CASE("Sizes are checked against the memory there is, naming what asked", "[support][robust]") {
  using gradflow::support::require_memory;
  CHECK(gradflow::support::saturating_product({1u << 20, 1u << 20, 1u << 30}) ==
        std::numeric_limits<std::uint64_t>::max());
  CHECK_NOTHROW(require_memory("a small thing", 1024, ""));
  CHECK_THROWS_WITH(require_memory("--hidden 100000", std::uint64_t{1} << 62, "lower --hidden"),
                    Contains("--hidden 100000 needs") && Contains("available") && Contains("lower --hidden"));
}

TEST_CASE("Writes report the system's reason, e.g. No space left on device", "[support][robust]") {
  const int fd = ::open("/dev/full", O_WRONLY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  CHECK_THROWS_WITH(gradflow::support::write_all(fd, "hello", "/dev/full"),
                    Contains("'/dev/full'") && Contains("No space left on device"));
  ::close(fd);

  TempDir dir;
  gradflow::support::write_file_atomically(dir / "a.txt", std::string_view("one"));
  gradflow::support::write_file_atomically(dir / "a.txt", std::string_view("two"));
  CHECK(read_file(dir / "a.txt") == Bytes{'t', 'w', 'o'});
  int entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path())) ++entries;
  CHECK(entries == 1);  // no temp file left behind
  CHECK_THROWS_WITH(gradflow::support::write_file_atomically(dir / "no-such-folder" / "b.txt", std::string_view("x")),
                    Contains("no-such-folder/b.txt") && Contains("No such file or directory"));
}
