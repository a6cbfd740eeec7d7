#pragma once
// trace_backward: the backward pass written out step by step, for lessons and for learners.
//
// Graph::backward does its work silently. trace_backward does the same work with the same
// pieces (the same reverse topological order from Boost, the same op backward calls, the same
// accumulation rule) over Graph's public API, and records every step:
//   * the node visited, in reverse topological order;
//   * dy, the node's gradient dL/dy when it is visited (final: every consumer has sent its share);
//   * for each operand, the share dx[i] = (dy/dx[i])^T dy the op's backward returned, the
//     operand's gradient after that share arrived, and whether the share was ADDED to one that
//     was already there (fan-out: a value used twice receives the sum of both uses).
// It leaves the graph untouched (no node's grad is written), so a caller can run
// Graph::backward afterwards and compare: lesson 02 and the tests check that both agree.

#include <cstddef>
#include <vector>

#include "autodiff/graph.hpp"

namespace gradflow::autodiff {

struct BackwardShare {
  std::size_t position = 0;  // which operand of the visited node (x0, x1, ...)
  NodeId operand = 0;
  Tensor share;              // dx[position], as the op's backward returned it
  Tensor grad_after;         // the operand's gradient once this share has arrived
  bool accumulated = false;  // true: added to an earlier share; false: the first share
};

struct BackwardStep {
  NodeId node = 0;
  Tensor dy;                          // dL/d(node), final when the node is visited
  std::vector<BackwardShare> shares;  // one per operand that needs a gradient (empty for leaves)
};

struct BackwardTrace {
  NodeId loss = 0;
  std::vector<BackwardStep> steps;  // steps[0] is the loss (dy = 1, the seed)
  // Every node's final gradient (indexed by NodeId); empty for nodes without one.
  std::vector<Tensor> grads;
};

// Traces backward from `loss` ([1 x 1], depending on a parameter) without changing the graph.
// Visits the nodes Graph::backward visits (those with requires_grad), in the same order.
// Nodes no path connects to the loss get a zero gradient and no shares, as in Graph::backward.
// Throws GraphError for a non-scalar loss, a loss without parameters, a cycle, or an op whose
// backward returns the wrong number or shapes of gradients.
BackwardTrace trace_backward(const Graph& graph, Var loss);

}  // namespace gradflow::autodiff
