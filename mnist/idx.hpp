#pragma once
// IDX: the tiny binary format MNIST ships in (http://yann.lecun.com/exdb/mnist/).
//
//   bytes 0-1   zero
//   byte  2     element type; 0x08 = unsigned byte (the only type MNIST uses)
//   byte  3     number of dimensions d
//   then d big-endian 32-bit sizes, then the payload: the product of the sizes, in bytes,
//   row-major (the last dimension varies fastest).
//
// So an image file starts with the magic number 0x00000803 (bytes, 3 dims: count, rows, cols)
// and a label file with 0x00000801 (bytes, 1 dim: count). Files may also be gzip-compressed;
// we recognise gzip by its first two bytes (1f 8b), not by the file name, and accept files of
// several gzip members one after another, as RFC 1952 allows.
//
// Everything here treats the input as untrusted: a truncated, lying or corrupt file raises an
// IdxError naming the file and the problem. The header's claimed size is checked against the
// real input size *before* allocating, so a 20-byte file claiming 4 billion images costs nothing.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace gradflow::mnist {

// A malformed IDX file; the message starts with the file name.
class IdxError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The largest payload we agree to hold in memory. The real MNIST training images are 47 MB;
// the cap exists so that a lying header can never trigger a giant allocation.
inline constexpr std::size_t kMaxPayloadBytes = std::size_t{1} << 30;  // 1 GiB

// Images as stored: count * rows * cols bytes, 0 = background, 255 = full ink.
// The reader guarantees rows * cols <= kMaxPayloadBytes, so it fits in an int.
struct IdxImages {
  std::size_t count = 0;
  int rows = 0;
  int cols = 0;
  std::vector<std::uint8_t> pixels;
};

// Parse an image file (magic 0x00000803) or a label file (magic 0x00000801) held in memory,
// plain or gzip. `name` is only used in error messages (normally the file path).
// Labels must lie in 0..9, since every data set this module serves has ten classes.
IdxImages parse_idx_images(std::span<const unsigned char> bytes, std::string_view name);
std::vector<std::uint8_t> parse_idx_labels(std::span<const unsigned char> bytes, std::string_view name);

// Why `path` cannot be opened, or "" if it exists (following symbolic links): "no such file",
// "is a dangling symbolic link: its target 'x' does not exist", "is a symbolic link that loops
// ...". Used so that a broken link is not reported as a missing file.
std::string describe_missing_path(const std::filesystem::path& path);

// Read and parse a file (plain or gzip). Missing or unreadable files raise IdxError too.
IdxImages read_idx_images(const std::filesystem::path& file);
std::vector<std::uint8_t> read_idx_labels(const std::filesystem::path& file);

}  // namespace gradflow::mnist
