#pragma once
// Tensor: a dense float32 matrix stored row-major.
//
// gradflow keeps every tensor two-dimensional ([rows x cols]): a batch of vectors is a matrix,
// a bias is a [1 x n] row vector and a scalar loss is [1 x 1]. That is all a multilayer
// perceptron needs, and it keeps every shape rule in the ops short enough to read.

#include <fmt/format.h>

#include <cstddef>
#include <limits>
#include <memory>
#include <new>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "autodiff/buffer_pool.hpp"

namespace gradflow::autodiff {

struct Shape {
  int rows = 0;
  int cols = 0;

  [[nodiscard]] std::size_t numel() const { return static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols); }
  [[nodiscard]] bool is_scalar() const { return rows == 1 && cols == 1; }
  friend bool operator==(const Shape&, const Shape&) = default;
};

// "[30 x 10]": the notation every error message and diagram uses.
std::string to_string(const Shape& shape);

// Thrown when operands do not fit together. The op writes what is wrong; the graph prefixes
// the op's and the node's names, e.g. "matmul (layer3/matmul): inner dimensions differ, ...".
class ShapeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Buffers come from, and go back to, a per-thread pool (autodiff/buffer_pool.hpp): a replayed
// training step creates gradient tensors of the same sizes every step, and reuses the buffers
// the previous step's gradients gave back instead of allocating new ones.
class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(Shape shape, float fill = 0.0F);
  Tensor(Shape shape, std::vector<float> values);  // throws ShapeError if the sizes differ
  Tensor(const Tensor& other);
  Tensor(Tensor&& other) noexcept = default;
  Tensor& operator=(const Tensor& other);
  // Swaps: `other` gets this tensor's old buffer and hands it back to the pool when it dies.
  Tensor& operator=(Tensor&& other) noexcept;
  ~Tensor() {
    if (data_.capacity() != 0) detail::give_back(std::move(data_));
  }

  static Tensor scalar(float value) { return Tensor({1, 1}, value); }
  // Rows given as nested braces: Tensor::from_rows({{1, 2}, {3, 4}}).
  static Tensor from_rows(std::initializer_list<std::initializer_list<float>> rows);

  [[nodiscard]] const Shape& shape() const { return shape_; }
  [[nodiscard]] int rows() const { return shape_.rows; }
  [[nodiscard]] int cols() const { return shape_.cols; }
  [[nodiscard]] std::size_t size() const { return data_.size(); }
  [[nodiscard]] bool empty() const { return data_.empty(); }

  [[nodiscard]] float* data() { return data_.data(); }
  [[nodiscard]] const float* data() const { return data_.data(); }
  [[nodiscard]] std::span<float> values() { return data_; }
  [[nodiscard]] std::span<const float> values() const { return data_; }

  float& operator()(int r, int c) { return data_[index(r, c)]; }
  float operator()(int r, int c) const { return data_[index(r, c)]; }
  float& operator[](std::size_t i) { return data_[i]; }
  float operator[](std::size_t i) const { return data_[i]; }

  // The value of a [1 x 1] tensor; throws ShapeError for any other shape.
  [[nodiscard]] float item() const;

  void fill(float value);
  // Resizes to `shape` (reusing the buffer when it is big enough); the contents are unspecified.
  void resize(Shape shape);

 private:
  [[nodiscard]] std::size_t index(int r, int c) const {
    return static_cast<std::size_t>(r) * static_cast<std::size_t>(shape_.cols) + static_cast<std::size_t>(c);
  }

  Shape shape_;
  std::vector<float> data_;
};

// Summary statistics used by printing, diagrams and the gradient-flow monitor.
float mean_abs(const Tensor& t);
float max_abs(const Tensor& t);
float sum(const Tensor& t);

}  // namespace gradflow::autodiff

// Every op's backward returns its gradients as a std::vector<Tensor> (the interface the course
// teaches: ops are pure and the engine accumulates what they return). A replayed training step
// would pay one heap allocation per op for those small vectors, so the standard allocator for
// Tensor recycles their storage: a vector's array goes back to a per-thread free list when it
// dies, and the next vector of that size takes it (autodiff/buffer_pool.hpp, take_block).
//
// Why this is legitimate C++: a program may specialise a standard class template for its own
// type as long as the specialisation meets the original's requirements ([namespace.std]), and
// std::allocator<T>::allocate is specified to obtain its storage from ::operator new "but it is
// unspecified when or how often this function is called" ([allocator.members]): caching blocks
// is exactly what the standard leaves open. Everything else matches std::allocator: stateless,
// always equal, bad_array_new_length on overflow, bad_alloc from ::operator new. The one
// difference: allocate and deallocate are not constexpr, which nothing can notice, since a
// Tensor (with its non-constexpr destructor) can never live in a constant expression.
// It is declared here, right after Tensor, so that every use of std::vector<Tensor> sees it.
template <>
class std::allocator<gradflow::autodiff::Tensor> {
 public:
  using value_type = gradflow::autodiff::Tensor;
  using size_type = std::size_t;
  using difference_type = std::ptrdiff_t;
  using propagate_on_container_move_assignment = std::true_type;
  using is_always_equal = std::true_type;

  allocator() noexcept = default;
  allocator(const allocator&) noexcept = default;
  template <class U>
  allocator(const allocator<U>& /*other*/) noexcept {}  // NOLINT(google-explicit-constructor): as std::allocator
  ~allocator() = default;
  allocator& operator=(const allocator&) noexcept = default;

  [[nodiscard]] value_type* allocate(std::size_t n) {
    static_assert(alignof(value_type) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__, "take_block aligns as ::operator new");
    if (n > std::numeric_limits<std::size_t>::max() / sizeof(value_type)) throw std::bad_array_new_length();
    return static_cast<value_type*>(gradflow::autodiff::detail::take_block(n * sizeof(value_type)));
  }
  void deallocate(value_type* p, std::size_t n) noexcept {
    gradflow::autodiff::detail::give_back_block(p, n * sizeof(value_type));
  }

  friend bool operator==(const allocator& /*a*/, const allocator& /*b*/) noexcept { return true; }
};

template <>
struct fmt::formatter<gradflow::autodiff::Shape> : fmt::formatter<std::string> {
  auto format(const gradflow::autodiff::Shape& s, format_context& ctx) const {
    return fmt::formatter<std::string>::format(gradflow::autodiff::to_string(s), ctx);
  }
};
