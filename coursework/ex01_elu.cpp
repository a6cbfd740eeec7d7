// Exercise 01: elu(alpha), forward and backward. The maths is in ex01_elu.hpp and in
// docs/coursework.md ("Exercise 01"); run its tests with `ctest --test-dir build -L ex01`.
// Replace each `throw NotDone(1);` with your code (copy the shape of autodiff/ops/leaky_relu.cpp).
#include "coursework/ex01_elu.hpp"

#include "coursework/not_done.hpp"

namespace gradflow::coursework {

using autodiff::GradMask;
using autodiff::Operands;
using autodiff::Tensor;

// y = x for x > 0, alpha (e^x - 1) otherwise. `y` arrives sized like x[0]. The attribute is alpha_.
void Elu::forward(const Operands& /*x*/, Tensor& /*y*/) const { throw NotDone(1); }

// dx = dy * (x > 0 ? 1 : alpha e^x); return one tensor (shaped like x[0]), or an empty one when
// !needed[0].
std::vector<Tensor> Elu::backward(const Operands& /*x*/, const Tensor& /*y*/, const Tensor& /*dy*/,
                                  const GradMask& /*needed*/) const {
  throw NotDone(1);
}

}  // namespace gradflow::coursework
