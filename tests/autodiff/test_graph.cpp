// The engine: gradient accumulation, forward replay, hooks and the error messages.
#include <cmath>
#include <limits>

#include "autodiff/finite.hpp"
#include "test_helpers.hpp"

using namespace gradflow::autodiff;
using gradflow::autodiff::testing::check_tensor;

TEST_CASE("a value used twice receives the sum of both gradients (x * x)", "[graph]") {
  Graph g;
  Var x = g.parameter("x", Tensor::from_rows({{3, -2}}));
  g.backward(sum(x * x));  // d(x^2)/dx = 2x, arriving as x + x through mul's two operands
  check_tensor(x.grad(), Tensor::from_rows({{6, -4}}));
}

TEST_CASE("a diamond graph adds the gradients of both paths", "[graph]") {
  //      x
  //    /   \            L = sum(3x + x^2)
  //  3x     x^2         dL/dx = 3 + 2x
  //    \   /
  //     add
  Graph g;
  Var x = g.parameter("x", Tensor::from_rows({{1, 2}}));
  Var loss = sum(x * 3.0F + square(x));
  g.backward(loss);
  check_tensor(x.grad(), Tensor::from_rows({{5, 7}}));
  CHECK(loss.value().item() == Approx(3 + 1 + 6 + 4));
}

namespace {
// A small model: L = mean((x w + b)^2). Returns the loss; w and b come back through the refs.
Var build_model(Graph& g, const Tensor& x, Var& input, Var& w, Var& b) {
  input = g.input("x", x);
  w = g.parameter("w", Tensor::from_rows({{0.5F, -1.0F}, {1.5F, 0.25F}, {-0.75F, 1.0F}}));
  b = g.parameter("b", Tensor::from_rows({{0.1F, -0.2F}}));
  return mean(square(matmul(input, w) + b));
}

Tensor batch(int step) {
  const auto s = static_cast<float>(step);
  return Tensor::from_rows({{std::sin(s), 1.0F, 0.5F * s / 100.0F}, {-1.0F, std::cos(s), 2.0F}});
}
}  // namespace

TEST_CASE("forward replay: new inputs give new values, the graph does not grow, gradients stay right", "[graph]") {
  Graph g;
  Var x, w, b;
  Var loss = build_model(g, batch(0), x, w, b);
  const std::size_t size = g.size();
  const float first_loss = loss.value().item();

  for (int step = 1; step <= 100; ++step) {
    g.set_value(x, batch(step));
    g.forward();
    g.backward(loss);
  }
  CHECK(g.size() == size);
  CHECK(loss.value().item() != first_loss);

  // A graph built from scratch on the last batch must agree exactly.
  Graph fresh;
  Var fx, fw, fb;
  Var fresh_loss = build_model(fresh, batch(100), fx, fw, fb);
  fresh.backward(fresh_loss);
  CHECK(loss.value().item() == fresh_loss.value().item());
  check_tensor(w.grad(), fw.grad());
  check_tensor(b.grad(), fb.grad());
}

TEST_CASE("forward replay accepts a batch of another size", "[graph]") {
  Graph g;
  Var x, w, b;
  Var loss = build_model(g, batch(0), x, w, b);
  g.set_value(x, Tensor({5, 3}, 1.0F));
  g.forward();
  g.backward(loss);
  CHECK(g.find("bias_add").shape() == Shape{5, 2});
  CHECK(b.grad().shape() == Shape{1, 2});
}

TEST_CASE("a matmul shape error names the op, the node and both shapes", "[graph][errors]") {
  Graph g;
  Var x = g.input("x", Tensor({30, 10}));
  Var w = g.parameter("w", Tensor({12, 10}));
  Graph::Scope scope(g, "layer3");
  CHECK_THROWS_AS(matmul(x, w), ShapeError);
  CHECK_THROWS_WITH(matmul(x, w),
                    "matmul (layer3/matmul): inner dimensions differ, left is [30 x 10] but right is "
                    "[12 x 10]");
}

TEST_CASE("a bias of the wrong width is reported by bias_add with both shapes", "[graph][errors]") {
  Graph g;
  Var x = g.input("x", Tensor({30, 10}));
  Var b = g.parameter("b", Tensor({1, 12}));
  Graph::Scope scope(g, "layer1");
  CHECK_THROWS_WITH(x + b, "bias_add (layer1/bias_add): bias must be [1 x 10] to match [30 x 10] but is [1 x 12]");
  CHECK_THROWS_WITH(x - g.parameter("c", Tensor({3, 10})),
                    "sub (layer1/sub): shapes differ, left is [30 x 10] but right is [3 x 10]");
  CHECK_THROWS_WITH(softmax_cross_entropy(x, g.input("t", Tensor({30, 9}))),
                    Catch::Contains("softmax_cross_entropy (layer1/softmax_cross_entropy)") &&
                        Catch::Contains("[30 x 10]") && Catch::Contains("[30 x 9]"));
}

TEST_CASE("backward refuses a loss that is not a scalar", "[graph][errors]") {
  Graph g;
  Var w = g.parameter("w", Tensor({2, 3}, 1.0F));
  Var y = square(w);
  CHECK_THROWS_AS(g.backward(y), GraphError);
  CHECK_THROWS_WITH(g.backward(y),
                    Catch::Contains("[1 x 1]") && Catch::Contains("'square'") && Catch::Contains("[2 x 3]"));
}

TEST_CASE("backward refuses a graph with a cycle and names the nodes", "[graph][errors]") {
  Graph g;
  Var a = g.parameter("a", Tensor({1, 1}, 1.0F));
  Var b = neg(a);
  Var c = neg(b);
  GraphTestAccess::add_edge_unchecked(g, c.id(), b.id(), 1);  // b now (also) depends on c: a cycle b -> c -> b
  CHECK_THROWS_AS(g.backward(c), GraphError);
  CHECK_THROWS_WITH(g.backward(c), Catch::Contains("cycle") && Catch::Contains("'" + b.name() + "'") &&
                                       Catch::Contains("'" + c.name() + "'"));
  CHECK_THROWS_AS(g.forward(), GraphError);
}

namespace {
enum class Breakage { count, shape };
// y = 2x, with a backward that breaks the op contract.
struct BrokenDouble final : Op {
  Breakage how;
  explicit BrokenDouble(Breakage h) : how(h) {}
  [[nodiscard]] std::string_view name() const override { return "broken_double"; }
  [[nodiscard]] std::size_t arity() const override { return 1; }
  [[nodiscard]] Shape output_shape(std::span<const Shape> x) const override { return x[0]; }
  void forward(const Operands& x, Tensor& y) const override {
    for (std::size_t i = 0; i < y.size(); ++i) y[i] = 2 * x[0][i];
  }
  [[nodiscard]] std::vector<Tensor> backward(const Operands& x, const Tensor& /*y*/, const Tensor& /*dy*/,
                                             const GradMask& /*needed*/) const override {
    if (how == Breakage::count) return {Tensor(x[0].shape()), Tensor(x[0].shape())};
    return {Tensor({x[0].rows() + 1, x[0].cols()})};
  }
};
}  // namespace

TEST_CASE("backward reports an op that returns the wrong number of gradients", "[graph][errors]") {
  Graph g;
  Var w = g.parameter("w", Tensor({2, 3}, 1.0F));
  Var y = g.apply(std::make_shared<BrokenDouble>(Breakage::count), {w}, "layer1/double");
  Var loss = sum(y);
  CHECK_THROWS_WITH(g.backward(loss),
                    "broken_double (layer1/double): backward returned 2 gradient(s) but the op "
                    "has 1 operand(s)");
}

TEST_CASE("backward reports an op that returns a gradient of the wrong shape", "[graph][errors]") {
  Graph g;
  Var w = g.parameter("w", Tensor({2, 3}, 1.0F));
  Var y = g.apply(std::make_shared<BrokenDouble>(Breakage::shape), {w});
  Var loss = sum(y);
  CHECK_THROWS_WITH(g.backward(loss),
                    "broken_double (broken_double): backward returned a gradient of shape [3 x 3] "
                    "for operand 0 ('w'), which is [2 x 3]");
}

TEST_CASE("hooks fire once per backward, consumers first, and see the final accumulated gradient", "[hooks]") {
  Graph g;
  Var x = g.parameter("x", Tensor::from_rows({{1, 2}}));
  Var sq = x * x;          // x used twice here ...
  Var loss = sum(sq + x);  // ... and once more here: dL/dx = 2x + 1
  std::vector<std::string> order;
  std::vector<Tensor> seen_x;
  g.add_hook(x, [&](const GradientEvent& e) {
    order.push_back(e.name);
    seen_x.push_back(e.grad);
    CHECK(e.kind == NodeKind::parameter);
  });
  g.add_hook(sq, [&](const GradientEvent& e) { order.push_back(e.name); });
  g.add_hook(loss, [&](const GradientEvent& e) {
    order.push_back(e.name);
    CHECK(e.grad.item() == 1.0F);
  });

  g.backward(loss);
  REQUIRE(order.size() == 3);
  CHECK(order[0] == loss.name());
  CHECK(order[1] == sq.name());
  CHECK(order[2] == "x");
  REQUIRE(seen_x.size() == 1);
  check_tensor(seen_x[0], Tensor::from_rows({{3, 5}}));

  g.backward(loss);  // a second pass fires every hook once more, with gradients zeroed first
  CHECK(order.size() == 6);
  REQUIRE(seen_x.size() == 2);
  check_tensor(seen_x[1], Tensor::from_rows({{3, 5}}));
}

TEST_CASE("a NaN from the log of a negative number is reported at the node where it appears", "[graph][errors]") {
  Graph g;
  Var x = g.input("x", Tensor::from_rows({{2, 3}}));
  Var w = g.parameter("w", Tensor::from_rows({{1, 1}}));
  Var loss;
  {
    Graph::Scope scope(g, "loss");
    loss = sum(log(x * w));
  }
  g.backward(loss);  // fine while x > 0
  g.set_value(x, Tensor::from_rows({{2, -3}}));
  CHECK_THROWS_AS(g.forward(), NonFiniteError);
  CHECK_THROWS_WITH(g.forward(),
                    Catch::Contains("'loss/log'") && Catch::Contains("(op log)") && Catch::Contains("row 0, col 1"));

  Graph direct;
  Var negative = direct.parameter("negative", Tensor::from_rows({{-1}}));
  CHECK_THROWS_WITH(log(negative), Catch::Contains("'log'") && Catch::Contains("nan"));

  direct.set_check_finite(false);
  CHECK(std::isnan(log(negative).value().item()));
}

TEST_CASE("a node with no path to the loss gets a zero gradient, its hooks still fire, and repeated passes agree",
          "[graph][hooks]") {
  Graph g;
  Var x = g.parameter("x", Tensor::from_rows({{1, 2}}));
  Var unused = g.parameter("unused", Tensor::from_rows({{5, 5, 5}}));
  Var side = exp(unused);  // built, but the loss does not depend on it
  Var loss = sum(x * 3.0F);
  int fired = 0;
  g.add_hook(unused, [&](const GradientEvent& e) {
    ++fired;
    CHECK(e.grad.shape() == Shape{1, 3});
  });
  for (int pass = 0; pass < 3; ++pass) {  // the first share is moved in, not added: no leftovers
    g.backward(loss);
    check_tensor(x.grad(), Tensor::from_rows({{3, 3}}));
    check_tensor(unused.grad(), Tensor::from_rows({{0, 0, 0}}));
    check_tensor(side.grad(), Tensor::from_rows({{0, 0, 0}}));
  }
  CHECK(fired == 3);
}

TEST_CASE("node names get the next free suffix, whatever names were asked for before", "[graph][names]") {
  NameTable t;
  // Asks for `requested` and takes the name it gets.
  auto take = [&t](std::string_view requested) {
    const NameTable::Choice c = t.choose(requested);
    t.claim(c);
    return c.name;
  };
  CHECK(take("a") == "a");
  CHECK(take("a") == "a_1");
  CHECK(take("a_3") == "a_3");  // asked for explicitly
  CHECK(take("a") == "a_2");
  CHECK(take("a") == "a_4");  // a_3 is taken
  CHECK(take("a_1") == "a_1_1");
  CHECK(take("a_1") == "a_1_2");
  CHECK(take("a_1_1") == "a_1_1_1");
  // Not suffixes: a zero, a leading zero, no digits.
  CHECK(take("b_0") == "b_0");
  CHECK(take("b") == "b");
  CHECK(take("b") == "b_1");
  CHECK(take("b_01") == "b_01");
  CHECK(take("b_01") == "b_01_1");
  CHECK(take("c_") == "c_");
  CHECK(take("c_") == "c__1");
  // A choice not claimed (the node was never made) leaves the name free.
  CHECK(t.choose("d").name == "d");
  CHECK(take("d") == "d");
  CHECK(t.choose("d").name == "d_1");
  CHECK(take("d") == "d_1");
  // Numbers beyond the suffixes kept per base are plain names.
  const std::string big = fmt::format("e_{}", NameTable::kMaxSuffix + 1);
  CHECK(take(big) == big);
  CHECK(take(big) == big + "_1");
  CHECK(take("e") == "e");
  CHECK(take("e") == "e_1");
  // Scopes prefix the name, and each full name has its own suffixes.
  t.push_scope("layer3");
  CHECK(take("kernel") == "layer3/kernel");
  CHECK(take("kernel") == "layer3/kernel_1");
  t.push_scope("inner");
  CHECK(take("a") == "layer3/inner/a");
  t.pop_scope();
  t.pop_scope();
  CHECK(take("kernel") == "kernel");
}

TEST_CASE("the finiteness check catches inf and NaN in small and large tensors alike", "[graph][errors]") {
  // Tensors of up to 8 elements are checked inline, larger ones by the vectorised scan
  // (autodiff/finite.hpp): both must find a bad value wherever it sits.
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (const int cols : {1, 4, 8, 9, 33}) {
    for (int at = 0; at < cols; ++at) {
      for (const float bad : {inf, -inf, nan}) {
        Tensor t({1, cols}, 0.5F);
        t[static_cast<std::size_t>(at)] = bad;
        CHECK_FALSE(all_finite(t));
        CHECK(first_non_finite(t) == static_cast<std::size_t>(at));
      }
    }
    CHECK(all_finite(Tensor({1, cols}, std::numeric_limits<float>::max())));
  }

  // In the engine: a [1 x 4] value that overflows, and a [1 x 4] gradient that becomes NaN, are
  // reported at their node, with the element.
  Graph g;
  Var w = g.parameter("w", Tensor::from_rows({{1, 2, 3, 4}}));
  Var loss;
  {
    Graph::Scope scope(g, "chain");
    loss = sum(exp(w * 10.0F));
  }
  g.backward(loss);
  w.mutable_value()[2] = 20.0F;  // e^200 overflows
  CHECK_THROWS_WITH(g.forward(), Catch::Contains("'chain/exp'") && Catch::Contains("(op exp)") &&
                                     Catch::Contains("inf at row 0, col 2 of [1 x 4]"));
  Graph h;
  Var v = h.parameter("v", Tensor::from_rows({{1, 1e-45F, 2, 3}}));  // a denormal: log is finite, 1/v is not
  Var total = sum(log(v));
  CHECK_THROWS_WITH(h.backward(total), Catch::Contains("parameter 'v'") &&
                                           Catch::Contains("gradient became inf at row 0, col 1 of [1 x 4]"));
}
