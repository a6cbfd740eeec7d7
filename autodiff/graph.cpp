#include "autodiff/graph.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/graph/depth_first_search.hpp>
#include <boost/graph/topological_sort.hpp>
#include <iterator>

#include "autodiff/finite.hpp"

namespace gradflow::autodiff {

std::string_view to_string(NodeKind kind) {
  switch (kind) {
    case NodeKind::input: return "input";
    case NodeKind::constant: return "constant";
    case NodeKind::parameter: return "parameter";
    case NodeKind::op: return "op";
  }
  return "?";
}

std::string_view Node::scope() const {
  const auto slash = name.rfind('/');
  return slash == std::string::npos ? std::string_view{} : std::string_view(name).substr(0, slash);
}

std::string_view Node::short_name() const {
  const auto slash = name.rfind('/');
  return slash == std::string::npos ? std::string_view(name) : std::string_view(name).substr(slash + 1);
}

Graph& Var::graph() const {
  if (graph_ == nullptr) throw GraphError("var: this handle does not point at any graph node");
  return *graph_;
}

Tensor& Var::mutable_value() const {
  Node& n = graph().node(id_);
  if (n.kind != NodeKind::parameter) {
    throw GraphError(
        fmt::format("node '{}' is a {}, only parameters may be updated in place", n.name, to_string(n.kind)));
  }
  return n.value;
}

Graph::Scope::Scope(Graph& graph, std::string_view name) : graph_(graph) { graph_.names_.push_scope(name); }
Graph::Scope::~Scope() { graph_.names_.pop_scope(); }

Var Graph::add_leaf(NodeKind kind, std::string_view name, Tensor value, bool requires_grad) {
  Node n;
  n.kind = kind;
  const NameTable::Choice choice = names_.choose(name);
  n.name = choice.name;
  n.value = std::move(value);
  n.requires_grad = requires_grad;
  check_finite(n, n.value, "value");
  const NodeId id = boost::add_vertex(std::move(n), g_);
  names_.claim(choice);
  order_valid_ = false;
  return {*this, id};
}

Var Graph::input(std::string_view name, Tensor value) {
  return add_leaf(NodeKind::input, name, std::move(value), false);
}
Var Graph::constant(std::string_view name, Tensor value) {
  return add_leaf(NodeKind::constant, name, std::move(value), false);
}
Var Graph::parameter(std::string_view name, Tensor value) {
  return add_leaf(NodeKind::parameter, name, std::move(value), true);
}

Var Graph::apply(std::shared_ptr<const Op> op, std::initializer_list<Var> operands, std::string_view name) {
  if (!op) throw GraphError("apply: no op given");
  const NameTable::Choice choice = names_.choose(name.empty() ? op->name() : name);
  if (operands.size() != op->arity() || operands.size() > kMaxArity) {
    throw GraphError(fmt::format("{} ({}): takes {} operand(s) but {} were given (at most {} for any op)", op->name(),
                                 choice.name, op->arity(), operands.size(), kMaxArity));
  }
  OperandList x;
  bool requires_grad = false;
  std::size_t position = 0;
  for (const Var& v : operands) {
    if (&v.graph() != this) {
      throw GraphError(fmt::format("{} ({}): operand {} belongs to another graph", op->name(), choice.name, position));
    }
    const bool needed = g_[v.id()].requires_grad && op->differentiable(position);
    x.set(position++, g_[v.id()].value, needed);
    requires_grad = requires_grad || needed;
  }
  const Shape out = output_shape_of(*op, x.shape_list(), choice.name);

  Node n;
  n.kind = NodeKind::op;
  n.op = std::move(op);
  n.name = choice.name;
  n.requires_grad = requires_grad;
  const NodeId id = boost::add_vertex(std::move(n), g_);  // x's pointers may now dangle: regather
  names_.claim(choice);
  position = 0;
  for (const Var& v : operands) boost::add_edge(v.id(), id, Operand{position++}, g_);
  order_valid_ = false;
  evaluate(id, gather(id).x, out);
  return {*this, id};
}

void Graph::add_edge_unchecked(NodeId from, NodeId to, std::size_t position) {
  boost::add_edge(from, to, Operand{position}, g_);
  order_valid_ = false;
}

Graph::Gathered Graph::gather(NodeId id) const {
  Gathered result;
  const Op* op = g_[id].op.get();
  for (auto e : boost::make_iterator_range(boost::in_edges(id, g_))) {
    const std::size_t pos = g_[e].position;
    const NodeId from = boost::source(e, g_);
    if (pos >= kMaxArity) {
      throw GraphError(fmt::format("node '{}': operand position {} out of range", g_[id].name, pos));
    }
    result.ids[pos] = from;
    result.x.set(pos, g_[from].value, g_[from].requires_grad && op != nullptr && op->differentiable(pos));
  }
  return result;
}

std::vector<NodeId> Graph::operands(NodeId id) const {
  const Gathered gathered = gather(id);
  return {gathered.ids.begin(), gathered.ids.begin() + static_cast<std::ptrdiff_t>(gathered.x.count)};
}

std::vector<Var> Graph::parameters() {
  std::vector<Var> result;
  for (auto v : boost::make_iterator_range(boost::vertices(g_))) {
    if (g_[v].kind == NodeKind::parameter) result.emplace_back(*this, v);
  }
  return result;
}

Var Graph::find(std::string_view name) {
  for (auto v : boost::make_iterator_range(boost::vertices(g_))) {
    if (g_[v].name == name) return {*this, v};
  }
  throw GraphError(fmt::format("graph: no node is called '{}'", name));
}

void Graph::set_value(Var leaf, Tensor value) {
  Node& n = g_[leaf.id()];
  if (n.kind == NodeKind::op) {
    throw GraphError(
        fmt::format("set_value: node '{}' is computed by {}, only leaves can be set", n.name, n.op->name()));
  }
  n.value = std::move(value);
  check_finite(n, n.value, "value");
}

Tensor& Graph::input_value(Var leaf) {
  Node& n = g_[leaf.id()];
  if (n.kind != NodeKind::input && n.kind != NodeKind::constant) {
    throw GraphError(
        fmt::format("input_value: node '{}' is a {}, not an input or constant", n.name, to_string(n.kind)));
  }
  return n.value;
}

std::size_t Graph::add_hook(Var node, GradientHook hook) {
  if (!hook) throw GraphError(fmt::format("add_hook: empty hook for node '{}'", g_[node.id()].name));
  g_[node.id()].hooks.emplace_back(next_hook_id_, std::move(hook));
  return next_hook_id_++;
}

void Graph::remove_hook(Var node, std::size_t hook_id) {
  auto& hooks = g_[node.id()].hooks;
  std::erase_if(hooks, [hook_id](const auto& h) { return h.first == hook_id; });
}

namespace {
// Finds one edge that closes a cycle, so the error can name the nodes involved.
struct CycleFinder : boost::default_dfs_visitor {
  std::pair<NodeId, NodeId>* found;
  bool* has_cycle;
  void back_edge(GraphStorage::edge_descriptor e, const GraphStorage& g) const {
    if (!*has_cycle) *found = {boost::source(e, g), boost::target(e, g)};
    *has_cycle = true;
  }
};
}  // namespace

const std::vector<NodeId>& Graph::reverse_topological_order() {
  if (order_valid_) return order_;
  order_.clear();
  order_.reserve(boost::num_vertices(g_));
  try {
    // Boost emits vertices in *reverse* topological order: every node before its operands.
    // That is exactly the order in which backward must visit them.
    boost::topological_sort(g_, std::back_inserter(order_));
  } catch (const boost::not_a_dag&) {
    std::pair<NodeId, NodeId> edge{};
    bool has_cycle = false;
    boost::depth_first_search(g_, boost::visitor(CycleFinder{{}, &edge, &has_cycle}));
    order_.clear();
    throw GraphError(
        fmt::format("graph: not a DAG: the edge '{}' -> '{}' closes a cycle, so no node order exists in which every "
                    "operand comes before its result",
                    g_[edge.first].name, g_[edge.second].name));
  }
  order_valid_ = true;
  return order_;
}

void Graph::check_finite(const Node& n, const Tensor& t, std::string_view what) const {
  if (!check_finite_ || all_finite(t)) return;
  const auto bad = first_non_finite(t);
  if (!bad) return;
  const auto cols = static_cast<std::size_t>(t.cols());
  throw NonFiniteError(fmt::format("{} '{}'{}: {} became {} at row {}, col {} of {}", to_string(n.kind), n.name,
                                   n.op ? fmt::format(" (op {})", n.op->name()) : "", what, t[*bad], *bad / cols,
                                   *bad % cols, to_string(t.shape())));
}

void Graph::evaluate(NodeId id, const OperandList& x, const Shape& out) {
  Node& n = g_[id];
  n.value.resize(out);
  n.op->forward(x.view(), n.value);
  check_finite(n, n.value, "value");
}

void Graph::compute(NodeId id) {
  const Gathered operands = gather(id);
  evaluate(id, operands.x, output_shape_of(*g_[id].op, operands.x.shape_list(), g_[id].name));
}

void Graph::forward() {
  const auto& order = reverse_topological_order();
  // Walking the reverse of Boost's order visits every operand before its result.
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    if (g_[*it].kind == NodeKind::op) compute(*it);
  }
}

// Backward in five steps: seed dL/dL = 1; visit the nodes in reverse topological order, every
// node after all the nodes that use it; at each node, whose gradient is now final, call the
// op's backward (the local chain rule dx[i] = (dy/dx[i])^T dy); check what it returned; add
// each share into the operand's gradient (a value used twice receives the sum of both uses).
void Graph::backward(Var loss) {
  seed_loss_gradient(loss.id());
  for (NodeId v : reverse_topological_order()) {
    Node& n = g_[v];
    if (!n.requires_grad) continue;
    finalize_gradient(v);
    // A zero gradient sends zero shares on (backward is linear in dy): nothing to do.
    if (!received_[v] || n.kind != NodeKind::op) continue;
    const Gathered operands = gather(v);
    std::vector<Tensor> dx = n.op->backward(operands.x.view(), n.value, n.grad, operands.x.mask());
    check_returned_gradients(n, operands, dx);
    accumulate(operands, dx);
  }
}

void Graph::seed_loss_gradient(NodeId loss) {
  Node& n = g_[loss];
  if (!n.value.shape().is_scalar()) {
    throw GraphError(
        fmt::format("backward: the loss must be a scalar [1 x 1], but '{}' is {}", n.name, to_string(n.value.shape())));
  }
  if (!n.requires_grad) {
    throw GraphError(fmt::format("backward: the loss '{}' does not depend on any parameter", n.name));
  }
  reverse_topological_order();  // throws on a cycle before any gradient is touched
  received_.assign(boost::num_vertices(g_), false);
  n.grad.resize(n.value.shape());
  n.grad.fill(1.0F);
  received_[loss] = true;
}

// Every consumer of the node has added its share by now: the gradient is final, so it is
// checked and the hooks may read it. A node no path leads from to the loss gets zero.
void Graph::finalize_gradient(NodeId id) {
  Node& n = g_[id];
  if (received_[id]) {
    check_finite(n, n.grad, "gradient");
  } else {
    n.grad.resize(n.value.shape());
    n.grad.fill(0.0F);
  }
  for (const auto& [hook_id, hook] : n.hooks) hook(GradientEvent{n.name, n.kind, n.value, n.grad});
}

void Graph::check_returned_gradients(const Node& n, const Gathered& operands, const std::vector<Tensor>& dx) const {
  if (dx.size() != operands.x.count) {
    throw GraphError(fmt::format("{} ({}): backward returned {} gradient(s) but the op has {} operand(s)", n.op->name(),
                                 n.name, dx.size(), operands.x.count));
  }
  for (std::size_t i = 0; i < operands.x.count; ++i) {
    if (!operands.x.needed[i] || dx[i].shape() == operands.x.shapes[i]) continue;
    throw GraphError(fmt::format("{} ({}): backward returned a gradient of shape {} for operand {} ('{}'), which is {}",
                                 n.op->name(), n.name, to_string(dx[i].shape()), i, g_[operands.ids[i]].name,
                                 to_string(operands.x.shapes[i])));
  }
}

// The first share is simply moved in (no zero-filling, no addition); later ones are added.
void Graph::accumulate(const Gathered& operands, std::vector<Tensor>& dx) {
  for (std::size_t i = 0; i < operands.x.count; ++i) {
    if (!operands.x.needed[i]) continue;
    const NodeId to = operands.ids[i];
    Node& operand = g_[to];
    if (!received_[to]) {
      std::swap(operand.grad, dx[i]);
      received_[to] = true;
      continue;
    }
    float* g = operand.grad.data();
    const float* d = dx[i].data();
    for (std::size_t k = 0; k < dx[i].size(); ++k) g[k] += d[k];
  }
}

}  // namespace gradflow::autodiff
