#include "autodiff/ops/shape_rules.hpp"

namespace gradflow::autodiff::ops {

Shape same_shape(const Shape& left, const Shape& right) {
  if (left != right) {
    throw ShapeError(fmt::format("shapes differ, left is {} but right is {}", to_string(left), to_string(right)));
  }
  return left;
}

}  // namespace gradflow::autodiff::ops
