// Lesson 02: backward, step by step.
//
// Goal: watch the backward pass happen. Lesson 01 showed the graph a forward pass builds and
// the gradients backward leaves on it. Here we stop at every node backward visits and look at
// what it does there: it takes the node's gradient dL/dy (final by now), applies the op's local
// derivative, and sends each operand its share dL/dx = dy/dx * dL/dy. A value used twice (the
// weight w below: once in the neuron, once in the weight-decay term) receives two shares, and
// backward ADDS them: that is the multivariable chain rule, and the reason gradients accumulate.
//
//   z = x w + b,  y = sigmoid(z),  L = (y - t)^2 + lambda w^2
//
// Run it:
//   build/bin/lesson02_backward --out out/lesson02_backward
// then open out/lesson02_backward/index.html and step through backward with the player
// (buttons, slider or the arrow keys). The matching text is docs/lessons/02-backward.md.
// --seed draws the starting w and b (to one decimal); x, t and lambda are fixed.
//
// What to look for: the visiting order (every node after all the nodes that use it), the
// share each operand receives, and the step where w's second share is added to its first.

#include <fmt/format.h>

#include <cmath>
#include <string>
#include <vector>

#include "autodiff/autodiff.hpp"
#include "autodiff/trace.hpp"
#include "autodiff/viz/backward_dot.hpp"
#include "autodiff/viz/render.hpp"
#include "lessons/runtime/lesson_runtime.hpp"
#include "lessons/runtime/player.hpp"
#include "lessons/runtime/report.hpp"
#include "nn/random.hpp"

// Claims, figures and series are written with designated initialisers that name only the fields
// this lesson sets; the others keep their declared defaults. GCC's -Wextra would list each of
// those as "missing", which they are not.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace {

using namespace gradflow::autodiff;
namespace lessons = gradflow::lessons;
namespace viz = gradflow::autodiff::viz;
using lessons::Verdict;

constexpr float kLambda = 0.1F;  // weight decay: how strongly large weights are penalised

// "(-0.25)" for negative numbers, so that "0.5 * (-0.25)" reads as a product.
std::string num(double v) { return v < 0 ? fmt::format("({:.4g})", v) : fmt::format("{:.4g}", v); }

// The local chain rule of each op this lesson uses, as a formula and with the numbers put in:
// for mul's operand x1, "dy * x0 = 0.2 * 1.5". Returns the text and the value it gives (computed
// here in double, independently of the engine, so the lesson can check the engine's share).
struct LocalRule {
  std::string formula;
  double value = 0;
};
LocalRule local_rule(const Node& n, const std::vector<double>& x, double y, double dy, std::size_t i) {
  const std::string op(n.op->name());
  if (op == "add") return {fmt::format("dy * 1 = {} * 1", num(dy)), dy};
  if (op == "sub") {
    return i == 0 ? LocalRule{fmt::format("dy * 1 = {} * 1", num(dy)), dy}
                  : LocalRule{fmt::format("dy * (-1) = {} * (-1)", num(dy)), -dy};
  }
  if (op == "mul") {
    const double other = x[1 - i];
    return {fmt::format("dy * x{} = {} * {}", 1 - i, num(dy), num(other)), dy * other};
  }
  if (op == "sigmoid") {
    return {fmt::format("dy * y (1 - y) = {} * {} * (1 - {})", num(dy), num(y), num(y)), dy * y * (1 - y)};
  }
  if (op == "square") return {fmt::format("dy * 2 x = {} * 2 * {}", num(dy), num(x[0])), dy * 2 * x[0]};
  if (const auto* scale_op = dynamic_cast<const ops::Scale*>(n.op.get())) {
    const double c = scale_op->c();
    return {fmt::format("dy * c = {} * {}", num(dy), num(c)), dy * c};
  }
  return {fmt::format("(dy/dx{})^T dy", i), std::nan("")};
}

// A float as the double it prints as ("0.1", not 0.10000000149011612), for settings.

double scalar(const Tensor& t) { return static_cast<double>(t[0]); }

int lesson(int argc, char** argv) {
  lessons::CommonOptions options;
  lessons::Flags flags("lesson02_backward",
                       "Lesson 02: one neuron with weight decay, its backward pass traced step by step: every node\n"
                       "visited, its incoming gradient, the local derivative with the numbers put in and the share\n"
                       "each operand receives. One diagram per step and a step-through player in index.html.\n"
                       "--seed draws the starting w and b; x, t and lambda are fixed.");
  lessons::add_common_flags(flags, options, "lesson02_backward", /*uses_data=*/false);
  if (!flags.parse(argc, argv)) return 0;

  lessons::Report report({"02_backward", "Lesson 02: backward, step by step",
                          "Backward visits every node once, in reverse topological order, and sends each operand its "
                          "share of the gradient; a value used twice adds its shares."},
                         options);

  // ---------------------------------------------------------------------------------------
  // Step 1: the forward pass builds the graph. w is used twice: in x w, and in the weight
  // decay lambda w^2. Two arrows leave w, so two shares of the gradient will come back to it.
  // ---------------------------------------------------------------------------------------
  gradflow::nn::Rng rng(options.seed);
  const auto draw = [&rng] { return static_cast<float>(std::round(rng.uniform(-1.0, 1.0) * 10.0) / 10.0); };
  const float w0 = draw();
  const float b0 = draw();
  Graph g;
  Var x = g.input("x", Tensor::scalar(1.5F));
  Var t = g.input("t", Tensor::scalar(1.0F));
  Var w = g.parameter("w", Tensor::scalar(w0));
  Var b = g.parameter("b", Tensor::scalar(b0));
  Var z = x * w + b;                // nodes "mul", "add"
  Var y = sigmoid(z);               // node "sigmoid"
  Var data_loss = square(y - t);    // nodes "sub", "square"
  Var decay = square(w) * kLambda;  // nodes "square_1", "scale"
  Var loss = data_loss + decay;     // node "add_1"
  report.setting("seed", options.seed);
  report.setting("x", 1.5);
  report.setting("t", 1.0);
  report.setting("lambda", kLambda);
  report.setting("w_start", w0);
  report.setting("b_start", b0);

  report.section("Step 1: the forward pass");
  report.text(fmt::format(
      "z = x w + b = {} * {} + {} = {:.4f};  y = sigmoid(z) = {:.4f};  L = (y - t)^2 + {} w^2 = {:.4f} + {:.4f} = "
      "{:.4f}. The weight w feeds two ops (mul and square_1): it fans out, so two shares of the gradient will come "
      "back to it.",
      num(x.value().item()), num(w0), num(b0), z.value().item(), y.value().item(), kLambda, data_loss.value().item(),
      decay.value().item(), loss.value().item()));

  // ---------------------------------------------------------------------------------------
  // Step 2: trace the backward pass. trace_backward does exactly what Graph::backward does
  // (same order, same op calls, same accumulation) and records each step.
  // ---------------------------------------------------------------------------------------
  const BackwardTrace trace = trace_backward(g, loss);

  // ---------------------------------------------------------------------------------------
  // Step 3: run the engine's own backward, with a hook on every node that records when it is
  // reached and the gradient it then holds. The trace must agree with it in order and value.
  // ---------------------------------------------------------------------------------------
  std::vector<std::pair<std::string, float>> engine_visits;
  for (NodeId id = 0; id < g.size(); ++id) {
    if (!g.node(id).requires_grad) continue;
    g.add_hook(Var(g, id), [&engine_visits](const GradientEvent& e) { engine_visits.emplace_back(e.name, e.grad[0]); });
  }
  g.backward(loss);
  bool same_order = engine_visits.size() == trace.steps.size();
  double max_difference = 0;
  for (std::size_t s = 0; s < trace.steps.size() && same_order; ++s) {
    same_order = engine_visits[s].first == g.node(trace.steps[s].node).name;
    max_difference = std::max(max_difference, std::fabs(double(engine_visits[s].second) - scalar(trace.steps[s].dy)));
  }

  // ---------------------------------------------------------------------------------------
  // Step 4: every step of backward, printed: the node, dL/dy, the local derivative with the
  // numbers put in, and the share each operand receives ("+=" where it is added to an earlier
  // one). One diagram per step: the visited node highlighted, known gradients on their nodes.
  // ---------------------------------------------------------------------------------------
  report.section("Step 2: backward, one node at a time");
  report.text(
      "Backward seeds dL/dL = 1 at the loss and visits the nodes in reverse topological order: a node is visited "
      "only after every node that uses it, so its gradient dL/dy is complete when it is reached. There it multiplies "
      "dL/dy by the op's local derivative and hands each operand its share. Step through it below: in each diagram "
      "the node being visited has a red outline, red arrows carry the shares it sends (the arrowhead on the operand "
      "that receives it), green nodes hold their final gradient, dashed yellow ones the shares received so far, and "
      "grey ones do not know theirs yet.");
  std::vector<lessons::PlayerStep> player;
  std::string all_steps;  // every step's text, for the page's "all steps at once" block
  nlohmann::json steps_json = nlohmann::json::array();
  double max_formula_error = 0;
  for (std::size_t s = 0; s < trace.steps.size(); ++s) {
    const BackwardStep& step = trace.steps[s];
    const Node& n = g.node(step.node);
    const double dy = scalar(step.dy);
    std::string text = fmt::format("visit {} ({}): its gradient dy = dL/d({}) = {:.6g}{}\n", n.name,
                                   n.op ? std::string(n.op->name()) : std::string(to_string(n.kind)), n.name, dy,
                                   s == 0 ? "  (the seed: dL/dL = 1)" : "");
    if (!n.op) text += "  a leaf: nothing further to send; this is the gradient an optimizer would use.\n";
    std::vector<double> xs;
    for (NodeId operand : g.operands(step.node)) xs.push_back(scalar(g.node(operand).value));
    nlohmann::json shares = nlohmann::json::array();
    for (const BackwardShare& share : step.shares) {
      const Node& to = g.node(share.operand);
      const LocalRule rule = local_rule(n, xs, scalar(n.value), dy, share.position);
      const double engine_share = scalar(share.share);
      max_formula_error =
          std::max(max_formula_error, std::fabs(rule.value - engine_share) / std::max(1e-12, std::fabs(engine_share)));
      text += fmt::format("  share for x{} = {}: {} = {:.6g}\n", share.position, to.name, rule.formula, engine_share);
      text += share.accumulated ? fmt::format("    {}.grad += {:.6g}  ADDED to the share already there: now {:.6g}\n",
                                              to.name, engine_share, scalar(share.grad_after))
                                : fmt::format("    {}.grad = {:.6g}\n", to.name, engine_share);
      shares.push_back({{"operand", to.name},
                        {"position", share.position},
                        {"formula", rule.formula},
                        {"share", engine_share},
                        {"accumulated", share.accumulated},
                        {"grad_after", scalar(share.grad_after)}});
    }
    const std::string stem = fmt::format("step_{:02}", s);
    viz::write_dot_svg_png(
        viz::backward_step_dot(g, trace, s,
                               fmt::format("backward step {} of {}: visit {}", s + 1, trace.steps.size(), n.name)),
        report.path(stem));
    report.console(text + "\n");
    all_steps += text + "\n";
    player.push_back({stem + ".svg", fmt::format("backward step {}: the node {} highlighted", s + 1, n.name),
                      fmt::format("Step {} of {}: visit {}", s + 1, trace.steps.size(), n.name), n.name,
                      fmt::format("{:.6g}", dy), text});
    steps_json.push_back({{"index", s}, {"node", n.name}, {"dy", dy}, {"shares", shares}, {"diagram", stem + ".svg"}});
  }
  report.html(lessons::step_player_html("backward", player),
              "(index.html has a step-through player for these steps: step_00.svg ...)");
  report.html(fmt::format("<details><summary>All {} steps as text</summary>\n<pre>{}</pre>\n</details>",
                          trace.steps.size(), lessons::html_escape(all_steps)));
  report.value("steps", steps_json);

  // ---------------------------------------------------------------------------------------
  // Step 5: what the run shows, judged from its numbers.
  // ---------------------------------------------------------------------------------------
  report.section("Step 3: what this run shows");
  std::vector<double> w_shares;
  for (const BackwardStep& step : trace.steps) {
    for (const BackwardShare& share : step.shares) {
      if (share.operand == w.id()) w_shares.push_back(scalar(share.share));
    }
  }
  const double w_sum = w_shares.size() == 2 ? w_shares[0] + w_shares[1] : std::nan("");
  const double w_grad = scalar(w.grad());
  report.claim({"visit_order", "The traced steps visit the nodes in the order the engine's own backward reaches them.",
                fmt::format("{} traced steps, {} engine hook calls, {}", trace.steps.size(), engine_visits.size(),
                            same_order ? "same node at every position" : "the orders differ"),
                "holds if the node names agree position by position (hooks fire in Graph::backward's order)",
                same_order ? Verdict::holds : Verdict::fails});
  report.claim({"trace_equals_engine",
                "The gradient the trace shows at every step is the one Graph::backward computed.",
                fmt::format("max |trace - engine| = {:.3g}", max_difference),
                "holds if the largest difference is exactly 0 (same float operations in the same order)",
                same_order && max_difference == 0 ? Verdict::holds : Verdict::fails});
  const bool fan_out_ok = w_shares.size() == 2 && std::fabs(w_grad - w_sum) <= 1e-6 * std::max(1.0, std::fabs(w_sum));
  report.claim({"fan_out_accumulates", "w, used twice, receives two shares and its gradient is their sum.",
                w_shares.size() == 2 ? fmt::format("shares {:.6g} + {:.6g} = {:.6g}; dL/dw = {:.6g}", w_shares[0],
                                                   w_shares[1], w_sum, w_grad)
                                     : fmt::format("w received {} share(s)", w_shares.size()),
                "holds if w gets exactly two shares and |dL/dw - (sum of shares)| <= 1e-6 max(1, |sum|)",
                fan_out_ok ? Verdict::holds : Verdict::fails});
  report.claim({"formulas_match_ops",
                "Each local derivative written out by hand gives the share the op's backward returned.",
                fmt::format("max relative difference {:.2g}", max_formula_error),
                "holds if every share agrees within 1e-5 relative (float32 ops against double arithmetic)",
                max_formula_error <= 1e-5 ? Verdict::holds : Verdict::fails});
  report.value("gradients", {{"w", w_grad}, {"b", scalar(b.grad())}, {"loss", loss.value().item()}});
  return report.finish();
}

}  // namespace

int main(int argc, char** argv) { return lessons::run_main(argc, argv, lesson); }
