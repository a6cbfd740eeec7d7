#include "tensorboard/record.hpp"

#include <boost/crc.hpp>

namespace gradflow::tensorboard {

namespace {

// Castagnoli's CRC-32C in Boost.CRC's terms: width 32, polynomial 0x1EDC6F41, initial remainder
// and final XOR 0xFFFFFFFF, input and output reflected (bit 0 of each byte is processed first).
using Crc32c = boost::crc_optimal<32, 0x1EDC6F41, 0xFFFFFFFF, 0xFFFFFFFF, true, true>;

void append_le(std::string& out, std::uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xFFu));
}

}  // namespace

std::uint32_t crc32c(std::string_view bytes) {
  Crc32c crc;
  crc.process_bytes(bytes.data(), bytes.size());
  return crc.checksum();
}

std::uint32_t mask_crc(std::uint32_t crc) {
  constexpr std::uint32_t kMaskDelta = 0xa282ead8u;
  return ((crc >> 15) | (crc << 17)) + kMaskDelta;
}

std::string frame_record(std::string_view data) {
  std::string record;
  record.reserve(data.size() + 16);
  append_le(record, data.size(), 8);
  // The length's own CRC lets a reader reject a corrupt length before trusting it to read.
  append_le(record, mask_crc(crc32c(std::string_view(record).substr(0, 8))), 4);
  record.append(data);
  append_le(record, mask_crc(crc32c(data)), 4);
  return record;
}

}  // namespace gradflow::tensorboard
