#pragma once
// Exercise 04: backward itself. The engine's Graph::backward is handed to you complete; here you
// write your own, over the graph's public read-only API, and the tests compare it with the
// engine's on many random graphs. You write both functions in coursework/ex04_backward.cpp.
//
// The maths: for a loss L and a node v used by the ops u_1 ... u_k (its consumers),
//   dL/dv = sum_over_consumers  (du_c/dv)^T dL/du_c           (the multivariable chain rule)
// Each term is what u_c's op->backward returns for the operand v, given dy = dL/du_c. So a
// node's gradient is complete only once EVERY consumer has added its share: visit the nodes so
// that each comes after all nodes that use it (a reverse topological order), start from
// dL/dL = 1, and ADD each share into the operand's gradient.
//
// The public API you need (autodiff/graph.hpp):
//   g.size()                      number of nodes; NodeIds are 0 .. size()-1
//   g.node(id)                    kind, op (null for leaves), value, requires_grad
//   g.operands(id)                the node's operands, in operand order
//   g.storage()                   the Boost graph, if you want out_edges / in_edges
//   node.op->backward(x, y, dy, needed), node.op->differentiable(i)
//   autodiff::Operands(ptrs, count) builds the x argument from an array of const Tensor*

#include <vector>

#include "autodiff/graph.hpp"

namespace gradflow::coursework {

// The nodes `loss` depends on (including loss itself), each exactly once, every node BEFORE all
// of its operands: loss first, leaves last. Nodes the loss does not depend on are not listed.
std::vector<autodiff::NodeId> backward_order(const autodiff::Graph& g, autodiff::NodeId loss);

// dL/d(node) for every node, indexed by NodeId (the vector has g.size() entries). For a node
// with requires_grad: a tensor shaped like its value (all zeros when the loss does not depend on
// it). For a node without requires_grad (inputs, constants, ops on them only): an empty Tensor.
// `loss` must be [1 x 1]. Does not change the graph: the engine's own gradients stay as they are.
std::vector<autodiff::Tensor> gradients(const autodiff::Graph& g, autodiff::NodeId loss);

}  // namespace gradflow::coursework
