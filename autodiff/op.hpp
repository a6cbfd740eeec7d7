#pragma once
// The interface every op implements. An op is *pure*: it reads its operands and writes its
// output, and `backward` *returns* the gradients of its operands. The graph owns all state,
// accumulates the returned gradients and checks their number and shapes, so a mistake in a
// new op is reported by name instead of corrupting memory.
//
// Vocabulary (used in every op file and every lesson):
//   x   the operands, x[0], x[1], ...
//   y   the op's output, y = f(x)
//   dy  the incoming gradient dL/dy (same shape as y)
//   dx  what backward returns: dx[i] = dL/dx[i] = (dy/dx[i])^T dy  (same shape as x[i])

#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "autodiff/tensor.hpp"

namespace gradflow::autodiff {

// The most operands any op may take; keeps operand lists on the stack.
inline constexpr std::size_t kMaxArity = 4;

// A read-only view of an op's operand values: x[0], x[1], ...
class Operands {
 public:
  Operands(const std::array<const Tensor*, kMaxArity>& ptrs, std::size_t count) : ptrs_(ptrs), count_(count) {}
  const Tensor& operator[](std::size_t i) const { return *ptrs_.at(i); }
  [[nodiscard]] std::size_t size() const { return count_; }

 private:
  const std::array<const Tensor*, kMaxArity>& ptrs_;
  std::size_t count_;
};

// Which operands need a gradient. backward may skip (return an empty Tensor for) an operand
// whose gradient nobody needs, such as the input images; it is never wrong to compute it.
class GradMask {
 public:
  GradMask() { needed_.fill(true); }
  explicit GradMask(const std::array<bool, kMaxArity>& needed) : needed_(needed) {}
  bool operator[](std::size_t i) const { return needed_.at(i); }

 private:
  std::array<bool, kMaxArity> needed_{};
};

class Op;

// One op application's operands gathered in operand order: the values the op reads, their
// shapes (for output_shape) and which of them need a gradient. The graph fills one from a
// node's in-edges, gradcheck from a list of tensors; both then call the op the same way.
struct OperandList {
  std::array<const Tensor*, kMaxArity> values{};
  std::array<Shape, kMaxArity> shapes{};
  std::array<bool, kMaxArity> needed{};
  std::size_t count = 0;

  // Puts `value` at `position` (throws std::out_of_range beyond kMaxArity).
  void set(std::size_t position, const Tensor& value, bool needs_gradient);
  [[nodiscard]] Operands view() const { return {values, count}; }
  [[nodiscard]] std::span<const Shape> shape_list() const { return {shapes.data(), count}; }
  [[nodiscard]] GradMask mask() const { return GradMask(needed); }
};

// op.output_shape(shapes), with a ShapeError that starts "<op> (<where>): ", e.g.
// "matmul (layer3/matmul): inner dimensions differ ...".
Shape output_shape_of(const Op& op, std::span<const Shape> shapes, std::string_view where);

class Op {
 public:
  virtual ~Op() = default;

  // Short name used in node names, diagrams and error messages ("matmul", "leaky_relu").
  [[nodiscard]] virtual std::string_view name() const = 0;
  // How many operands the op takes.
  [[nodiscard]] virtual std::size_t arity() const = 0;
  // Attributes shown in diagrams, e.g. "alpha=0.2"; empty for most ops.
  [[nodiscard]] virtual std::string attributes() const { return {}; }
  // False for operands that are data rather than variables (the labels of a loss): no
  // gradient flows into them and gradcheck leaves them alone.
  [[nodiscard]] virtual bool differentiable(std::size_t /*operand*/) const { return true; }

  // The shape of y for operands of these shapes. Throws ShapeError saying what does not fit.
  [[nodiscard]] virtual Shape output_shape(std::span<const Shape> x) const = 0;
  // y = f(x). `y` arrives already sized to output_shape.
  virtual void forward(const Operands& x, Tensor& y) const = 0;
  // dx[i] = dL/dx[i], one tensor per operand, each shaped like its operand.
  [[nodiscard]] virtual std::vector<Tensor> backward(const Operands& x, const Tensor& y, const Tensor& dy,
                                                     const GradMask& needed) const = 0;
};

}  // namespace gradflow::autodiff
