#pragma once
// A minimal PNG writer for 8-bit greyscale images, enough for mnist_info's digit grid.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <vector>

namespace gradflow::mnist {

// A width x height greyscale image, row-major, 0 = black, 255 = white.
struct GrayImage {
  std::size_t width = 0;
  std::size_t height = 0;
  std::vector<std::uint8_t> pixels;

  GrayImage(std::size_t w, std::size_t h, std::uint8_t fill) : width(w), height(h), pixels(w * h, fill) {}
  std::uint8_t& at(std::size_t x, std::size_t y) { return pixels[y * width + x]; }
};

// The PNG file as bytes, and writing it atomically (creating parent folders). Throws
// std::runtime_error naming the file and the cause when it cannot be written.
std::vector<unsigned char> encode_png(const GrayImage& image);
void write_png(const std::filesystem::path& file, const GrayImage& image);

}  // namespace gradflow::mnist
