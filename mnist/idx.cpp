#include "mnist/idx.hpp"

#include <fmt/format.h>
#include <zlib.h>

#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <limits>
#include <string>
#include <system_error>

namespace gradflow::mnist {
namespace {

constexpr std::uint32_t kImagesMagic = 0x00000803;  // unsigned bytes, 3 dimensions
constexpr std::uint32_t kLabelsMagic = 0x00000801;  // unsigned bytes, 1 dimension
constexpr unsigned char kUnsignedByteType = 0x08;

// Deflate can shrink data by at most about 1032:1 (a run of identical bytes at maximum
// compression). So a gzip file of N bytes cannot hold much more than 1032 * N bytes, which lets
// us reject a lying header before decompressing anything. The slack covers the gzip framing.
constexpr std::uint64_t kMaxDeflateRatio = 1032;
constexpr std::uint64_t kGzipSlackBytes = 1024;

// A decompressed payload grows in steps of at least this much (and at most doubling), so memory
// use follows the bytes actually decompressed, never just the header's claim.
constexpr std::size_t kFirstChunkBytes = std::size_t{64} << 10;

// IDX images are small; the limit keeps rows and cols comfortably inside an int.
constexpr std::uint32_t kMaxImageSide = 65535;

enum class Kind { kImages, kLabels };

[[noreturn]] void fail(std::string_view name, std::string_view problem) {
  throw IdxError(fmt::format("{}: {}", name, problem));
}

std::uint32_t big_endian_u32(const unsigned char* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | std::uint32_t{p[3]};
}

bool is_gzip(std::span<const unsigned char> bytes) { return bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b; }

std::string_view kind_name(Kind kind) { return kind == Kind::kImages ? "an image file" : "a label file"; }
std::uint32_t expected_magic(Kind kind) { return kind == Kind::kImages ? kImagesMagic : kLabelsMagic; }
std::size_t expected_dims(Kind kind) { return kind == Kind::kImages ? 3 : 1; }
std::size_t header_bytes(Kind kind) { return 4 + 4 * expected_dims(kind); }

// The first four bytes say what the file holds. Each way they can be wrong gets its own message,
// because "wrong magic" alone does not tell a learner they passed the label file as images.
void check_magic(const unsigned char* magic, Kind kind, std::string_view name) {
  const std::uint32_t got = big_endian_u32(magic);
  if (magic[0] != 0 || magic[1] != 0) {
    fail(name, fmt::format("not an IDX file: magic number is 0x{:08x}, expected 0x{:08x} for {}", got,
                           expected_magic(kind), kind_name(kind)));
  }
  if (magic[2] != kUnsignedByteType) {
    fail(name, fmt::format("IDX element type is 0x{:02x}, but only unsigned bytes (0x08) are supported", magic[2]));
  }
  if (magic[3] != expected_dims(kind)) {
    fail(name, fmt::format("IDX file has {} dimension(s) (magic 0x{:08x}), but {} has {} (magic 0x{:08x}){}", magic[3],
                           got, kind_name(kind), expected_dims(kind), expected_magic(kind),
                           got == kImagesMagic   ? "; is this an image file?"
                           : got == kLabelsMagic ? "; is this a label file?"
                                                 : ""));
  }
}

// Multiply sizes without silently wrapping around: three 32-bit sizes can overflow 64 bits.
std::uint64_t checked_multiply(std::uint64_t a, std::uint64_t b, std::string_view name) {
  if (a != 0 && b > std::numeric_limits<std::uint64_t>::max() / a) {
    fail(name, "IDX dimensions overflow when multiplied together");
  }
  return a * b;
}

struct Header {
  std::array<std::uint32_t, 3> dims{};  // only the first expected_dims(kind) are used
  std::uint64_t payload_bytes = 0;
};

// `header` holds exactly header_bytes(kind) bytes whose magic has been checked.
Header decode_header(const unsigned char* header, Kind kind, std::string_view name) {
  Header h;
  std::uint64_t product = 1;
  for (std::size_t i = 0; i < expected_dims(kind); ++i) {
    h.dims[i] = big_endian_u32(header + 4 + 4 * i);
    product = checked_multiply(product, h.dims[i], name);
  }
  if (kind == Kind::kImages) {
    const std::uint32_t rows = h.dims[1], cols = h.dims[2];
    if (rows == 0 || cols == 0 || rows > kMaxImageSide || cols > kMaxImageSide) {
      fail(name,
           fmt::format("image size {} x {} is not plausible (each side must be 1..{})", rows, cols, kMaxImageSide));
    }
    // Checked even when the count is 0 (found by the fuzzer): callers compute rows * cols in int,
    // and a "0 images of 65251 x 65251" file would overflow it.
    if (std::uint64_t{rows} * cols > kMaxPayloadBytes) {
      fail(name,
           fmt::format("image size {} x {} is larger than the {} byte limit for data", rows, cols, kMaxPayloadBytes));
    }
  }
  if (product > kMaxPayloadBytes) {
    fail(name, fmt::format("header claims {} bytes of data, more than the {} byte limit", product, kMaxPayloadBytes));
  }
  h.payload_bytes = product;
  return h;
}

std::string describe_shape(const Header& h, Kind kind) {
  return kind == Kind::kImages ? fmt::format("{} images of {} x {}", h.dims[0], h.dims[1], h.dims[2])
                               : fmt::format("{} labels", h.dims[0]);
}

// Incremental gzip decompression over an in-memory buffer. read() hands out as many bytes as
// asked for, fewer only at the end of the stream, so the caller can decode the header first and
// then decide how much memory the payload deserves.
class GzipStream {
 public:
  GzipStream(std::span<const unsigned char> input, std::string_view name) : input_(input), name_(name) {
    // 16 + MAX_WBITS: expect a gzip wrapper (header, deflate data, CRC-32 and length trailer).
    if (inflateInit2(&zs_, 16 + MAX_WBITS) != Z_OK) fail(name_, "zlib could not start decompressing");
  }
  ~GzipStream() { inflateEnd(&zs_); }
  GzipStream(const GzipStream&) = delete;
  GzipStream& operator=(const GzipStream&) = delete;

  std::size_t read(unsigned char* out, std::size_t count) {
    std::size_t produced = 0;
    while (produced < count && !ended_) {
      if (zs_.avail_in == 0 && consumed_ < input_.size()) feed();
      const std::size_t want = std::min(count - produced, kSlice);
      zs_.next_out = out + produced;
      zs_.avail_out = static_cast<uInt>(want);
      const int rc = inflate(&zs_, Z_NO_FLUSH);
      produced += want - zs_.avail_out;
      if (rc == Z_STREAM_END) {
        // One member ends here; its CRC-32 and length have been verified by zlib. RFC 1952 lets a
        // gzip file hold several members one after another (`cat a.gz b.gz` is valid gzip, and
        // gunzip outputs both), so if another member's magic 1f 8b follows, go on with it.
        if (zs_.avail_in == 0 && consumed_ < input_.size()) feed();
        if (zs_.avail_in >= 2 && zs_.next_in[0] == 0x1f && zs_.next_in[1] == 0x8b) {
          if (inflateReset(&zs_) != Z_OK) fail(name_, "zlib could not start the next gzip member");
          continue;
        }
        ended_ = true;
      } else if (rc == Z_BUF_ERROR) {
        // No progress possible with output space available: the input has run out.
        fail(name_, "truncated gzip data: the compressed stream ends before its end marker");
      } else if (rc != Z_OK) {
        fail(name_, fmt::format("corrupt gzip data ({})", zs_.msg != nullptr ? zs_.msg : zError(rc)));
      }
    }
    return produced;
  }

  bool ended() const { return ended_; }
  std::size_t unread_input() const { return zs_.avail_in + (input_.size() - consumed_); }

 private:
  // zlib counts in 32-bit uInt, so large inputs are fed in slices.
  static constexpr std::size_t kSlice = std::size_t{1} << 30;
  void feed() {
    const std::size_t slice = std::min(input_.size() - consumed_, kSlice);
    zs_.next_in = const_cast<Bytef*>(input_.data() + consumed_);  // zlib never writes through it
    zs_.avail_in = static_cast<uInt>(slice);
    consumed_ += slice;
  }

  std::span<const unsigned char> input_;
  std::string_view name_;
  z_stream zs_{};
  std::size_t consumed_ = 0;
  bool ended_ = false;
};

// Checks a plain (not gzip) IDX file of `file_size` bytes from its first bytes `head` (at least
// the header, or the whole file if it is shorter) and returns the header's size in bytes.
std::size_t check_plain(std::span<const unsigned char> head, std::uint64_t file_size, Kind kind, std::string_view name,
                        Header& header) {
  if (file_size < 4) {
    fail(name, fmt::format("truncated header: file has {} bytes, but an IDX file starts with a 4-byte magic number",
                           file_size));
  }
  check_magic(head.data(), kind, name);
  const std::size_t hbytes = header_bytes(kind);
  if (file_size < hbytes) {
    fail(name, fmt::format("truncated header: file has {} bytes, but the header of {} needs {}", file_size,
                           kind_name(kind), hbytes));
  }
  header = decode_header(head.data(), kind, name);
  // Compare the claim with what is really there before touching any memory.
  const std::uint64_t actual = file_size - hbytes;
  if (actual < header.payload_bytes) {
    fail(name, fmt::format("truncated payload: header promises {} ({} bytes) but only {} bytes follow",
                           describe_shape(header, kind), header.payload_bytes, actual));
  }
  if (actual > header.payload_bytes) {
    fail(name, fmt::format("{} trailing bytes after the {} the header describes", actual - header.payload_bytes,
                           describe_shape(header, kind)));
  }
  return hbytes;
}

std::vector<std::uint8_t> parse_plain(std::span<const unsigned char> bytes, Kind kind, std::string_view name,
                                      Header& header) {
  const auto payload = bytes.subspan(check_plain(bytes, bytes.size(), kind, name, header));
  return {payload.begin(), payload.end()};
}

std::vector<std::uint8_t> parse_gzip(std::span<const unsigned char> bytes, Kind kind, std::string_view name,
                                     Header& header) {
  GzipStream gz(bytes, name);
  std::array<unsigned char, 16> head{};
  const std::size_t hbytes = header_bytes(kind);
  std::size_t got = gz.read(head.data(), 4);
  if (got < 4) {
    fail(name,
         fmt::format("truncated header: gzip data decompresses to {} bytes, too short for an IDX magic number", got));
  }
  check_magic(head.data(), kind, name);
  got += gz.read(head.data() + 4, hbytes - 4);
  if (got < hbytes) {
    fail(name, fmt::format("truncated header: gzip data decompresses to {} bytes, but the header of {} needs {}", got,
                           kind_name(kind), hbytes));
  }
  header = decode_header(head.data(), kind, name);

  const std::uint64_t ceiling = static_cast<std::uint64_t>(bytes.size()) * kMaxDeflateRatio + kGzipSlackBytes;
  if (header.payload_bytes + hbytes > ceiling) {
    fail(name, fmt::format("header promises {} ({} bytes), but {} bytes of gzip cannot decompress to that much: the "
                           "file is truncated or its header is wrong",
                           describe_shape(header, kind), header.payload_bytes, bytes.size()));
  }

  // Grow the buffer as data arrives (doubling), so a header that lies costs at most twice what the
  // file really decompresses to. reserve() before resize() keeps the capacity exactly as asked.
  const auto claimed = static_cast<std::size_t>(header.payload_bytes);
  std::vector<std::uint8_t> payload;
  std::size_t filled = 0;
  while (filled < claimed) {
    const std::size_t target = std::min(claimed, std::max(kFirstChunkBytes, 2 * payload.size()));
    payload.reserve(target);
    payload.resize(target);
    const std::size_t n = gz.read(payload.data() + filled, target - filled);
    filled += n;
    if (filled < target) {
      fail(name, fmt::format("truncated payload: header promises {} ({} bytes) but the gzip data holds only {} bytes "
                             "after the header",
                             describe_shape(header, kind), header.payload_bytes, filled));
    }
  }
  unsigned char extra = 0;
  if (gz.read(&extra, 1) != 0) {
    fail(name, fmt::format("gzip data decompresses to more than the {} the header describes (trailing bytes)",
                           describe_shape(header, kind)));
  }
  if (gz.unread_input() != 0) {
    fail(name, fmt::format("{} bytes of trailing data after the end of the gzip stream", gz.unread_input()));
  }
  return payload;
}

std::vector<std::uint8_t> parse(std::span<const unsigned char> bytes, Kind kind, std::string_view name,
                                Header& header) {
  return is_gzip(bytes) ? parse_gzip(bytes, kind, name, header) : parse_plain(bytes, kind, name, header);
}

// Asks Linux to back a large buffer with 2 MiB pages (transparent huge pages) where it can. The
// training images (43 MB) are read at random, 30 images a step: with 4 KiB pages nearly every
// image costs a TLB miss, with 2 MiB pages the whole array needs about 22 TLB entries. Only a
// hint, given before the buffer is first touched (its pages are allocated then); it changes no
// byte, and where it is not supported or refused nothing happens.
void advise_huge_pages(void* data, std::size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr std::size_t kHugePage = std::size_t{2} << 20;
  if (bytes < 2 * kHugePage) return;
  const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  const auto begin = (reinterpret_cast<std::uintptr_t>(data) + page - 1) / page * page;
  const auto end = (reinterpret_cast<std::uintptr_t>(data) + bytes) / page * page;
  if (end > begin) (void)madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#else
  (void)data;
  (void)bytes;
#endif
}

// Reads and parses an IDX file. A plain file is read in two calls, its header and then its
// payload straight into the vector the caller keeps (no second copy of 47 MB of pixels, no
// shifting them down over the header); a gzip file is read whole and inflated.
std::vector<std::uint8_t> read_and_parse(const std::filesystem::path& file, Kind kind, std::string_view name,
                                         Header& header) {
  const std::string missing = describe_missing_path(file);
  if (!missing.empty()) fail(name, missing);
  std::error_code ec;
  const auto status = std::filesystem::status(file, ec);
  if (std::filesystem::is_directory(status)) fail(name, "is a directory, not an IDX file");
  const std::uintmax_t size = std::filesystem::file_size(file, ec);
  if (ec) fail(name, fmt::format("cannot read its size ({})", ec.message()));
  if (size > kMaxPayloadBytes + 64) {
    fail(name, fmt::format("file is {} bytes, larger than the {} byte limit", size, kMaxPayloadBytes));
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) fail(name, fmt::format("cannot open ({})", std::strerror(errno)));
  auto read_into = [&](unsigned char* to, std::size_t count) {
    in.read(reinterpret_cast<char*>(to), static_cast<std::streamsize>(count));
    if (static_cast<std::size_t>(in.gcount()) != count) fail(name, "read error: the file shrank while being read");
  };
  std::vector<unsigned char> head(std::min<std::size_t>(static_cast<std::size_t>(size), header_bytes(kind)));
  read_into(head.data(), head.size());
  if (is_gzip(head)) {
    std::vector<unsigned char> bytes(static_cast<std::size_t>(size));
    std::copy(head.begin(), head.end(), bytes.begin());
    read_into(bytes.data() + head.size(), bytes.size() - head.size());
    return parse_gzip(bytes, kind, name, header);
  }
  check_plain(head, size, kind, name, header);
  std::vector<std::uint8_t> payload;
  payload.reserve(static_cast<std::size_t>(header.payload_bytes));
  advise_huge_pages(payload.data(), payload.capacity());  // before the first touch: see there
  payload.resize(static_cast<std::size_t>(header.payload_bytes));
  read_into(payload.data(), payload.size());
  return payload;
}

IdxImages images_from(std::vector<std::uint8_t> pixels, const Header& header) {
  IdxImages images;
  images.pixels = std::move(pixels);
  images.count = header.dims[0];
  images.rows = static_cast<int>(header.dims[1]);
  images.cols = static_cast<int>(header.dims[2]);
  return images;
}

std::vector<std::uint8_t> checked_labels(std::vector<std::uint8_t> labels, std::string_view name) {
  const auto bad = std::find_if(labels.begin(), labels.end(), [](std::uint8_t label) { return label > 9; });
  if (bad != labels.end()) {
    fail(name, fmt::format("label {} at index {} is out of range (labels are 0..9)", *bad, bad - labels.begin()));
  }
  return labels;
}

}  // namespace

std::string describe_missing_path(const std::filesystem::path& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status link = fs::symlink_status(path, ec);
  if (!fs::exists(link)) return ec && ec != std::errc::no_such_file_or_directory ? ec.message() : "no such file";
  if (!fs::is_symlink(link)) return {};
  (void)fs::status(path, ec);
  if (!ec) return {};
  std::error_code read_ec;
  const fs::path target = fs::read_symlink(path, read_ec);
  if (ec == std::errc::too_many_symbolic_link_levels) {
    return fmt::format("is a symbolic link that loops (to '{}'; too many levels of symbolic links)", target.string());
  }
  if (ec == std::errc::no_such_file_or_directory) {
    return fmt::format("is a dangling symbolic link: its target '{}' does not exist", target.string());
  }
  return fmt::format("is a symbolic link to '{}' that cannot be followed: {}", target.string(), ec.message());
}

IdxImages parse_idx_images(std::span<const unsigned char> bytes, std::string_view name) {
  Header header;
  auto pixels = parse(bytes, Kind::kImages, name, header);
  return images_from(std::move(pixels), header);
}

std::vector<std::uint8_t> parse_idx_labels(std::span<const unsigned char> bytes, std::string_view name) {
  Header header;
  return checked_labels(parse(bytes, Kind::kLabels, name, header), name);
}

IdxImages read_idx_images(const std::filesystem::path& file) {
  const std::string name = file.string();
  Header header;
  auto pixels = read_and_parse(file, Kind::kImages, name, header);
  return images_from(std::move(pixels), header);
}

std::vector<std::uint8_t> read_idx_labels(const std::filesystem::path& file) {
  const std::string name = file.string();
  Header header;
  return checked_labels(read_and_parse(file, Kind::kLabels, name, header), name);
}

}  // namespace gradflow::mnist
