#include "autodiff/graph.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <boost/graph/depth_first_search.hpp>
#include <boost/graph/topological_sort.hpp>
#include <cmath>
#include <cstdint>
#include <iterator>

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

Graph::Scope::Scope(Graph& graph, std::string_view name) : graph_(graph) { graph_.scopes_.emplace_back(name); }
Graph::Scope::~Scope() { graph_.scopes_.pop_back(); }

Graph::NameChoice Graph::unique_name(std::string_view base) const {
  NameChoice choice;
  for (const auto& s : scopes_) choice.base += s + "/";
  choice.base += base;
  // Like TensorFlow: a second "layer1/matmul" becomes "layer1/matmul_1". The next suffix to
  // try is remembered per base name, so naming stays O(1) even for a chain of 1000 "add"s.
  if (!names_.contains(choice.base)) {
    choice.name = choice.base;
    return choice;
  }
  const auto it = next_suffix_.find(choice.base);
  for (choice.suffix = it == next_suffix_.end() ? 1 : it->second;; ++choice.suffix) {
    choice.name = fmt::format("{}_{}", choice.base, choice.suffix);
    if (!names_.contains(choice.name)) return choice;
  }
}

// Only a node that was really added takes its name: a failed apply() leaves it free.
void Graph::claim_name(const NameChoice& choice) {
  names_.insert(choice.name);
  if (choice.suffix > 0) next_suffix_[choice.base] = choice.suffix + 1;
}

Var Graph::add_leaf(NodeKind kind, std::string_view name, Tensor value, bool requires_grad) {
  Node n;
  n.kind = kind;
  const NameChoice choice = unique_name(name);
  n.name = choice.name;
  n.value = std::move(value);
  n.requires_grad = requires_grad;
  check_finite(n, n.value, "value");
  const NodeId id = boost::add_vertex(std::move(n), g_);
  claim_name(choice);
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
  const NameChoice choice = unique_name(name.empty() ? op->name() : name);
  const std::string& node_name = choice.name;
  if (operands.size() != op->arity()) {
    throw GraphError(fmt::format("{} ({}): takes {} operand(s) but {} were given", op->name(), node_name, op->arity(),
                                 operands.size()));
  }
  if (operands.size() > kMaxArity) {
    throw GraphError(fmt::format("{} ({}): ops may take at most {} operands", op->name(), node_name, kMaxArity));
  }
  std::vector<Shape> shapes;
  bool requires_grad = false;
  std::size_t position = 0;
  for (const Var& x : operands) {
    if (&x.graph() != this) {
      throw GraphError(fmt::format("{} ({}): operand {} belongs to another graph", op->name(), node_name, position));
    }
    shapes.push_back(x.shape());
    requires_grad = requires_grad || (g_[x.id()].requires_grad && op->differentiable(position));
    ++position;
  }
  Shape out;
  try {
    out = op->output_shape(shapes);
  } catch (const ShapeError& e) {
    throw ShapeError(fmt::format("{} ({}): {}", op->name(), node_name, e.what()));
  }

  Node n;
  n.kind = NodeKind::op;
  n.op = std::move(op);
  n.name = node_name;
  n.value = Tensor(out);
  n.requires_grad = requires_grad;
  const NodeId id = boost::add_vertex(std::move(n), g_);
  claim_name(choice);
  position = 0;
  for (const Var& x : operands) boost::add_edge(x.id(), id, Operand{position++}, g_);
  order_valid_ = false;
  compute(id);
  return {*this, id};
}

void Graph::add_edge_unchecked(NodeId from, NodeId to, std::size_t position) {
  boost::add_edge(from, to, Operand{position}, g_);
  order_valid_ = false;
}

std::vector<NodeId> Graph::operands(NodeId id) const {
  std::vector<NodeId> result(boost::in_degree(id, g_));
  for (auto e : boost::make_iterator_range(boost::in_edges(id, g_))) {
    const std::size_t pos = g_[e].position;
    if (pos >= result.size()) {
      throw GraphError(fmt::format("node '{}': operand position {} out of range", g_[id].name, pos));
    }
    result[pos] = boost::source(e, g_);
  }
  return result;
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

namespace {
// True if every value is finite. A float is NaN or infinite exactly when its 8 exponent bits
// are all ones, so we OR together one flag per value: integer work with no early exit, which
// the compiler turns into vector instructions (this check runs on every value, every step).
bool all_finite(const Tensor& t) {
  const float* v = t.data();
  unsigned bad = 0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    bad |= static_cast<unsigned>((std::bit_cast<std::uint32_t>(v[i]) & 0x7f800000U) == 0x7f800000U);
  }
  return bad == 0;
}
}  // namespace

void Graph::check_finite(const Node& n, const Tensor& t, std::string_view what) const {
  if (!check_finite_ || all_finite(t)) return;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (!std::isfinite(t[i])) {
      const auto col = static_cast<int>(i % static_cast<std::size_t>(t.cols()));
      const auto row = static_cast<int>(i / static_cast<std::size_t>(t.cols()));
      throw NonFiniteError(fmt::format("{} '{}'{}: {} became {} at row {}, col {} of {}", to_string(n.kind), n.name,
                                       n.op ? fmt::format(" (op {})", n.op->name()) : "", what, t[i], row, col,
                                       to_string(t.shape())));
    }
  }
}

void Graph::compute(NodeId id) {
  Node& n = g_[id];
  std::array<const Tensor*, kMaxArity> ptrs{};
  std::array<Shape, kMaxArity> shapes{};
  std::size_t count = 0;
  for (auto e : boost::make_iterator_range(boost::in_edges(id, g_))) {
    const std::size_t pos = g_[e].position;
    ptrs.at(pos) = &g_[boost::source(e, g_)].value;
    shapes.at(pos) = ptrs[pos]->shape();
    ++count;
  }
  Shape out;
  try {
    out = n.op->output_shape(std::span<const Shape>(shapes.data(), count));
  } catch (const ShapeError& e) {
    throw ShapeError(fmt::format("{} ({}): {}", n.op->name(), n.name, e.what()));
  }
  n.value.resize(out);
  n.op->forward(Operands(ptrs, count), n.value);
  check_finite(n, n.value, "value");
}

void Graph::forward() {
  const auto& order = reverse_topological_order();
  // Walking the reverse of Boost's order visits every operand before its result.
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    if (g_[*it].kind == NodeKind::op) compute(*it);
  }
}

void Graph::backward(Var loss) {
  Node& loss_node = g_[loss.id()];
  if (!loss_node.value.shape().is_scalar()) {
    throw GraphError(fmt::format("backward: the loss must be a scalar [1 x 1], but '{}' is {}", loss_node.name,
                                 to_string(loss_node.value.shape())));
  }
  const auto& order = reverse_topological_order();

  // Step 1: no node has received any gradient yet in this pass.
  if (!loss_node.requires_grad) {
    throw GraphError(fmt::format("backward: the loss '{}' does not depend on any parameter", loss_node.name));
  }
  received_.assign(boost::num_vertices(g_), false);

  // Step 2: the seed. dL/dL = 1.
  loss_node.grad.resize(loss_node.value.shape());
  loss_node.grad.fill(1.0F);
  received_[loss.id()] = true;

  // Step 3: visit nodes so that every node comes after all the nodes that use it. When we
  // reach a node, every consumer has already added its share into node.grad: the gradient is
  // final (the multivariable chain rule sums over all uses), so hooks may read it now.
  for (NodeId v : order) {
    Node& n = g_[v];
    if (!n.requires_grad) continue;
    const bool reached = received_[v];
    if (reached) {
      check_finite(n, n.grad, "gradient");
    } else {
      // No path leads from this node to the loss: its gradient is zero.
      n.grad.resize(n.value.shape());
      n.grad.fill(0.0F);
    }
    for (const auto& [id, hook] : n.hooks) hook(GradientEvent{n.name, n.kind, n.value, n.grad});
    // A zero gradient sends zero shares on (backward is linear in dy): nothing to do.
    if (!reached || n.kind != NodeKind::op) continue;

    std::array<const Tensor*, kMaxArity> ptrs{};
    std::array<NodeId, kMaxArity> ids{};
    std::array<bool, kMaxArity> needed{};
    std::size_t count = 0;
    for (auto e : boost::make_iterator_range(boost::in_edges(v, g_))) {
      const std::size_t pos = g_[e].position;
      ids.at(pos) = boost::source(e, g_);
      ptrs[pos] = &g_[ids[pos]].value;
      needed[pos] = g_[ids[pos]].requires_grad && n.op->differentiable(pos);
      ++count;
    }
    // The op's local chain rule: dx[i] = (dy/dx[i])^T dy.
    std::vector<Tensor> dx = n.op->backward(Operands(ptrs, count), n.value, n.grad, GradMask(needed));
    if (dx.size() != count) {
      throw GraphError(fmt::format("{} ({}): backward returned {} gradient(s) but the op has {} operand(s)",
                                   n.op->name(), n.name, dx.size(), count));
    }
    for (std::size_t i = 0; i < count; ++i) {
      if (!needed[i]) continue;
      Node& operand = g_[ids[i]];
      if (dx[i].shape() != operand.value.shape()) {
        throw GraphError(fmt::format(
            "{} ({}): backward returned a gradient of shape {} for operand {} ('{}'), which is {}", n.op->name(),
            n.name, to_string(dx[i].shape()), i, operand.name, to_string(operand.value.shape())));
      }
      // Accumulate: a value used twice receives the sum of both uses' gradients. The first
      // share is simply moved in (no zero-filling, no addition); later ones are added to it.
      if (!received_[ids[i]]) {
        std::swap(operand.grad, dx[i]);
        received_[ids[i]] = true;
        continue;
      }
      float* g = operand.grad.data();
      const float* d = dx[i].data();
      for (std::size_t k = 0; k < dx[i].size(); ++k) g[k] += d[k];
    }
  }
}

}  // namespace gradflow::autodiff
