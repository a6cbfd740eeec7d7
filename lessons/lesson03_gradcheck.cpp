// Lesson 03: checking gradients.
//
// Goal: trust, but verify. Every op's backward is written by hand (lesson 02 showed backward is
// nothing but those hand-written rules, chained), so a single wrong rule makes every gradient
// behind it wrong while training still limps along. The definition of the derivative gives an
// independent answer: the central difference
//     f'(x) ~ (f(x + eps) - f(x - eps)) / (2 eps)
// We (1) check the analytic backward of every op in the engine's op table against it, (2) look
// at how the answer's error depends on eps, in float32 (the engine's type) and in float64 (done
// here, in the lesson): a V shape, truncation error on the right, rounding error on the left,
// which is why gradcheck uses eps = 1e-3; and (3) write an op with one deliberate mistake and
// watch gradcheck catch it.
//
// Run it:
//   build/bin/lesson03_gradcheck --out out/lesson03_gradcheck
// then open out/lesson03_gradcheck/index.html. The matching text is docs/lessons/03-gradcheck.md;
// the exercises that use this checker on your own ops are in docs/coursework.md.
// --seed picks the random operand values and the random dL/dy of the op checks.

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "autodiff/autodiff.hpp"
#include "autodiff/ops/all_ops.hpp"
#include "lessons/runtime/lesson_runtime.hpp"
#include "lessons/runtime/report.hpp"

// Claims, figures and series are written with designated initialisers that name only the fields
// this lesson sets; the others keep their declared defaults. GCC's -Wextra would list each of
// those as "missing", which they are not.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace {

using namespace gradflow::autodiff;
namespace lessons = gradflow::lessons;
namespace figures = gradflow::lessons::figures;
using lessons::Verdict;

// ---------------------------------------------------------------------------------------------
// The deliberately wrong op: a copy of ops::Sigmoid with ONE mistake in backward. The right
// rule is dx = dy * y * (1 - y); here the factor (1 - y) is forgotten, a classic slip.
// forward is right, so the network's outputs look fine: only the gradient is wrong.
// ---------------------------------------------------------------------------------------------
struct BuggySigmoid final : Op {
  [[nodiscard]] std::string_view name() const override { return "buggy_sigmoid"; }
  [[nodiscard]] std::size_t arity() const override { return 1; }
  [[nodiscard]] Shape output_shape(std::span<const Shape> x) const override { return x[0]; }
  void forward(const Operands& x, Tensor& y) const override {
    for (std::size_t i = 0; i < y.size(); ++i) y[i] = ops::stable_sigmoid(x[0][i]);
  }
  [[nodiscard]] std::vector<Tensor> backward(const Operands& x, const Tensor& y, const Tensor& dy,
                                             const GradMask& /*needed*/) const override {
    Tensor dx(x[0].shape());
    for (std::size_t i = 0; i < dx.size(); ++i) dx[i] = dy[i] * y[i];  // BUG: should be dy * y * (1 - y)
    return {dx};
  }
};

// f(x) of a one-operand op on one float32 number, through the op's own forward.
float forward_f32(const Op& op, float x) {
  const Tensor in = Tensor::scalar(x);
  const std::array<const Tensor*, kMaxArity> ptrs{&in};
  Tensor y({1, 1});
  op.forward(Operands(ptrs, 1), y);
  return y[0];
}
// The op's analytic derivative at x, through its own backward with dy = 1.
double backward_f32(const Op& op, float x) {
  const Tensor in = Tensor::scalar(x);
  const std::array<const Tensor*, kMaxArity> ptrs{&in};
  Tensor y({1, 1});
  op.forward(Operands(ptrs, 1), y);
  return op.backward(Operands(ptrs, 1), y, Tensor::scalar(1.0F), GradMask())[0][0];
}

// One function of the error study: the engine's op (float32), the same function in double,
// and its exact derivative in double (the reference every error is measured against).
struct Studied {
  std::string name;
  std::shared_ptr<const Op> op;
  std::function<double(double)> f64, exact_derivative;
};

double relative_error(double estimate, double exact) { return std::fabs(estimate - exact) / std::fabs(exact); }

int lesson(int argc, char** argv) {
  lessons::CommonOptions options;
  lessons::Flags flags("lesson03_gradcheck",
                       "Lesson 03: checks every op's backward against central differences, plots the error of the\n"
                       "difference quotient against eps in float32 and float64 (why eps = 1e-3), and catches an op\n"
                       "with a deliberately wrong backward. --seed picks the checks' random operands.");
  lessons::add_common_flags(flags, options, "lesson03_gradcheck", /*uses_data=*/false);
  if (!flags.parse(argc, argv)) return 0;
  lessons::Report report({"03_gradcheck", "Lesson 03: checking gradients",
                          "Every op's hand-written backward against the definition of the derivative; the V-shaped "
                          "error of finite differences; a wrong backward caught."},
                         options);
  const GradcheckOptions defaults;
  report.setting("seed", options.seed);
  report.setting("eps", defaults.eps);
  report.setting("rtol", defaults.rtol);
  report.setting("atol", defaults.atol);

  // -------------------------------------------------------------------------------------------
  // Step 1: gradcheck every op the engine registers (autodiff/ops/all_ops.cpp), at every
  // operand shape the table lists. Each check compares every element of backward's dx with
  // the central difference of L = sum(y * R) for a random R.
  // -------------------------------------------------------------------------------------------
  report.section("Step 1: every registered op against central differences");
  report.text(fmt::format(
      "gradcheck turns an op into the number L = sum(y * R) with a random R (so dL/dy = R), asks the op's backward "
      "for dL/dx, and compares each element with (L(x + eps) - L(x - eps)) / (2 eps), eps = {}. An element passes "
      "when |analytic - numeric| <= {} + {} * max(|analytic|, |numeric|).",
      defaults.eps, defaults.atol, defaults.rtol));
  lessons::Table checks{
      {"op (table entry)", "operand shapes", "max abs error", "max rel error", "result"}, {}, {}, false};
  std::size_t passed = 0, total = 0, entries = 0;
  nlohmann::json op_json = nlohmann::json::array();
  for (const ops::OpEntry& info : ops::all_ops()) {
    ++entries;
    for (std::size_t c = 0; c < info.cases.size(); ++c) {
      GradcheckOptions opts;
      opts.seed = options.seed + c;
      const std::vector<Tensor> x = sample_operands(info, c, options.seed + 100 * c);
      const GradcheckResult r = gradcheck(*info.op, x, opts);
      std::string shapes;
      for (const Tensor& t : x) shapes += (shapes.empty() ? "" : ", ") + to_string(t.shape());
      checks.rows.push_back({ops::describe(info), shapes, fmt::format("{:.2e}", r.max_abs_error),
                             fmt::format("{:.2e}", r.max_rel_error), r.passed ? "PASS" : "FAIL"});
      op_json.push_back({{"op", info.op->name()},
                         {"entry", ops::describe(info)},
                         {"shapes", shapes},
                         {"passed", r.passed},
                         {"max_abs_error", r.max_abs_error},
                         {"max_rel_error", r.max_rel_error},
                         {"message", r.message}});
      passed += r.passed ? 1 : 0;
      ++total;
      if (!r.passed) report.text(r.message);
    }
  }
  report.table(checks);
  report.value("op_checks", op_json);
  report.claim({"all_ops_pass", "Every registered op's backward agrees with central differences.",
                fmt::format("{} of {} checks pass ({} table entries)", passed, total, entries),
                "holds if every check of every op passes the tolerance above",
                passed == total ? Verdict::holds : Verdict::fails});

  // -------------------------------------------------------------------------------------------
  // Step 2: how good is a difference quotient? For a few ops at one point x0 we compute it for
  // eps = 1e-1 ... 1e-7 (four steps per decade), once with the op's float32 forward and once in
  // double in the lesson, and measure its relative error against the exact derivative.
  //   truncation: the central difference drops the eps^2 f'''/6 term of the Taylor series, so
  //               its error shrinks like eps^2 (a slope of 2 on a log-log plot);
  //   rounding:   f(x +- eps) are each off by about u |f| (u = 6e-8 in float32, 1e-16 in
  //               float64), and dividing their difference by 2 eps blows that up like u / eps.
  // The two meet where eps^2 ~ u / eps, eps ~ u^(1/3): about 4e-3 in float32, 5e-6 in float64.
  // -------------------------------------------------------------------------------------------
  report.section("Step 2: the error of a finite difference against eps");
  const double x0 = 0.7;
  const auto sig = [](double v) { return 1.0 / (1.0 + std::exp(-v)); };
  const std::vector<Studied> studied = {
      {"sigmoid", std::make_shared<ops::Sigmoid>(), sig, [sig](double v) { return sig(v) * (1 - sig(v)); }},
      {"tanh", std::make_shared<ops::Tanh>(), [](double v) { return std::tanh(v); },
       [](double v) { return 1 - std::tanh(v) * std::tanh(v); }},
      {"exp", std::make_shared<ops::Exp>(), [](double v) { return std::exp(v); }, [](double v) { return std::exp(v); }},
  };
  std::vector<double> eps_grid;
  for (int k = 0; k <= 24; ++k) eps_grid.push_back(std::pow(10.0, -1.0 - k / 4.0));

  figures::Figure v_figure{.name = "error_vs_eps",
                           .title = fmt::format("Relative error of the central difference at x = {}", x0),
                           .caption =
                               "Each panel: one op's central difference against the exact derivative, for "
                               "step sizes eps from 1e-1 (right) to 1e-7 (left). Float32 is the engine's op; "
                               "float64 is the same function computed in double in the lesson. The dashed "
                               "line marks eps = 1e-3, gradcheck's choice.",
                           .columns = 3,
                           .panel_width = 420,
                           .panel_height = 400};
  nlohmann::json study_json = nlohmann::json::object();
  lessons::Table best{{"op", "best eps (float32)", "its error", "error at 1e-3 (float32)", "error at 1e-7 (float32)",
                       "best eps (float64)", "its error"},
                      {},
                      "Where each curve bottoms out, and the float32 error at gradcheck's eps and at 1e-7.",
                      false};
  bool v_shape = true, eps3_ok = true, f64_smaller = true;
  for (const Studied& s : studied) {
    const double exact = s.exact_derivative(x0);
    std::vector<double> e32, e64;
    for (double eps : eps_grid) {
      const auto xf = static_cast<float>(x0);
      const float up = xf + static_cast<float>(eps), down = xf - static_cast<float>(eps);
      const double d32 =
          (double(forward_f32(*s.op, up)) - double(forward_f32(*s.op, down))) / (double(up) - double(down));
      const double d64 = (s.f64(x0 + eps) - s.f64(x0 - eps)) / (2 * eps);
      e32.push_back(relative_error(d32, exact));
      e64.push_back(relative_error(d64, exact));
    }
    const auto i32 = static_cast<std::size_t>(std::min_element(e32.begin(), e32.end()) - e32.begin());
    const auto i64 = static_cast<std::size_t>(std::min_element(e64.begin(), e64.end()) - e64.begin());
    const std::size_t at3 = 8;  // eps_grid[8] = 1e-3
    // The V: the float32 minimum lies inside the grid, and both ends are at least 10x worse.
    const bool v = i32 > 0 && i32 + 1 < e32.size() && e32.front() > 10 * e32[i32] && e32.back() > 10 * e32[i32];
    v_shape = v_shape && v;
    eps3_ok = eps3_ok && e32[at3] <= 0.1 * defaults.rtol;
    f64_smaller = f64_smaller && eps_grid[i64] < eps_grid[i32];
    best.rows.push_back({s.name, fmt::format("{:.1e}", eps_grid[i32]), fmt::format("{:.1e}", e32[i32]),
                         fmt::format("{:.1e}", e32[at3]), fmt::format("{:.1e}", e32.back()),
                         fmt::format("{:.1e}", eps_grid[i64]), fmt::format("{:.1e}", e64[i64])});
    study_json[s.name] = {{"eps", eps_grid}, {"float32", e32}, {"float64", e64}};
    figures::Panel& p = v_figure.panels.emplace_back();
    p.title = s.name;
    p.x_label = "eps";
    p.y_label = "relative error";
    p.log_x = p.log_y = true;
    p.legend = "bottom right";  // under the truncation line: empty there
    p.x_min = 5e-8;
    p.x_max = 0.2;
    p.x_tic_step = 100.0;
    p.y_tic_step = 1e4;
    p.series.push_back(
        {.title = "float32", .x = eps_grid, .y = e32, .color = "#D55E00", .style = figures::Style::linespoints});
    p.series.push_back(
        {.title = "float64", .x = eps_grid, .y = e64, .color = "#0072B2", .style = figures::Style::linespoints});
    p.series.push_back({.title = "", .x = {1e-3, 1e-3}, .y = {1e-16, 1.0}, .color = "#777777", .line_width = 1});
    p.y_min = 1e-16;
    p.y_max = 1.0;
  }
  report.figure(v_figure);
  report.table(best);
  report.value("error_vs_eps", study_json);
  report.claim({"v_shape_float32",
                "In float32 the error of the central difference falls with eps, bottoms out, and rises again.",
                fmt::format("best float32 eps per op: {}",
                            [&] {
                              std::string s;
                              for (const auto& row : best.rows) s += (s.empty() ? "" : ", ") + row[0] + " " + row[1];
                              return s;
                            }()),
                "holds if, for every op plotted, the smallest error is inside the eps range and the errors at "
                "eps = 1e-1 and 1e-7 are both more than 10x larger",
                v_shape ? Verdict::holds : Verdict::fails});
  report.claim({"eps_1e-3_suits_float32", "eps = 1e-3 gives float32 differences accurate enough for gradcheck.",
                fmt::format("float32 errors at eps 1e-3: {}",
                            [&] {
                              std::string s;
                              for (const auto& row : best.rows) s += (s.empty() ? "" : ", ") + row[0] + " " + row[3];
                              return s;
                            }()),
                fmt::format("holds if every plotted op's float32 error at 1e-3 is at most a tenth of gradcheck's "
                            "rtol ({})",
                            0.1 * defaults.rtol),
                eps3_ok ? Verdict::holds : Verdict::fails});
  report.claim({"float64_wants_smaller_eps",
                "Float64 arithmetic reaches its best accuracy at a smaller eps than float32.",
                fmt::format("best eps, float64 vs float32: {}",
                            [&] {
                              std::string list;
                              for (const auto& row : best.rows)
                                list += (list.empty() ? "" : ", ") + row[0] + " " + row[5] + " vs " + row[1];
                              return list;
                            }()),
                "holds if, for every plotted op, float64's best eps < float32's",
                f64_smaller ? Verdict::holds : Verdict::fails});

  // -------------------------------------------------------------------------------------------
  // Step 3: an op with a wrong backward (BuggySigmoid above) through the same gradcheck, and its
  // error against eps: it no longer falls with eps but stays flat at the size of the mistake.
  // -------------------------------------------------------------------------------------------
  report.section("Step 3: a wrong backward, caught");
  const BuggySigmoid buggy;
  const ops::Sigmoid right;
  GradcheckOptions opts;
  opts.seed = options.seed;
  const ops::OpEntry buggy_info{std::make_shared<BuggySigmoid>(), {ops::Sample::any}, {{{2, 3}}}, {}};
  const std::vector<Tensor> bx = sample_operands(buggy_info, 0, options.seed);
  const GradcheckResult caught = gradcheck(buggy, bx, opts);
  const GradcheckResult ok = gradcheck(right, bx, opts);
  report.text(fmt::format(
      "BuggySigmoid (defined in lessons/lesson03_gradcheck.cpp) is sigmoid with one slip in backward: dx = dy * y "
      "instead of dy * y * (1 - y). gradcheck on the same [2 x 3] operand as the real sigmoid says:"));
  report.html(fmt::format("<pre>{}\n{}</pre>", caught.message, ok.message), caught.message + "\n" + ok.message + "\n");
  std::vector<double> eb, er;
  for (double eps : eps_grid) {
    const auto xf = static_cast<float>(x0);
    const float up = xf + static_cast<float>(eps), down = xf - static_cast<float>(eps);
    const double numeric =
        (double(forward_f32(buggy, up)) - double(forward_f32(buggy, down))) / (double(up) - double(down));
    eb.push_back(relative_error(backward_f32(buggy, xf), numeric));
    er.push_back(relative_error(backward_f32(right, xf), numeric));
  }
  figures::Figure bug_figure{
      .name = "wrong_backward",
      .title = "sigmoid at x = 0.7: backward vs central difference",
      .caption =
          "A right backward agrees with the difference quotient better and better as eps shrinks, until "
          "rounding takes over (the V). A wrong one stays off by the size of its mistake at every eps: a flat "
          "line far above the tolerance. This is the picture to expect when your own op is wrong.",
      .columns = 1,
      .panel_width = 620,
      .panel_height = 400};
  figures::Panel& bp = bug_figure.panels.emplace_back();
  bp.x_label = "eps";
  bp.y_label = "|analytic - numeric| / |numeric|";
  bp.log_x = bp.log_y = true;
  bp.legend = "top right";  // above the flat buggy line, where no curve goes
  bp.y_max = 1e5;
  bp.x_min = 5e-8;
  bp.x_max = 0.2;
  bp.x_tic_step = 100.0;
  bp.series.push_back({.title = "sigmoid (right backward)",
                       .x = eps_grid,
                       .y = er,
                       .color = "#009E73",
                       .style = figures::Style::linespoints});
  bp.series.push_back({.title = "buggy_sigmoid (forgot 1 - y)",
                       .x = eps_grid,
                       .y = eb,
                       .color = "#CC79A7",
                       .style = figures::Style::linespoints});
  bp.series.push_back({.title = "gradcheck rtol",
                       .x = {eps_grid.back(), eps_grid.front()},
                       .y = {defaults.rtol, defaults.rtol},
                       .color = "#777777",
                       .line_width = 1});
  report.figure(bug_figure);
  report.value("wrong_backward", {{"message", caught.message},
                                  {"passed", caught.passed},
                                  {"max_rel_error", caught.max_rel_error},
                                  {"right_op_passed", ok.passed}});
  const double flat_min = *std::min_element(eb.begin(), eb.end());
  report.claim(
      {"wrong_backward_caught", "gradcheck catches the deliberately wrong backward and passes the right one.",
       fmt::format("buggy_sigmoid: {} (max rel error {:.2g}); sigmoid: {}; buggy error never below {:.2g} at "
                   "any eps",
                   caught.passed ? "passed" : "failed", caught.max_rel_error, ok.passed ? "passed" : "failed",
                   flat_min),
       "holds if gradcheck fails buggy_sigmoid, passes sigmoid, and buggy's error stays above rtol at every eps",
       !caught.passed && ok.passed && flat_min > defaults.rtol ? Verdict::holds : Verdict::fails});
  report.text(
      "Your turn: the coursework (docs/coursework.md) asks you to add ops of your own (tanh, softplus, elu, ...); "
      "its tests run exactly this gradcheck on them, so a message like the one above is what a slip in your "
      "backward will look like.");
  return report.finish();
}

}  // namespace

int main(int argc, char** argv) { return lessons::run_main(argc, argv, lesson); }
