// Exercise 06: the He-normal initialiser. The maths is in ex06_he_normal.hpp and in
// docs/coursework.md ("Exercise 06"); run its tests with `ctest --test-dir build -L ex06`.
#include "coursework/ex06_he_normal.hpp"

#include "coursework/not_done.hpp"

namespace gradflow::coursework {

// A [fan_in x fan_out] tensor of Normal(0, 2 / fan_in) draws made from rng.uniform().
autodiff::Tensor he_normal(int /*fan_in*/, int /*fan_out*/, nn::Rng& /*rng*/) { throw NotDone(6); }

}  // namespace gradflow::coursework
