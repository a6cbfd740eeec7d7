#include "autodiff/op.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace gradflow::autodiff {

void OperandList::set(std::size_t position, const Tensor& value, bool needs_gradient) {
  if (position >= kMaxArity) {
    throw std::out_of_range(
        fmt::format("operand position {} is beyond the most an op may take ({})", position, kMaxArity));
  }
  values[position] = &value;
  shapes[position] = value.shape();
  needed[position] = needs_gradient;
  count = std::max(count, position + 1);
}

Shape output_shape_of(const Op& op, std::span<const Shape> shapes, std::string_view where) {
  try {
    return op.output_shape(shapes);
  } catch (const ShapeError& e) {
    throw ShapeError(fmt::format("{} ({}): {}", op.name(), where, e.what()));
  }
}

}  // namespace gradflow::autodiff
