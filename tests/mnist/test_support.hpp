#pragma once
// Helpers shared by the mnist tests: a self-deleting temp folder, IDX builders and gzip.
#include <unistd.h>
#include <zlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace gradflow::mnist::testing {

using Bytes = std::vector<unsigned char>;

inline const std::filesystem::path kFixtureDir = std::filesystem::path(GRADFLOW_SOURCE_DIR) / "tests/fixtures/mnist";

// A fresh folder under the system temp dir, removed with everything in it at scope exit.
class TempDir {
 public:
  TempDir() {
    static int counter = 0;
    path_ = std::filesystem::temp_directory_path() /
            ("gradflow-mnist-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

inline void append_u32(Bytes& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<unsigned char>(v >> shift));
}

// An IDX header: magic then the given sizes, all big-endian.
inline Bytes idx_header(std::uint32_t magic, std::initializer_list<std::uint32_t> dims) {
  Bytes out;
  append_u32(out, magic);
  for (const auto d : dims) append_u32(out, d);
  return out;
}

// A well-formed image file of `count` images of rows x cols; pixel k holds (k % 251).
inline Bytes image_file(std::uint32_t count, std::uint32_t rows = 2, std::uint32_t cols = 3) {
  Bytes out = idx_header(0x00000803, {count, rows, cols});
  for (std::size_t k = 0; k < std::size_t{count} * rows * cols; ++k) out.push_back(static_cast<unsigned char>(k % 251));
  return out;
}

inline Bytes label_file(std::initializer_list<unsigned char> labels) {
  Bytes out = idx_header(0x00000801, {static_cast<std::uint32_t>(labels.size())});
  out.insert(out.end(), labels.begin(), labels.end());
  return out;
}

inline Bytes gzip(std::span<const unsigned char> data) {
  z_stream zs{};
  if (deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2 failed");
  }
  Bytes out(deflateBound(&zs, static_cast<uLong>(data.size())) + 32);
  zs.next_in = const_cast<Bytef*>(data.data());
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  if (deflate(&zs, Z_FINISH) != Z_STREAM_END) throw std::runtime_error("deflate failed");
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

inline void write_file(const std::filesystem::path& file, std::span<const unsigned char> bytes) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + file.string());
}

inline Bytes read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace gradflow::mnist::testing
