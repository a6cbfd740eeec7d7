#include "autodiff/trace.hpp"

#include <fmt/format.h>

#include <array>
#include <boost/graph/topological_sort.hpp>
#include <iterator>

namespace gradflow::autodiff {

BackwardTrace trace_backward(const Graph& graph, Var loss) {
  const GraphStorage& g = graph.storage();
  const Node& loss_node = graph.node(loss.id());
  if (!loss_node.value.shape().is_scalar()) {
    throw GraphError(fmt::format("trace_backward: the loss must be a scalar [1 x 1], but '{}' is {}", loss_node.name,
                                 to_string(loss_node.value.shape())));
  }
  if (!loss_node.requires_grad) {
    throw GraphError(fmt::format("trace_backward: the loss '{}' does not depend on any parameter", loss_node.name));
  }
  // The order Graph::backward uses: Boost emits every node before its operands.
  std::vector<NodeId> order;
  order.reserve(graph.size());
  try {
    boost::topological_sort(g, std::back_inserter(order));
  } catch (const boost::not_a_dag&) {
    throw GraphError("trace_backward: the graph has a cycle, so no backward order exists");
  }

  BackwardTrace trace;
  trace.loss = loss.id();
  trace.grads.assign(graph.size(), Tensor{});
  std::vector<bool> received(graph.size(), false);
  // The seed: dL/dL = 1.
  trace.grads[loss.id()] = Tensor(loss_node.value.shape(), 1.0F);
  received[loss.id()] = true;

  for (NodeId v : order) {
    const Node& n = graph.node(v);
    if (!n.requires_grad) continue;
    if (!received[v]) trace.grads[v] = Tensor(n.value.shape(), 0.0F);  // unreachable from the loss
    BackwardStep step;
    step.node = v;
    step.dy = trace.grads[v];
    if (received[v] && n.kind == NodeKind::op) {
      const std::vector<NodeId> ids = graph.operands(v);
      std::array<const Tensor*, kMaxArity> ptrs{};
      std::array<bool, kMaxArity> needed{};
      for (std::size_t i = 0; i < ids.size(); ++i) {
        ptrs.at(i) = &graph.node(ids[i]).value;
        needed.at(i) = graph.node(ids[i]).requires_grad && n.op->differentiable(i);
      }
      const std::vector<Tensor> dx = n.op->backward(Operands(ptrs, ids.size()), n.value, step.dy, GradMask(needed));
      if (dx.size() != ids.size()) {
        throw GraphError(fmt::format("{} ({}): backward returned {} gradient(s) but the op has {} operand(s)",
                                     n.op->name(), n.name, dx.size(), ids.size()));
      }
      for (std::size_t i = 0; i < ids.size(); ++i) {
        if (!needed[i]) continue;
        const Node& operand = graph.node(ids[i]);
        if (dx[i].shape() != operand.value.shape()) {
          throw GraphError(fmt::format(
              "{} ({}): backward returned a gradient of shape {} for operand {} ('{}'), which is {}", n.op->name(),
              n.name, to_string(dx[i].shape()), i, operand.name, to_string(operand.value.shape())));
        }
        BackwardShare share{i, ids[i], dx[i], {}, received[ids[i]]};
        Tensor& grad = trace.grads[ids[i]];
        if (!received[ids[i]]) {
          grad = dx[i];
          received[ids[i]] = true;
        } else {
          // Same arithmetic as Graph::backward (float adds in the same order): results agree bit for bit.
          for (std::size_t k = 0; k < grad.size(); ++k) grad[k] += dx[i][k];
        }
        share.grad_after = grad;
        step.shares.push_back(std::move(share));
      }
    }
    trace.steps.push_back(std::move(step));
  }
  return trace;
}

}  // namespace gradflow::autodiff
