// Exercise 04: backward itself. Your order and your gradients against the engine's backward on
// hand-made graphs (fan-out, a diamond, unreachable nodes, labels) and on many random graphs.
#include <algorithm>
#include <cmath>
#include <random>
#include <set>

#include "autodiff/autodiff.hpp"
#include "coursework/ex04_backward.hpp"
#include "helpers.hpp"

using namespace gradflow::autodiff;
using gradflow::coursework::backward_order;
using gradflow::coursework::gradients;

namespace {

// Compares the student's gradients with what Graph::backward left in every node.
void check_against_engine(Graph& g, Var loss, const std::string& what) {
  g.backward(loss);
  const std::vector<Tensor> mine = gradients(g, loss.id());
  REQUIRE(mine.size() == g.size());
  for (NodeId v = 0; v < g.size(); ++v) {
    const Node& n = g.node(v);
    if (!n.requires_grad) continue;
    {
      INFO(what << ": node '" << n.name << "' should get a gradient of shape " << to_string(n.value.shape())
                << " but got " << to_string(mine[v].shape()));
      REQUIRE(mine[v].shape() == n.value.shape());
    }
    for (std::size_t k = 0; k < n.grad.size(); ++k) {
      const double a = mine[v][k], e = n.grad[k];
      INFO(what << ": node '" << n.name << "', element " << k << ": yours " << a << ", engine's " << e);
      REQUIRE(std::fabs(a - e) <= 1e-5 * (1 + std::fabs(e)));
    }
  }
}

// Every node the loss depends on: a reference for backward_order's set.
std::set<NodeId> ancestors(const Graph& g, NodeId loss) {
  std::set<NodeId> seen{loss};
  std::vector<NodeId> todo{loss};
  while (!todo.empty()) {
    const NodeId v = todo.back();
    todo.pop_back();
    for (NodeId u : g.operands(v)) {
      if (seen.insert(u).second) todo.push_back(u);
    }
  }
  return seen;
}

void check_order(const Graph& g, NodeId loss, const std::string& what) {
  const std::vector<NodeId> order = backward_order(g, loss);
  const std::set<NodeId> expected = ancestors(g, loss);
  INFO(what << ": backward_order lists " << order.size() << " nodes; the loss depends on " << expected.size());
  REQUIRE(order.size() == expected.size());
  REQUIRE(std::set<NodeId>(order.begin(), order.end()) == expected);
  REQUIRE(order.front() == loss);
  std::vector<std::size_t> position(g.size());
  for (std::size_t i = 0; i < order.size(); ++i) position[order[i]] = i;
  for (NodeId v : order) {
    for (NodeId u : g.operands(v)) {
      INFO(what << ": node '" << g.node(v).name << "' must come before its operand '" << g.node(u).name << "'");
      REQUIRE(position[v] < position[u]);
    }
  }
}

Tensor random_tensor(Shape s, std::mt19937_64& rng) {
  std::uniform_real_distribution<float> u(-1.0F, 1.0F);
  Tensor t(s);
  for (float& v : t.values()) v = u(rng);
  return t;
}

}  // namespace

TEST_CASE("ex04 fan-out: a value used three times gets the sum of the three shares", "[ex04]") {
  Graph g;
  Var x = g.parameter("x", Tensor::from_rows({{0.5F, -1.5F, 2.0F}}));
  Var y = x * x + x;  // x feeds two mul operands and one add operand: dL/dx = 2x + 1
  Var loss = sum(y);
  check_order(g, loss.id(), "x * x + x");
  check_against_engine(g, loss, "x * x + x");
  const auto mine = gradients(g, loss.id());
  for (std::size_t k = 0; k < 3; ++k) CHECK(mine[x.id()][k] == Approx(2 * x.value()[k] + 1));
}

TEST_CASE("ex04 a diamond: two paths from one parameter meet again", "[ex04]") {
  Graph g;
  Var w = g.parameter("w", Tensor::from_rows({{0.3F, -0.8F}, {1.2F, 0.1F}}));
  Var a = ops::tanh(w);
  Var b = ops::sigmoid(w);
  Var loss = mean(a * b + a);
  check_order(g, loss.id(), "diamond");
  check_against_engine(g, loss, "diamond");
}

TEST_CASE("ex04 unreachable nodes get zero gradients and are not in the order", "[ex04]") {
  Graph g;
  Var w = g.parameter("w", Tensor::from_rows({{1.0F, 2.0F}}));
  Var unused = g.parameter("unused", Tensor::from_rows({{3.0F, 4.0F}}));
  Var side = ops::tanh(unused * w);  // uses w, but the loss does not use side
  Var loss = sum(w * w);
  (void)side;
  check_order(g, loss.id(), "unreachable");
  const auto order = backward_order(g, loss.id());
  CHECK(std::find(order.begin(), order.end(), unused.id()) == order.end());
  CHECK(std::find(order.begin(), order.end(), side.id()) == order.end());
  check_against_engine(g, loss, "unreachable");
  const auto mine = gradients(g, loss.id());
  REQUIRE(mine[unused.id()].shape() == unused.shape());
  CHECK(mine[unused.id()][0] == 0.0F);
  CHECK(mine[side.id()][1] == 0.0F);
}

TEST_CASE("ex04 inputs and labels get no gradient, parameters do", "[ex04]") {
  Graph g;
  Var x = g.input("x", Tensor::from_rows({{0.2F, -0.4F, 1.0F}, {0.7F, 0.1F, -0.3F}}));
  Var w = g.parameter("w", Tensor::from_rows({{0.5F, -0.2F}, {0.1F, 0.3F}, {-0.6F, 0.4F}}));
  Var b = g.parameter("b", Tensor::from_rows({{0.05F, -0.05F}}));
  Var t = g.input("t", Tensor::from_rows({{1.0F, 0.0F}, {0.0F, 1.0F}}));
  Var loss = softmax_cross_entropy(matmul(x, w) + b, t);
  check_against_engine(g, loss, "dense + softmax cross-entropy");
  const auto mine = gradients(g, loss.id());
  CHECK(mine[x.id()].empty());
  CHECK(mine[t.id()].empty());
}

TEST_CASE("ex04 your backward agrees with the engine's on 60 random graphs", "[ex04]") {
  // Every node is [3 x 3], so any two can be added, multiplied or matmul'ed. Operands are drawn
  // from all earlier nodes, so values are reused (fan-out) and some nodes never reach the loss.
  for (std::uint64_t seed = 1; seed <= 60; ++seed) {
    std::mt19937_64 rng(seed);
    Graph g;
    std::vector<Var> nodes;
    const int leaves = 2 + static_cast<int>(rng() % 3);
    for (int i = 0; i < leaves; ++i) {
      nodes.push_back(rng() % 4 == 0 ? g.input("x", random_tensor({3, 3}, rng))
                                     : g.parameter("w", random_tensor({3, 3}, rng)));
    }
    const int ops_count = 4 + static_cast<int>(rng() % 14);
    for (int i = 0; i < ops_count; ++i) {
      // Prefer recent nodes so the graph is deep, but reach back to make fan-out likely.
      auto pick = [&] {
        const std::size_t n = nodes.size();
        return nodes[rng() % 2 == 0 ? n - 1 - rng() % std::min<std::size_t>(n, 3) : rng() % n];
      };
      Var a = pick(), b = pick();
      switch (rng() % 7) {
        case 0: nodes.push_back(a + b); break;
        case 1: nodes.push_back(a * b); break;
        case 2: nodes.push_back(a - b); break;
        case 3: nodes.push_back(ops::tanh(a)); break;
        case 4: nodes.push_back(ops::sigmoid(a)); break;
        case 5: nodes.push_back(scale(matmul(a, b), 0.5F)); break;
        default: nodes.push_back(a * a); break;
      }
    }
    // The loss uses the last node and one earlier one; everything else may or may not reach it.
    Var loss = sum(nodes.back() + nodes[nodes.size() / 2]);
    if (!loss.node().requires_grad) continue;  // a graph of inputs only: nothing to compare
    const std::string what = "random graph " + std::to_string(seed);
    check_order(g, loss.id(), what);
    check_against_engine(g, loss, what);
  }
}
