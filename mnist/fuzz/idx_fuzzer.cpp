// libFuzzer target for the IDX reader: any byte string must parse cleanly or raise IdxError.
// Never a crash, a sanitizer report, a hang or a giant allocation.
//
// Build (see mnist/README.md):
//   cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DGRADFLOW_FUZZ=ON
//   cmake --build build-fuzz --target idx_fuzzer
//   build-fuzz/bin/idx_fuzzer -max_total_time=600 -malloc_limit_mb=256 corpus/ mnist/fuzz/seeds/
//
// Each input is parsed twice: as given (so mutated gzip files exercise zlib's error paths) and
// gzip-compressed by us (so the fuzzer can explore the header and payload checks behind a *valid*
// gzip wrapper, which random mutation of compressed bytes rarely produces). The two routes must
// agree: the same bytes, compressed or not, are either the same data or an error.
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <span>
#include <vector>

#include "mnist/idx.hpp"

namespace {

using gradflow::mnist::IdxError;

std::vector<unsigned char> gzip(std::span<const unsigned char> data) {
  z_stream zs{};
  if (deflateInit2(&zs, Z_BEST_SPEED, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) std::abort();
  std::vector<unsigned char> out(deflateBound(&zs, static_cast<uLong>(data.size())) + 32);
  zs.next_in = const_cast<Bytef*>(data.data());
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  if (deflate(&zs, Z_FINISH) != Z_STREAM_END) std::abort();
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::optional<std::vector<std::uint8_t>> images(std::span<const unsigned char> bytes) {
  try {
    auto parsed = gradflow::mnist::parse_idx_images(bytes, "fuzz-input");
    // rows * cols in int on purpose: the reader promises it fits, and UBSan checks that promise.
    if (parsed.pixels.size() != parsed.count * static_cast<std::size_t>(parsed.rows * parsed.cols)) std::abort();
    return parsed.pixels;
  } catch (const IdxError&) {
    return std::nullopt;
  }
}

std::optional<std::vector<std::uint8_t>> labels(std::span<const unsigned char> bytes) {
  try {
    return gradflow::mnist::parse_idx_labels(bytes, "fuzz-input");
  } catch (const IdxError&) {
    return std::nullopt;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const unsigned char> bytes(data, size);
  const auto plain_images = images(bytes);
  const auto plain_labels = labels(bytes);
  const bool starts_like_gzip = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
  if (!starts_like_gzip && size <= (1u << 20)) {
    const auto compressed = gzip(bytes);
    if (images(compressed) != plain_images) std::abort();  // routes disagree: a reader bug
    if (labels(compressed) != plain_labels) std::abort();
  }
  return 0;
}
