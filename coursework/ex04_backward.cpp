// Exercise 04: backward itself: the order and the accumulation loop. What each function must
// return is in ex04_backward.hpp, the maths and hints in docs/coursework.md ("Exercise 04"); run
// its tests with `ctest --test-dir build -L ex04`. Do not call Graph::backward: the tests compare
// your gradients with it.
#include "coursework/ex04_backward.hpp"

#include "coursework/not_done.hpp"

namespace gradflow::coursework {

using autodiff::Graph;
using autodiff::NodeId;
using autodiff::Tensor;

// A depth-first search from `loss` over g.operands(v) gives every node once; a node appended
// after all its operands are done, then the list reversed, puts every node before its operands.
std::vector<NodeId> backward_order(const Graph& /*g*/, NodeId /*loss*/) { throw NotDone(4); }

// Start every requires_grad node at zeros and the loss at 1; visit backward_order; for each op
// node call its op->backward and ADD each returned tensor into its operand's gradient.
std::vector<Tensor> gradients(const Graph& /*g*/, NodeId /*loss*/) { throw NotDone(4); }

}  // namespace gradflow::coursework
