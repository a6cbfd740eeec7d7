#pragma once
// Shape checks shared by the ops. Each throws ShapeError with a sentence that names both
// shapes; the graph prefixes the op's and the node's names.
#include "autodiff/tensor.hpp"

namespace gradflow::autodiff::ops {

// Elementwise binary ops: both operands must have the same shape, which y then has.
Shape same_shape(const Shape& left, const Shape& right);

}  // namespace gradflow::autodiff::ops
