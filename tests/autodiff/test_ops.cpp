// Hand-computed forward values and gradients for every op, on numbers small enough to check
// with pencil and paper. (test_gradcheck.cpp checks every op numerically as well.)
#include <cmath>

#include "test_helpers.hpp"

using namespace gradflow::autodiff;
using gradflow::autodiff::testing::check_tensor;
using gradflow::autodiff::testing::run_op;
using M = Tensor;  // Tensor::from_rows reads better as M::from_rows in tables

TEST_CASE("add passes dy unchanged to both operands", "[ops]") {
  const auto r = run_op(ops::Add{}, {M::from_rows({{1, 2}}), M::from_rows({{3, -4}})}, M::from_rows({{0.5F, -1}}));
  check_tensor(r.y, M::from_rows({{4, -2}}));
  check_tensor(r.dx[0], M::from_rows({{0.5F, -1}}));
  check_tensor(r.dx[1], M::from_rows({{0.5F, -1}}));
}

TEST_CASE("sub passes dy to the left operand and -dy to the right", "[ops]") {
  const auto r = run_op(ops::Sub{}, {M::from_rows({{1, 2}}), M::from_rows({{3, -4}})}, M::from_rows({{0.5F, -1}}));
  check_tensor(r.y, M::from_rows({{-2, 6}}));
  check_tensor(r.dx[0], M::from_rows({{0.5F, -1}}));
  check_tensor(r.dx[1], M::from_rows({{-0.5F, 1}}));
}

TEST_CASE("mul gives each operand dy times the other operand", "[ops]") {
  const auto r = run_op(ops::Mul{}, {M::from_rows({{2, -3}}), M::from_rows({{4, 5}})}, M::from_rows({{1, 2}}));
  check_tensor(r.y, M::from_rows({{8, -15}}));
  check_tensor(r.dx[0], M::from_rows({{4, 10}}));
  check_tensor(r.dx[1], M::from_rows({{2, -6}}));
}

TEST_CASE("matmul gives dx0 = dy x1^T and dx1 = x0^T dy", "[ops]") {
  const auto r =
      run_op(ops::MatMul{}, {M::from_rows({{1, 2}, {3, 4}}), M::from_rows({{5}, {6}})}, M::from_rows({{1}, {-1}}));
  check_tensor(r.y, M::from_rows({{17}, {39}}));
  check_tensor(r.dx[0], M::from_rows({{5, 6}, {-5, -6}}));
  check_tensor(r.dx[1], M::from_rows({{-2}, {-2}}));
}

TEST_CASE("bias_add adds the bias to every row and sums dy over the rows for the bias", "[ops]") {
  const auto r = run_op(ops::BiasAdd{}, {M::from_rows({{1, 2, 3}, {4, 5, 6}}), M::from_rows({{10, 20, 30}})},
                        M::from_rows({{1, 2, 3}, {4, 5, 6}}));
  check_tensor(r.y, M::from_rows({{11, 22, 33}, {14, 25, 36}}));
  check_tensor(r.dx[0], M::from_rows({{1, 2, 3}, {4, 5, 6}}));
  check_tensor(r.dx[1], M::from_rows({{5, 7, 9}}));
}

TEST_CASE("neg negates the value and the gradient", "[ops]") {
  const auto r = run_op(ops::Neg{}, {M::from_rows({{1, -2}})}, M::from_rows({{3, 4}}));
  check_tensor(r.y, M::from_rows({{-1, 2}}));
  check_tensor(r.dx[0], M::from_rows({{-3, -4}}));
}

TEST_CASE("scale multiplies value and gradient by c and shows c as its attribute", "[ops]") {
  const ops::Scale op(2.5F);
  const auto r = run_op(op, {M::from_rows({{2, -4}})}, M::from_rows({{1, -2}}));
  check_tensor(r.y, M::from_rows({{5, -10}}));
  check_tensor(r.dx[0], M::from_rows({{2.5F, -5}}));
  CHECK(op.attributes() == "c=2.5");
}

TEST_CASE("sum adds every element and sends dy to each of them", "[ops]") {
  const auto r = run_op(ops::Sum{}, {M::from_rows({{1, 2}, {3, 4}})}, M::scalar(2));
  check_tensor(r.y, M::scalar(10));
  check_tensor(r.dx[0], M::from_rows({{2, 2}, {2, 2}}));
}

TEST_CASE("mean averages every element and sends dy / N to each of them", "[ops]") {
  const auto r = run_op(ops::Mean{}, {M::from_rows({{1, 2}, {3, 4}})}, M::scalar(2));
  check_tensor(r.y, M::scalar(2.5F));
  check_tensor(r.dx[0], M::from_rows({{0.5F, 0.5F}, {0.5F, 0.5F}}));
}

TEST_CASE("exp is its own derivative", "[ops]") {
  const auto r = run_op(ops::Exp{}, {M::from_rows({{0, 1}})}, M::from_rows({{2, 3}}));
  const auto e = static_cast<float>(std::exp(1.0));
  check_tensor(r.y, M::from_rows({{1, e}}));
  check_tensor(r.dx[0], M::from_rows({{2, 3 * e}}));
}

TEST_CASE("log has derivative 1/x", "[ops]") {
  const auto r = run_op(ops::Log{}, {M::from_rows({{1, 4}})}, M::from_rows({{2, 2}}));
  check_tensor(r.y, M::from_rows({{0, std::log(4.0F)}}));
  check_tensor(r.dx[0], M::from_rows({{2, 0.5F}}));
}

TEST_CASE("square has derivative 2x", "[ops]") {
  const auto r = run_op(ops::Square{}, {M::from_rows({{3, -2}})}, M::from_rows({{1, 0.5F}}));
  check_tensor(r.y, M::from_rows({{9, 4}}));
  check_tensor(r.dx[0], M::from_rows({{6, -2}}));
}

TEST_CASE("relu passes the gradient only where x is positive", "[ops]") {
  const auto r = run_op(ops::Relu{}, {M::from_rows({{-1, 2, 0}})}, M::from_rows({{5, 5, 5}}));
  check_tensor(r.y, M::from_rows({{0, 2, 0}}));
  check_tensor(r.dx[0], M::from_rows({{0, 5, 0}}));
}

TEST_CASE("leaky_relu passes alpha times the gradient where x is negative", "[ops]") {
  const ops::LeakyRelu op(0.2F);
  CHECK(op.alpha() == 0.2F);
  CHECK(op.attributes() == "alpha=0.2");
  const auto r = run_op(op, {M::from_rows({{-1, 2}})}, M::from_rows({{5, 5}}));
  check_tensor(r.y, M::from_rows({{-0.2F, 2}}));
  check_tensor(r.dx[0], M::from_rows({{1, 5}}));
  CHECK(ops::LeakyRelu(0.01F).attributes() == "alpha=0.01");
}

TEST_CASE("sigmoid has derivative y (1 - y), at most 1/4", "[ops]") {
  // sigmoid(ln 3) = 1 / (1 + 1/3) = 3/4, and 3/4 * 1/4 = 3/16.
  const auto r = run_op(ops::Sigmoid{}, {M::from_rows({{0, std::log(3.0F)}})}, M::from_rows({{1, 1}}));
  check_tensor(r.y, M::from_rows({{0.5F, 0.75F}}));
  check_tensor(r.dx[0], M::from_rows({{0.25F, 0.1875F}}));
}

TEST_CASE("tanh has derivative 1 - y^2", "[ops]") {
  // tanh(ln 2) = (2 - 1/2) / (2 + 1/2) = 3/5, and 1 - 9/25 = 16/25.
  const auto r = run_op(ops::Tanh{}, {M::from_rows({{0, std::log(2.0F)}})}, M::from_rows({{2, 1}}));
  check_tensor(r.y, M::from_rows({{0, 0.6F}}));
  check_tensor(r.dx[0], M::from_rows({{2, 0.64F}}));
}

TEST_CASE("softplus is ln(1 + e^x) with derivative sigmoid(x)", "[ops]") {
  const auto r = run_op(ops::Softplus{}, {M::from_rows({{0, std::log(3.0F)}})}, M::from_rows({{1, 2}}));
  check_tensor(r.y, M::from_rows({{std::log(2.0F), std::log(4.0F)}}));
  check_tensor(r.dx[0], M::from_rows({{0.5F, 1.5F}}));
}

TEST_CASE("softmax_cross_entropy averages -ln p(true class) and gives (softmax - t) / batch", "[ops]") {
  // Row 1: softmax(0, ln 3) = (1/4, 3/4), true class 1. Row 2: softmax(0, 0) = (1/2, 1/2), class 0.
  const ops::SoftmaxCrossEntropy op;
  const auto r =
      run_op(op, {M::from_rows({{0, std::log(3.0F)}, {0, 0}}), M::from_rows({{0, 1}, {1, 0}})}, M::scalar(2));
  check_tensor(r.y, M::scalar(static_cast<float>((-std::log(0.75) - std::log(0.5)) / 2)));
  // dy = 2, batch = 2: dz = softmax - t.
  check_tensor(r.dx[0], M::from_rows({{0.25F, -0.25F}, {-0.5F, 0.5F}}));
  CHECK(op.differentiable(0));
  CHECK_FALSE(op.differentiable(1));
  CHECK(r.dx[1].empty());
}

TEST_CASE("sigmoid, softplus, tanh and softmax_cross_entropy stay finite and correct at |x| = 100", "[ops]") {
  const auto s = run_op(ops::Sigmoid{}, {M::from_rows({{100, -100}})}, M::from_rows({{1, 1}}));
  CHECK(s.y[0] == 1.0F);
  CHECK(std::isfinite(s.y[1]));
  CHECK(s.y[1] >= 0.0F);
  CHECK(s.y[1] < 1e-30F);
  CHECK(std::isfinite(s.dx[0][0]));
  CHECK(std::isfinite(s.dx[0][1]));

  const auto p = run_op(ops::Softplus{}, {M::from_rows({{100, -100}})}, M::from_rows({{1, 1}}));
  CHECK(p.y[0] == Approx(100.0F));
  CHECK(std::isfinite(p.y[1]));
  CHECK(p.y[1] >= 0.0F);
  CHECK(p.dx[0][0] == Approx(1.0F));
  CHECK(p.dx[0][1] == Approx(0.0F).margin(1e-30));

  const auto t = run_op(ops::Tanh{}, {M::from_rows({{100, -100}})}, M::from_rows({{1, 1}}));
  check_tensor(t.y, M::from_rows({{1, -1}}));
  check_tensor(t.dx[0], M::from_rows({{0, 0}}));

  // Confident and right: loss ~ 0. Confident and wrong: loss = 200, the logit gap.
  const ops::SoftmaxCrossEntropy sce;
  const auto right = run_op(sce, {M::from_rows({{100, -100}}), M::from_rows({{1, 0}})}, M::scalar(1));
  CHECK(right.y.item() == Approx(0.0F).margin(1e-6));
  check_tensor(right.dx[0], M::from_rows({{0, 0}}));
  const auto wrong = run_op(sce, {M::from_rows({{100, -100}}), M::from_rows({{0, 1}})}, M::scalar(1));
  CHECK(wrong.y.item() == Approx(200.0F));
  check_tensor(wrong.dx[0], M::from_rows({{1, -1}}));
  const auto huge = run_op(sce, {M::from_rows({{1000, 0, -1000}}), M::from_rows({{0, 1, 0}})}, M::scalar(1));
  CHECK(huge.y.item() == Approx(1000.0F));
}

TEST_CASE("ops skip the gradient of an operand nobody needs", "[ops]") {
  const Tensor x = M::from_rows({{1, 2}, {3, 4}});
  const Tensor b = M::from_rows({{1, 1}});
  std::array<const Tensor*, kMaxArity> ptrs{&x, &b};
  const Operands operands(ptrs, 2);
  const auto dx = ops::BiasAdd{}.backward(operands, x, x, GradMask({false, true, false, false}));
  REQUIRE(dx.size() == 2);
  CHECK(dx[0].empty());
  check_tensor(dx[1], M::from_rows({{4, 6}}));
}

TEST_CASE("bias_add through the graph: the bias gradient is dy reduced back to [1 x n]", "[ops][graph]") {
  Graph g;
  Var x = g.input("x", M::from_rows({{1, 2}, {3, 4}, {5, 6}}));
  Var b = g.parameter("b", M::from_rows({{0.5F, -0.5F}}));
  Var y = x + b;  // [3 x 2] + [1 x 2]: bias_add
  CHECK(y.node().op->name() == "bias_add");
  Var loss = sum(y * y);  // dL/dy = 2y, dL/db_j = sum_i 2 y_ij
  g.backward(loss);
  check_tensor(b.grad(), M::from_rows({{2 * (1.5F + 3.5F + 5.5F), 2 * (1.5F + 3.5F + 5.5F)}}));
}

TEST_CASE("operators on Var build the matching ops", "[ops]") {
  Graph g;
  Var a = g.parameter("a", M::from_rows({{1, 2}, {3, 4}}));
  Var c = g.parameter("c", M::from_rows({{1, 1}, {1, 1}}));
  Var row = g.parameter("row", M::from_rows({{10, 20}}));
  Var row2 = g.parameter("row2", M::from_rows({{1, 2}}));
  CHECK((a + c).node().op->name() == "add");
  CHECK((a + row).node().op->name() == "bias_add");
  CHECK((row + row2).node().op->name() == "add");  // [1 x n] + [1 x n] is a plain add
  CHECK((a - c).node().op->name() == "sub");
  CHECK((a * c).node().op->name() == "mul");
  CHECK((-a).node().op->name() == "neg");
  Var twice = a * 2.0F;
  CHECK(twice.node().op->name() == "scale");
  CHECK(twice.node().op->attributes() == "c=2");
  check_tensor((3.0F * a).value(), M::from_rows({{3, 6}, {9, 12}}));
  check_tensor((a + row).value(), M::from_rows({{11, 22}, {13, 24}}));

  // The free functions read like the maths too.
  Var w = g.parameter("w", M::from_rows({{1, 0}, {0, -1}}));
  Var h = relu(matmul(a, w) + row);
  check_tensor(h.value(), M::from_rows({{11, 18}, {13, 16}}));
  CHECK(std::isfinite(
      mean(sigmoid(h) + tanh(h) + softplus(-h) + leaky_relu(h, 0.1F) + exp(-h) + square(h)).value().item()));
  CHECK(log(a).value()(0, 0) == 0.0F);
}
