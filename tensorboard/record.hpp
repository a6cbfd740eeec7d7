#pragma once
// TFRecord framing, the container TensorBoard's event files use. Each record is
//
//   uint64  length                      little-endian
//   uint32  masked CRC-32C of `length`   (of its 8 bytes)
//   byte    data[length]                a serialized Event
//   uint32  masked CRC-32C of `data`
//
// CRC-32C is the Castagnoli CRC (polynomial 0x1EDC6F41, reflected, initial value and final XOR
// 0xFFFFFFFF). TensorFlow stores it "masked": rotated right by 15 bits plus a constant, because
// the CRC of a string that itself contains CRCs is weak; the mask makes such strings unlikely.

#include <cstdint>
#include <string>
#include <string_view>

namespace gradflow::tensorboard {

// CRC-32C of `bytes` (Boost.CRC). crc32c("123456789") == 0xE3069283.
std::uint32_t crc32c(std::string_view bytes);

// ((crc >> 15) | (crc << 17)) + 0xa282ead8, in 32-bit arithmetic.
std::uint32_t mask_crc(std::uint32_t crc);

// The complete record (header, data, footer) for one payload, ready to be written in one go.
std::string frame_record(std::string_view data);

}  // namespace gradflow::tensorboard
