// gradcheck itself: it passes every registered op and catches the usual mistakes.
#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include "autodiff/ops/all_ops.hpp"
#include "test_helpers.hpp"

using namespace gradflow::autodiff;

TEST_CASE("every entry of the op test table passes gradcheck and its forward examples", "[gradcheck]") {
  // A newly registered op is checked here with no test code written. A failure reads, e.g.,
  // "all_ops.cpp entry 15 (leaky_relu alpha=0.01), case 1, seed 1: gradcheck leaky_relu: ...".
  const auto& table = ops::all_ops();
  for (std::size_t i = 0; i < table.size(); ++i) {
    const auto result = check_entry(table[i], fmt::format("all_ops.cpp entry {} ({})", i + 1, ops::describe(table[i])));
    INFO(result.message);
    CHECK(result.passed);
  }
}

TEST_CASE("the op test table lists each entry once and checks each parameterised op at several values", "[gradcheck]") {
  std::map<std::string, std::vector<std::string>, std::less<>> by_op;  // op name -> its entries
  std::set<std::string> seen;
  for (const auto& entry : ops::all_ops()) {
    REQUIRE(entry.op != nullptr);
    const std::string what = ops::describe(entry);
    INFO("duplicate entry in all_ops.cpp: " << what);
    CHECK(seen.insert(what).second);
    by_op[std::string(entry.op->name())].push_back(what);
    INFO(what << " has no forward example: add the values the maths gives for a few inputs");
    CHECK_FALSE(entry.forward.empty());
  }
  for (const auto& [name, entries] : by_op) {
    const bool parameterised = entries.front() != name;  // describe() adds the attributes
    INFO("op " << name << " takes a parameter but all_ops.cpp checks it at " << entries.size()
               << " value(s): add a line per value, at least 2");
    CHECK((!parameterised || entries.size() >= 2));
  }
  CHECK(by_op.size() >= 18);
}

TEST_CASE("every op file in autodiff/ops has a line in the op test table", "[gradcheck]") {
  // autodiff/ops/<name>.hpp holds the op called <name>; a new op file without a table line
  // would never be gradient-checked, so it fails here, by name.
  std::set<std::string, std::less<>> listed;
  for (const auto& entry : ops::all_ops()) listed.emplace(entry.op->name());
  int files = 0;
  for (const auto& file :
       std::filesystem::directory_iterator(std::filesystem::path(GRADFLOW_SOURCE_DIR) / "autodiff" / "ops")) {
    const auto stem = file.path().stem().string();
    if (file.path().extension() != ".hpp" || stem == "all_ops" || stem == "shape_rules") continue;
    ++files;
    INFO("autodiff/ops/" << stem << ".hpp has no line in autodiff/ops/all_ops.cpp");
    CHECK(listed.contains(stem));
  }
  CHECK(files >= 18);
}

TEST_CASE("check_entry names the table entry, op and value when a parameterised op is wrong", "[gradcheck]") {
  // A leaky_relu whose backward hard-codes alpha = 0.2: right at 0.2, wrong at any other value.
  struct HardCodedLeaky final : Op {
    float alpha;
    explicit HardCodedLeaky(float a) : alpha(a) {}
    [[nodiscard]] std::string_view name() const override { return "leaky_relu"; }
    [[nodiscard]] std::string attributes() const override { return fmt::format("alpha={}", alpha); }
    [[nodiscard]] std::size_t arity() const override { return 1; }
    [[nodiscard]] Shape output_shape(std::span<const Shape> x) const override { return x[0]; }
    void forward(const Operands& x, Tensor& y) const override {
      for (std::size_t i = 0; i < y.size(); ++i) y[i] = x[0][i] > 0 ? x[0][i] : alpha * x[0][i];
    }
    [[nodiscard]] std::vector<Tensor> backward(const Operands& x, const Tensor& /*y*/, const Tensor& dy,
                                               const GradMask& /*needed*/) const override {
      Tensor dx(x[0].shape());
      for (std::size_t i = 0; i < dx.size(); ++i) dx[i] = x[0][i] > 0 ? dy[i] : 0.2F * dy[i];
      return {dx};
    }
  };
  const ops::OpEntry right{std::make_shared<HardCodedLeaky>(0.2F), {ops::Sample::away_from_zero}, {{{2, 3}}}, {}};
  CHECK(check_entry(right, "entry 1").passed);
  const ops::OpEntry wrong{std::make_shared<HardCodedLeaky>(0.5F), {ops::Sample::away_from_zero}, {{{2, 3}}}, {}};
  const auto result = check_entry(wrong, "entry 2 (" + ops::describe(wrong) + ")");
  INFO(result.message);
  CHECK_FALSE(result.passed);
  CHECK_THAT(result.message, Catch::StartsWith("entry 2 (leaky_relu alpha=0.5), case 1, seed 1: gradcheck leaky_relu"));
}

TEST_CASE("check_forward catches a forward that ignores its parameter, naming op and element", "[gradcheck]") {
  // softplus at beta = 2 is not softplus at beta = 1: softplus_2(0) = ln(2) / 2.
  const ops::ForwardExample at_zero{{Tensor::from_rows({{0.0F, 5.0F}})},
                                    Tensor::from_rows({{0.34657359F, 5.0000227F}})};
  CHECK(check_forward(ops::Softplus(2.0F), at_zero).passed);
  const auto result = check_forward(ops::Softplus(1.0F), at_zero);
  INFO(result.message);
  CHECK_FALSE(result.passed);
  CHECK_THAT(result.message, Catch::Contains("forward softplus beta=1") && Catch::Contains("element (0, 0)"));
  // The example's shape must be y's.
  const ops::ForwardExample wrong_shape{{Tensor::from_rows({{0.0F}})}, Tensor::from_rows({{0.0F, 1.0F}})};
  CHECK_THAT(check_forward(ops::Relu{}, wrong_shape).message, Catch::Contains("[1 x 1]") && Catch::Contains("[1 x 2]"));
}

namespace {
// A sigmoid whose backward forgets the factor (1 - y): the classic slip.
struct ForgetfulSigmoid final : Op {
  [[nodiscard]] std::string_view name() const override { return "forgetful_sigmoid"; }
  [[nodiscard]] std::size_t arity() const override { return 1; }
  [[nodiscard]] Shape output_shape(std::span<const Shape> x) const override { return x[0]; }
  void forward(const Operands& x, Tensor& y) const override {
    for (std::size_t i = 0; i < y.size(); ++i) y[i] = ops::stable_sigmoid(x[0][i]);
  }
  [[nodiscard]] std::vector<Tensor> backward(const Operands& x, const Tensor& y, const Tensor& dy,
                                             const GradMask& /*needed*/) const override {
    Tensor dx(x[0].shape());
    for (std::size_t i = 0; i < dx.size(); ++i) dx[i] = dy[i] * y[i];  // should be dy * y * (1 - y)
    return {dx};
  }
};

// y = x, with a backward that adds the part of dy orthogonal to x a second time: right whenever
// dL/dy is parallel to x, wrong otherwise. layer_norm's gradient is entirely of that kind.
struct OrthogonalSlip final : Op {
  [[nodiscard]] std::string_view name() const override { return "orthogonal_slip"; }
  [[nodiscard]] std::size_t arity() const override { return 1; }
  [[nodiscard]] Shape output_shape(std::span<const Shape> x) const override { return x[0]; }
  void forward(const Operands& x, Tensor& y) const override {
    for (std::size_t i = 0; i < y.size(); ++i) y[i] = x[0][i];
  }
  [[nodiscard]] std::vector<Tensor> backward(const Operands& x, const Tensor& /*y*/, const Tensor& dy,
                                             const GradMask& /*needed*/) const override {
    double dot = 0;
    double norm2 = 0;
    for (std::size_t i = 0; i < dy.size(); ++i) {
      dot += double(dy[i]) * x[0][i];
      norm2 += double(x[0][i]) * x[0][i];
    }
    Tensor dx(x[0].shape());
    for (std::size_t i = 0; i < dx.size(); ++i) {
      const double orthogonal = dy[i] - dot / norm2 * x[0][i];
      dx[i] = static_cast<float>(dy[i] + orthogonal);  // should be dy alone
    }
    return {dx};
  }
};

// How backward goes wrong in the remaining tests.
enum class Broken { zeros, no_tensors, wrong_shape };

// y = x^3 (slope everywhere but 0), or floor(x) (slope 0 almost everywhere), with a broken backward.
struct BrokenCube final : Op {
  Broken how;
  bool step = false;  // forward is floor(x) instead of x^3
  BrokenCube(Broken h, bool is_step) : how(h), step(is_step) {}
  [[nodiscard]] std::string_view name() const override { return step ? "floor" : "cube"; }
  [[nodiscard]] std::size_t arity() const override { return 1; }
  [[nodiscard]] Shape output_shape(std::span<const Shape> x) const override { return x[0]; }
  void forward(const Operands& x, Tensor& y) const override {
    for (std::size_t i = 0; i < y.size(); ++i) y[i] = step ? std::floor(x[0][i]) : x[0][i] * x[0][i] * x[0][i];
  }
  [[nodiscard]] std::vector<Tensor> backward(const Operands& x, const Tensor& /*y*/, const Tensor& /*dy*/,
                                             const GradMask& /*needed*/) const override {
    switch (how) {
      case Broken::zeros: return {Tensor(x[0].shape())};
      case Broken::no_tensors: return {};
      case Broken::wrong_shape: return {Tensor({1, 1})};
    }
    return {};
  }
};
}  // namespace

TEST_CASE("gradcheck catches a backward that forgets a factor and names op, operand and element", "[gradcheck]") {
  const auto result = gradcheck(ForgetfulSigmoid{}, {Tensor::from_rows({{0.5F, -1.0F, 2.0F}, {0.1F, 1.5F, -0.7F}})});
  INFO(result.message);
  CHECK_FALSE(result.passed);
  CHECK_FALSE(static_cast<bool>(result));
  CHECK(result.message.find("forgetful_sigmoid") != std::string::npos);
  CHECK(result.message.find("operand 0") != std::string::npos);
  CHECK(result.message.find("element (") != std::string::npos);
  CHECK(result.message.find("analytic") != std::string::npos);
  CHECK(result.message.find("numeric") != std::string::npos);
  CHECK(result.max_abs_error > 0.01);
}

TEST_CASE("check_entry draws dL/dy independently of the operands it samples from the same seed", "[gradcheck]") {
  // With one random stream for both, dL/dy came out proportional to x and a backward that is
  // wrong only orthogonally to x (a layer_norm slip) passed every seed.
  const ops::OpEntry entry{std::make_shared<OrthogonalSlip>(), {ops::Sample::any}, {{{2, 3}}, {{1, 5}}}, {}};
  const auto result = check_entry(entry, "orthogonal_slip");
  INFO(result.message);
  CHECK_FALSE(result.passed);
}

TEST_CASE("gradcheck passes the real sigmoid where the forgetful one fails", "[gradcheck]") {
  const auto result = gradcheck(ops::Sigmoid{}, {Tensor::from_rows({{0.5F, -1.0F, 2.0F}, {0.1F, 1.5F, -0.7F}})});
  INFO(result.message);
  CHECK(result.passed);
  CHECK(result.message.find("passed") != std::string::npos);
  CHECK(result.max_abs_error < 1e-3);
}

TEST_CASE("gradcheck catches an all-zero backward", "[gradcheck]") {
  const auto result = gradcheck(BrokenCube(Broken::zeros, false), {Tensor::from_rows({{0.5F, -1.0F, 2.0F}})});
  INFO(result.message);
  CHECK_FALSE(result.passed);
  CHECK(result.message.find("all zeros") != std::string::npos);
}

TEST_CASE("gradcheck fails a vacuous check where both gradients are zero", "[gradcheck]") {
  // floor has slope 0 away from the integers, so a zero backward "matches": nothing is tested.
  const auto result = gradcheck(BrokenCube(Broken::zeros, true), {Tensor::from_rows({{0.5F, -1.3F, 2.4F}})});
  INFO(result.message);
  CHECK_FALSE(result.passed);
  CHECK(result.message.find("floor") != std::string::npos);
  CHECK(result.message.find("vacuous") != std::string::npos);

  // The same for a real op at inputs where it is flat: relu of negative numbers.
  const auto flat = gradcheck(ops::Relu{}, {Tensor::from_rows({{-0.5F, -1.0F}})});
  INFO(flat.message);
  CHECK_FALSE(flat.passed);
  CHECK(flat.message.find("vacuous") != std::string::npos);
}

TEST_CASE("gradcheck fails a backward that returns the wrong number of tensors or shapes", "[gradcheck]") {
  const Tensor x = Tensor::from_rows({{0.5F, -1.0F, 2.0F}});
  const auto none = gradcheck(BrokenCube(Broken::no_tensors, false), {x});
  INFO(none.message);
  CHECK_FALSE(none.passed);
  CHECK(none.message.find("returned 0 gradient(s) but the op has 1 operand(s)") != std::string::npos);

  const auto shape = gradcheck(BrokenCube(Broken::wrong_shape, false), {x});
  INFO(shape.message);
  CHECK_FALSE(shape.passed);
  CHECK(shape.message.find("shape [1 x 1] for operand 0, which is [1 x 3]") != std::string::npos);
}

TEST_CASE("gradcheck leaves non-differentiable operands alone", "[gradcheck]") {
  // softmax_cross_entropy returns no gradient for its labels, and must still pass.
  const auto result =
      gradcheck(ops::SoftmaxCrossEntropy{}, {Tensor::from_rows({{0.3F, -1.0F, 2.0F}}), Tensor::from_rows({{0, 1, 0}})});
  INFO(result.message);
  CHECK(result.passed);
}

TEST_CASE("gradcheck rejects the wrong number of operands and shapes that do not fit", "[gradcheck][errors]") {
  CHECK_THROWS_AS(gradcheck(ops::Add{}, {Tensor({2, 2})}), std::invalid_argument);
  CHECK_THROWS_WITH(gradcheck(ops::MatMul{}, {Tensor({2, 3}), Tensor({2, 3})}),
                    Catch::Contains("matmul") && Catch::Contains("[2 x 3]"));
}

TEST_CASE("sample_operands follows the sampling kinds and is repeatable", "[gradcheck]") {
  const ops::OpEntry info{
      std::make_shared<ops::Add>(), {ops::Sample::away_from_zero, ops::Sample::positive}, {{{4, 5}, {4, 5}}}, {}};
  const auto x = sample_operands(info, 0, 7);
  REQUIRE(x.size() == 2);
  CHECK(x[0][0] > 0.0F);
  CHECK(x[0][1] < 0.0F);
  for (float v : x[0].values()) {
    CHECK(std::fabs(v) >= 0.1F);
    CHECK(std::fabs(v) <= 2.0F);
  }
  for (float v : x[1].values()) CHECK(v >= 0.5F);
  const auto again = sample_operands(info, 0, 7);
  CHECK(std::equal(x[0].values().begin(), x[0].values().end(), again[0].values().begin()));
  CHECK_THROWS_AS(sample_operands(info, 1, 7), std::out_of_range);

  const ops::OpEntry labels{
      std::make_shared<ops::Add>(), {ops::Sample::any, ops::Sample::one_hot_rows}, {{{6, 3}, {6, 3}}}, {}};
  const auto t = sample_operands(labels, 0, 3)[1];
  for (int r = 0; r < t.rows(); ++r) {
    float row_sum = 0.0F;
    for (int c = 0; c < t.cols(); ++c) {
      CHECK((t(r, c) == 0.0F || t(r, c) == 1.0F));
      row_sum += t(r, c);
    }
    CHECK(row_sum == 1.0F);
  }
}
