#include "autodiff/tensor.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "autodiff/buffer_pool.hpp"

namespace gradflow::autodiff {

std::string to_string(const Shape& shape) { return fmt::format("[{} x {}]", shape.rows, shape.cols); }

namespace {
void check_shape(Shape shape) {
  if (shape.rows < 0 || shape.cols < 0) {
    throw ShapeError(fmt::format("tensor: negative dimension in {}", to_string(shape)));
  }
}
}  // namespace

Tensor::Tensor(Shape shape, float fill) : shape_(shape) {
  check_shape(shape);
  data_ = detail::take_buffer(shape.numel(), fill);
}

Tensor::Tensor(const Tensor& other) : shape_(other.shape_), data_(detail::take_buffer(other.size(), 0.0F)) {
  std::copy(other.data_.begin(), other.data_.end(), data_.begin());
}

Tensor& Tensor::operator=(const Tensor& other) {
  if (this == &other) return *this;
  resize(other.shape_);
  std::copy(other.data_.begin(), other.data_.end(), data_.begin());
  return *this;
}

Tensor& Tensor::operator=(Tensor&& other) noexcept {
  std::swap(shape_, other.shape_);
  data_.swap(other.data_);
  return *this;
}

Tensor::Tensor(Shape shape, std::vector<float> values) : shape_(shape), data_(std::move(values)) {
  check_shape(shape);
  if (data_.size() != shape.numel()) {
    throw ShapeError(fmt::format("tensor: shape {} needs {} values but {} were given", to_string(shape), shape.numel(),
                                 data_.size()));
  }
}

Tensor Tensor::from_rows(std::initializer_list<std::initializer_list<float>> rows) {
  const int n_rows = static_cast<int>(rows.size());
  const int n_cols = n_rows == 0 ? 0 : static_cast<int>(rows.begin()->size());
  std::vector<float> values;
  values.reserve(static_cast<std::size_t>(n_rows) * static_cast<std::size_t>(n_cols));
  for (const auto& row : rows) {
    if (static_cast<int>(row.size()) != n_cols) {
      throw ShapeError(fmt::format("tensor: ragged rows, expected {} columns but a row has {}", n_cols, row.size()));
    }
    values.insert(values.end(), row.begin(), row.end());
  }
  return {Shape{n_rows, n_cols}, std::move(values)};
}

float Tensor::item() const {
  if (!shape_.is_scalar()) {
    throw ShapeError(fmt::format("tensor: item() needs a [1 x 1] tensor but this one is {}", to_string(shape_)));
  }
  return data_[0];
}

void Tensor::fill(float value) { std::fill(data_.begin(), data_.end(), value); }

void Tensor::resize(Shape shape) {
  check_shape(shape);
  shape_ = shape;
  if (shape.numel() > data_.capacity()) {
    std::vector<float> bigger = detail::take_buffer(shape.numel(), 0.0F);
    detail::give_back(std::move(data_));
    data_ = std::move(bigger);
  }
  data_.resize(shape.numel());
}

float mean_abs(const Tensor& t) {
  if (t.empty()) return 0.0F;
  double total = 0.0;
  for (float v : t.values()) total += std::fabs(v);
  return static_cast<float>(total / static_cast<double>(t.size()));
}

float max_abs(const Tensor& t) {
  float best = 0.0F;
  for (float v : t.values()) best = std::max(best, std::fabs(v));
  return best;
}

float sum(const Tensor& t) {
  double total = 0.0;
  for (float v : t.values()) total += v;
  return static_cast<float>(total);
}

}  // namespace gradflow::autodiff
