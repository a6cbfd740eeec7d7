#include "mnist/tools/png.hpp"

#include <fmt/format.h>
#include <zlib.h>

#include <array>
#include <stdexcept>
#include <string_view>
#include <system_error>

#include "support/atomic_file.hpp"

namespace gradflow::mnist {
namespace {

void put_u32(std::vector<unsigned char>& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<unsigned char>(v >> shift));
}

// A PNG chunk: length, 4-letter type, data, then a CRC-32 over type and data (not the length).
void put_chunk(std::vector<unsigned char>& out, std::string_view type, const std::vector<unsigned char>& data) {
  put_u32(out, static_cast<std::uint32_t>(data.size()));
  const std::size_t type_at = out.size();
  out.insert(out.end(), type.begin(), type.end());
  out.insert(out.end(), data.begin(), data.end());
  const uLong crc = crc32(0L, out.data() + type_at, static_cast<uInt>(out.size() - type_at));
  put_u32(out, static_cast<std::uint32_t>(crc));
}

}  // namespace

std::vector<unsigned char> encode_png(const GrayImage& image) {
  constexpr std::array<unsigned char, 8> kSignature{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  std::vector<unsigned char> out(kSignature.begin(), kSignature.end());

  std::vector<unsigned char> ihdr;
  put_u32(ihdr, static_cast<std::uint32_t>(image.width));
  put_u32(ihdr, static_cast<std::uint32_t>(image.height));
  ihdr.insert(ihdr.end(),
              {8 /*bit depth*/, 0 /*greyscale*/, 0 /*deflate*/, 0 /*adaptive filters*/, 0 /*no interlace*/});
  put_chunk(out, "IHDR", ihdr);

  // Each scanline is prefixed by its filter type; 0 ("None") keeps the writer trivial and zlib
  // still compresses the mostly-black digits well.
  std::vector<unsigned char> raw;
  raw.reserve(image.height * (image.width + 1));
  for (std::size_t y = 0; y < image.height; ++y) {
    raw.push_back(0);
    raw.insert(raw.end(), image.pixels.begin() + static_cast<std::ptrdiff_t>(y * image.width),
               image.pixels.begin() + static_cast<std::ptrdiff_t>((y + 1) * image.width));
  }
  uLongf packed_size = compressBound(static_cast<uLong>(raw.size()));
  std::vector<unsigned char> idat(packed_size);
  if (compress2(idat.data(), &packed_size, raw.data(), static_cast<uLong>(raw.size()), Z_BEST_COMPRESSION) != Z_OK) {
    throw std::runtime_error("PNG: zlib failed to compress the image");
  }
  idat.resize(packed_size);
  put_chunk(out, "IDAT", idat);
  put_chunk(out, "IEND", {});
  return out;
}

void write_png(const std::filesystem::path& file, const GrayImage& image) {
  const auto bytes = encode_png(image);
  std::error_code ec;
  if (file.has_parent_path()) {
    std::filesystem::create_directories(file.parent_path(), ec);
    if (ec) throw std::runtime_error(fmt::format("{}: cannot create its folder ({})", file.string(), ec.message()));
  }
  // Temp file + rename: a full disk or a kill leaves the previous picture, never a truncated one.
  support::write_file_atomically(file, bytes);
}

}  // namespace gradflow::mnist
