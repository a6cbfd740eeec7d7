// Exercise 04, a PLANTED MISTAKE: the accumulation loop assigns instead of adding: a value used twice keeps only one
// share. Built only as a test variant that must FAIL (tests/coursework/CMakeLists.txt); never shipped.
#include <array>
#include <stdexcept>

#include "coursework/ex04_backward.hpp"

namespace gradflow::coursework {

using autodiff::Graph;
using autodiff::NodeId;
using autodiff::Tensor;

std::vector<NodeId> backward_order(const Graph& g, NodeId loss) {
  // Depth-first search from the loss towards the leaves. A node is appended once all of its
  // operands are done ("post-order"), so the list has every operand BEFORE its result; reversed,
  // every node comes before its operands. An explicit stack instead of recursion, so a chain of
  // 100,000 nodes cannot overflow the call stack.
  enum class Mark { unseen, open, done };
  std::vector<Mark> mark(g.size(), Mark::unseen);
  std::vector<NodeId> post;
  std::vector<std::pair<NodeId, std::size_t>> stack;  // (node, next operand to visit)
  std::vector<std::vector<NodeId>> operands(g.size());
  stack.emplace_back(loss, 0);
  mark[loss] = Mark::open;
  operands[loss] = g.operands(loss);
  while (!stack.empty()) {
    auto& [v, next] = stack.back();
    if (next < operands[v].size()) {
      const NodeId u = operands[v][next++];
      if (mark[u] == Mark::open) throw std::runtime_error("backward_order: the graph has a cycle");
      if (mark[u] == Mark::unseen) {
        mark[u] = Mark::open;
        operands[u] = g.operands(u);
        stack.emplace_back(u, 0);  // invalidates v and next: re-read them next time round
      }
      continue;
    }
    mark[v] = Mark::done;
    post.push_back(v);
    stack.pop_back();
  }
  return {post.rbegin(), post.rend()};
}

std::vector<Tensor> gradients(const Graph& g, NodeId loss) {
  const auto& loss_value = g.node(loss).value;
  if (!loss_value.shape().is_scalar()) throw std::invalid_argument("gradients: the loss must be [1 x 1]");
  std::vector<Tensor> grad(g.size());
  std::vector<bool> received(g.size(), false);
  // Every node that wants a gradient starts at zero: unreachable ones stay there.
  for (NodeId v = 0; v < g.size(); ++v) {
    if (g.node(v).requires_grad) grad[v] = Tensor(g.node(v).value.shape(), 0.0F);
  }
  if (!g.node(loss).requires_grad) return grad;
  grad[loss].fill(1.0F);  // dL/dL = 1
  received[loss] = true;

  for (NodeId v : backward_order(g, loss)) {
    const auto& n = g.node(v);
    // A leaf has no operands; a node nobody reached passes on only zeros (backward is linear).
    if (n.kind != autodiff::NodeKind::op || !n.requires_grad || !received[v]) continue;
    const std::vector<NodeId> ids = g.operands(v);
    std::array<const Tensor*, autodiff::kMaxArity> ptrs{};
    std::array<bool, autodiff::kMaxArity> needed{};
    for (std::size_t i = 0; i < ids.size(); ++i) {
      ptrs.at(i) = &g.node(ids[i]).value;
      needed.at(i) = g.node(ids[i]).requires_grad && n.op->differentiable(i);
    }
    const std::vector<Tensor> dx =
        n.op->backward(autodiff::Operands(ptrs, ids.size()), n.value, grad[v], autodiff::GradMask(needed));
    for (std::size_t i = 0; i < ids.size(); ++i) {
      if (!needed[i]) continue;
      Tensor& target = grad[ids[i]];
      // ADD, never assign: a value used by several ops gets the sum of their shares.
      target = dx[i];  // PLANTED: assigns, so at a fan-out the last share wins
      received[ids[i]] = true;
    }
  }
  return grad;
}

}  // namespace gradflow::coursework
