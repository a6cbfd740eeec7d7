#pragma once
// The computation graph: every value of a forward pass is a node of a Boost.Graph
// adjacency_list, and every use of a value as an op's operand is an edge (operand -> result)
// that records the operand's position. Backward walks this graph from the loss to the leaves.
//
// Lifetime rules a learner can rely on:
//  * Building an expression (`relu(matmul(x, w) + b)`) adds nodes and computes their values at
//    once, so every intermediate value can be printed as soon as it exists.
//  * A training loop builds the graph of one step once, then *replays* it: set new input
//    values, call forward(), backward(), update the parameters in place. The graph therefore
//    never grows across steps and a step allocates nothing new.
//  * Node handles (`Var`, `NodeId`) stay valid for the graph's lifetime; references to node
//    properties do not survive add_vertex (a vector may reallocate), so never keep them.

#include <array>
#include <boost/graph/adjacency_list.hpp>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "autodiff/buffer_pool.hpp"
#include "autodiff/errors.hpp"
#include "autodiff/naming.hpp"
#include "autodiff/op.hpp"
#include "autodiff/tensor.hpp"

namespace gradflow::autodiff {

class Graph;
class Var;

enum class NodeKind {
  input,      // data fed in each step (images, labels): no gradient
  constant,   // fixed data that is part of the model: no gradient
  parameter,  // learnable weights: gets a gradient, updated by an optimizer
  op,         // the result of an op applied to other nodes
};
std::string_view to_string(NodeKind kind);

// What a gradient hook sees: the node, its value and its now final gradient dL/d(value).
struct GradientEvent {
  const std::string& name;
  NodeKind kind;
  const Tensor& value;
  const Tensor& grad;
};
using GradientHook = std::function<void(const GradientEvent&)>;

// Bundled vertex property: everything the graph knows about one node.
struct Node {
  NodeKind kind = NodeKind::op;
  std::shared_ptr<const Op> op;  // null for leaves (input, constant, parameter)
  std::string name;              // full name with scope, e.g. "layer3/kernel"
  Tensor value;
  Tensor grad;                                              // dL/d(value); sized like value once backward has run
  bool requires_grad = false;                               // parameters, and ops with at least one such operand
  std::vector<std::pair<std::size_t, GradientHook>> hooks;  // (id, callback)

  // "layer3" for "layer3/kernel"; empty for a name without a scope.
  [[nodiscard]] std::string_view scope() const;
  // "kernel" for "layer3/kernel".
  [[nodiscard]] std::string_view short_name() const;
};

// Bundled edge property: which operand of the target op the source node is.
struct Operand {
  std::size_t position = 0;
};

// Selects the container of each node's in-edges and out-edges: a std::vector whose arrays come
// from the per-thread block pool (Boost.Graph's documented way to choose an adjacency_list's
// storage: a selector type plus container_gen and parallel_edge_traits, below). A node of a
// graph rebuilt every iteration then costs no malloc for its edge lists.
struct pooled_vecS {};

}  // namespace gradflow::autodiff

namespace boost {
template <class ValueType>
struct container_gen<gradflow::autodiff::pooled_vecS, ValueType> {
  using type = std::vector<ValueType, gradflow::autodiff::detail::PooledAllocator<ValueType>>;
};
template <>
struct parallel_edge_traits<gradflow::autodiff::pooled_vecS> {
  using type = allow_parallel_edge_tag;  // as vecS: an op may use one value as two operands (x * x)
};
}  // namespace boost

namespace gradflow::autodiff {

// The last argument (EdgeList, default listS) is the container of all edges with their
// properties: a vector, because a graph only ever gains edges, and a list would cost a heap
// allocation for every edge of a graph that is rebuilt every iteration. (Edge descriptors then
// point into that vector, so, like node references, they do not survive adding an edge.)
using GraphStorage = boost::adjacency_list<pooled_vecS, boost::vecS, boost::bidirectionalS, Node, Operand,
                                           boost::no_property, boost::vecS>;
using NodeId = GraphStorage::vertex_descriptor;

class Graph {
 public:
  Graph() = default;
  Graph(const Graph&) = delete;  // Vars point at their graph: it must not move or copy
  Graph& operator=(const Graph&) = delete;

  // Leaves.
  Var input(std::string_view name, Tensor value);
  Var constant(std::string_view name, Tensor value);
  Var parameter(std::string_view name, Tensor value);

  // Adds op(operands) as a new node and computes its value now. Throws ShapeError (naming the
  // op, the node and the shapes) when the operands do not fit. `name` defaults to the op name.
  Var apply(std::shared_ptr<const Op> op, std::initializer_list<Var> operands, std::string_view name = {});

  // Names created while a Scope is alive are prefixed with it: {Scope s(g, "layer3"); ...}
  // gives "layer3/kernel", "layer3/matmul". Scopes nest ("model/layer3/...").
  class Scope {
   public:
    Scope(Graph& graph, std::string_view name);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    Graph& graph_;
  };

  // Replaces a leaf's value (the next batch). The shape may change; forward() re-checks shapes.
  void set_value(Var leaf, Tensor value);
  // The value of an input or constant, to refill in place (no allocation once it has grown to
  // the batch size). Throws GraphError for op nodes and parameters (optimizers own those).
  Tensor& input_value(Var leaf);
  // Recomputes every op node, in topological order, from the current leaf values.
  void forward();
  // Back-propagates from `loss` (which must be [1 x 1]): zeroes every gradient, seeds
  // dL/dL = 1, then visits the nodes in reverse topological order. Hooks run as each node's
  // gradient becomes final.
  void backward(Var loss);

  // Calls `hook` during every later backward pass, once the node's gradient is final.
  // Returns an id for remove_hook: whoever owns the state a hook captures removes it before
  // that state dies (GradientMonitor does so in its destructor).
  std::size_t add_hook(Var node, GradientHook hook);
  void remove_hook(Var node, std::size_t hook_id);

  // When on (the default), forward and backward stop at the first NaN or infinity and name the
  // node where it appeared (NonFiniteError).
  void set_check_finite(bool on) { check_finite_ = on; }

  // Read access for diagrams, statistics and tests.
  [[nodiscard]] const GraphStorage& storage() const { return g_; }
  [[nodiscard]] const Node& node(NodeId id) const { return g_[id]; }
  Node& node(NodeId id) { return g_[id]; }
  [[nodiscard]] std::size_t size() const { return boost::num_vertices(g_); }
  // The node's operands, ordered by operand position (in_edges come in insertion order).
  [[nodiscard]] std::vector<NodeId> operands(NodeId id) const;
  // All parameter nodes, in creation order.
  [[nodiscard]] std::vector<Var> parameters();
  // The node called `name`; throws GraphError if there is none.
  [[nodiscard]] Var find(std::string_view name);

  // Tests reach private members (add_edge_unchecked) through this friend.
  friend struct GraphTestAccess;

 private:
  friend class Var;

  // One node's operands, gathered in operand order, with their node ids.
  struct Gathered {
    OperandList x;
    std::array<NodeId, kMaxArity> ids{};
  };
  [[nodiscard]] Gathered gather(NodeId id) const;

  Var add_leaf(NodeKind kind, std::string_view name, Tensor value, bool requires_grad);
  const std::vector<NodeId>& reverse_topological_order();
  // y = op(x) into the node's value, which is resized to `out` first.
  void evaluate(NodeId id, const OperandList& x, const Shape& out);
  void compute(NodeId id);  // evaluate() with operands and shape gathered from the graph
  void check_finite(const Node& n, const Tensor& t, std::string_view what) const;

  // The steps of backward(), in the order it takes them.
  void seed_loss_gradient(NodeId loss);
  void finalize_gradient(NodeId id);
  void check_returned_gradients(const Node& n, const Gathered& operands, const std::vector<Tensor>& dx) const;
  void accumulate(const Gathered& operands, std::vector<Tensor>& dx);

  // A raw edge, bypassing apply(): only tests that need a malformed graph (a cycle) use it.
  void add_edge_unchecked(NodeId from, NodeId to, std::size_t position);

  GraphStorage g_;
  NameTable names_;
  std::vector<NodeId> order_;  // cached reverse topological order
  bool order_valid_ = false;
  std::vector<bool> received_;  // backward: has the node received a gradient share yet?
  bool check_finite_ = true;
  std::size_t next_hook_id_ = 0;
};

// A handle to a node: cheap to copy, with operator overloads so that model code reads like
// the maths. Valid as long as its Graph lives.
class Var {
 public:
  Var() = default;
  Var(Graph& graph, NodeId id) : graph_(&graph), id_(id) {}

  [[nodiscard]] Graph& graph() const;
  [[nodiscard]] NodeId id() const { return id_; }
  [[nodiscard]] const Node& node() const { return graph().node(id_); }
  [[nodiscard]] const Tensor& value() const { return node().value; }
  [[nodiscard]] const Tensor& grad() const { return node().grad; }
  [[nodiscard]] const Shape& shape() const { return value().shape(); }
  [[nodiscard]] const std::string& name() const { return node().name; }
  [[nodiscard]] bool valid() const { return graph_ != nullptr; }
  // Parameters only: the value an optimizer updates in place.
  [[nodiscard]] Tensor& mutable_value() const;

 private:
  Graph* graph_ = nullptr;
  NodeId id_ = 0;
};

}  // namespace gradflow::autodiff
