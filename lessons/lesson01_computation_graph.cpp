// Lesson 01: the computation graph.
//
// Goal: see what reverse-mode automatic differentiation really does. Every line of model code
// below (`matmul(x, w) + b`, `sigmoid(...)`) adds a node to a graph and computes its value at
// once: the *forward pass*. `graph.backward(loss)` then walks the same graph from the loss back
// to the parameters and applies the chain rule at every node: the *backward pass*. We print
// every node's value and gradient, check each parameter's gradient against the definition of a
// derivative (finite differences), and draw both graphs, coloured by the size of the gradient.
//
//   Part 1: one neuron          y = sigmoid(x w + b),  loss = mean((y - target)^2)
//   Part 2: a two-layer network x [4 x 3] -> dense 3->4, tanh -> dense 4->2 -> softmax
//                               cross-entropy against one-hot labels
//
// Run it:
//   build/bin/lesson01_computation_graph --out out/lesson01
// then open out/lesson01/index.html (graph.png is the two-layer network, neuron.png part 1).
// The matching text is docs/lessons/01-computation-graph.md.
//
// What to look for: the chain rule by hand (step 2) gives the same signed numbers the engine
// stored; every gradient check passes; the diagrams' colours show how large a gradient reached
// each node (hover a node in index.html for its exact value and gradient).
//
// The steps: 1 the neuron's graph, 2 the chain rule by hand, 3 a two-layer network from nn/'s
// Dense layer, 4 every node printed, 5 checking the gradients, 6 the diagrams and the claims.
//
// Exit codes: 0 when every gradient check passes, 1 when one fails (the output folder is still
// written, so you can look at the wrong gradients) or anything else goes wrong, 2 for a bad flag.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "autodiff/autodiff.hpp"
#include "autodiff/viz/dot.hpp"
#include "autodiff/viz/render.hpp"
#include "lessons/runtime/lesson_runtime.hpp"
#include "nn/dense.hpp"
#include "nn/random.hpp"

namespace {

using namespace gradflow::autodiff;
namespace lessons = gradflow::lessons;
namespace viz = gradflow::autodiff::viz;

using Rows = std::vector<std::vector<std::string>>;

// ---------------------------------------------------------------------------------------------
// Part 1: one neuron.
//
// Fixed, small numbers, so that you can redo every step of the chain rule by hand (the docs
// page does exactly that). z = x w + b = 0.5*0.4 + (-1)*0.3 + 2*(-0.2) + 0.1 = -0.4.
// ---------------------------------------------------------------------------------------------
struct Neuron {
  Var x, w, b, target, z, y, loss;
};

Neuron build_neuron(Graph& g) {
  Neuron n;
  // Leaves: the data (inputs) and the learnable parameters. Nothing is computed yet.
  n.x = g.input("x", Tensor::from_rows({{0.5F, -1.0F, 2.0F}}));
  n.w = g.parameter("w", Tensor::from_rows({{0.4F}, {0.3F}, {-0.2F}}));
  n.b = g.parameter("b", Tensor::from_rows({{0.1F}}));
  n.target = g.input("target", Tensor::from_rows({{1.0F}}));
  // Each call adds one op node *and computes its value now* (eager evaluation):
  n.z = matmul(n.x, n.w) + n.b;  // nodes "matmul" and "add"
  n.y = sigmoid(n.z);            // node "sigmoid"
  // The squared error, written with three small ops so that each step is its own node:
  n.loss = mean(square(n.y - n.target));  // nodes "sub", "square", "mean"
  return n;
}

// ---------------------------------------------------------------------------------------------
// Part 2: a two-layer network on a batch of four examples, from nn/'s Dense layer: its kernel
// starts Glorot-uniform (tf.layers.dense's default, U(-l, l) with l = sqrt(6 / (fan_in +
// fan_out)), which keeps the activations' variance roughly the same from layer to layer).
// Everything a Dense layer creates is named "<name>/...": "layer1/kernel", "layer1/bias",
// "layer1/matmul", "layer1/bias_add", "layer1/tanh", drawn inside one frame "layer1".
// ---------------------------------------------------------------------------------------------
Var build_two_layer(Graph& g, gradflow::nn::Rng& rng) {
  Var x = g.input("x", Tensor::from_rows({{0.5F, -1.0F, 2.0F},  //
                                          {1.5F, 0.3F, -0.7F},
                                          {-0.2F, 0.8F, 0.1F},
                                          {-1.0F, -0.5F, 0.4F}}));
  // One-hot labels: examples 0 and 3 are class 0, examples 1 and 2 class 1.
  Var labels = g.input("labels", Tensor::from_rows({{1, 0}, {0, 1}, {0, 1}, {1, 0}}));
  gradflow::nn::DenseOptions hidden_options;
  hidden_options.activation = gradflow::nn::Activation::tanh;
  gradflow::nn::Dense layer1(g, "layer1", 3, 4, hidden_options, rng);
  gradflow::nn::Dense layer2(g, "layer2", 4, 2, {}, rng);  // linear: raw scores ("logits")
  // Small non-zero biases (Dense starts from zeros) so the printed values say more.
  for (const gradflow::nn::Dense* layer : {&layer1, &layer2}) {
    Tensor& bias = layer->bias().mutable_value();
    for (int j = 0; j < bias.cols(); ++j) bias(0, j) = j % 2 == 0 ? 0.1F : -0.1F;
  }
  // Softmax turns each row of logits into probabilities; cross-entropy is -ln(probability of
  // the true class), averaged over the batch. One fused op, [1 x 1].
  return softmax_cross_entropy(layer2(layer1(x)), labels);
}

// ---------------------------------------------------------------------------------------------
// Printing: one row per node, in the order the forward pass created them.
// ---------------------------------------------------------------------------------------------

// "[0.5, -1, 2]" for a row, "[0.4; 0.3; -0.2]" for a column: the entries of a small tensor.
std::string entries(const Tensor& t) {
  std::string s = "[";
  for (int r = 0; r < t.rows(); ++r) {
    for (int c = 0; c < t.cols(); ++c) {
      if (c > 0) s += ", ";
      s += fmt::format("{:.4g}", t(r, c));
    }
    if (r + 1 < t.rows()) s += "; ";
  }
  return s + "]";
}

constexpr std::size_t kSmall = 4;  // tensors with at most this many entries are shown in full

// "-1 .. 2": the smallest and largest entry.
std::string range(const Tensor& t) {
  const auto [lo, hi] = std::minmax_element(t.values().begin(), t.values().end());
  return fmt::format("{:.3g} .. {:.3g}", *lo, *hi);
}

// Small tensors in full; larger ones as their mean and range (values) or their range
// (gradients, whose mean is mostly a cancellation of positive and negative entries).
std::string value_summary(const Tensor& t) {
  return t.size() <= kSmall ? entries(t)
                            : fmt::format("mean {:.3g}, {}", sum(t) / static_cast<float>(t.size()), range(t));
}
std::string gradient_summary(const Tensor& t) { return t.size() <= kSmall ? entries(t) : range(t); }

// kind is input, parameter or op; an op node is named after its op ("layer1/tanh", a second one
// in the same scope "layer1/tanh_1").
const std::vector<std::string> kNodeHeaders = {"node", "kind", "shape", "value", "mean |grad|", "gradient dL/dx"};

Rows node_rows(const Graph& g) {
  Rows rows;
  for (NodeId id = 0; id < g.size(); ++id) {
    const Node& n = g.node(id);
    const bool has_grad = n.requires_grad && !n.grad.empty();
    rows.push_back({n.name, std::string(to_string(n.kind)), to_string(n.value.shape()), value_summary(n.value),
                    has_grad ? fmt::format("{:.3e}", mean_abs(n.grad)) : "-",
                    has_grad ? gradient_summary(n.grad) : "no gradient"});
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Checking the gradients.
//
// The derivative is the slope of the loss when one number changes a little. So for every
// entry p of every parameter we nudge it up and down by eps, re-run the forward pass, and
// compare the central difference
//     (L(p + eps) - L(p - eps)) / (2 eps)
// with what backward computed. graph.forward() replays the graph that is already built, so
// the check costs two forward passes per entry and adds no nodes.
// ---------------------------------------------------------------------------------------------
struct ParameterCheck {
  std::string name;
  double max_abs_error = 0;
  double max_abs_grad = 0;
  bool passed = true;
};

std::vector<ParameterCheck> finite_difference_check(Graph& g, Var loss) {
  // The same tolerances as gradcheck (see autodiff/gradcheck.hpp for why these fit float32).
  const GradcheckOptions tolerance;
  std::vector<ParameterCheck> checks;
  for (Var p : g.parameters()) {
    ParameterCheck check{p.name()};
    Tensor& value = p.mutable_value();
    const Tensor analytic = p.grad();  // a copy: backward's answer
    for (std::size_t i = 0; i < value.size(); ++i) {
      const float original = value[i];
      const auto up = static_cast<float>(original + tolerance.eps);
      const auto down = static_cast<float>(original - tolerance.eps);
      value[i] = up;
      g.forward();
      const double loss_up = loss.value().item();
      value[i] = down;
      g.forward();
      const double loss_down = loss.value().item();
      value[i] = original;
      // Divide by the step float32 really took, not by the 2 eps we asked for.
      const double numeric = (loss_up - loss_down) / (static_cast<double>(up) - static_cast<double>(down));
      const double a = analytic[i];
      const double error = std::fabs(a - numeric);
      check.max_abs_error = std::max(check.max_abs_error, error);
      check.max_abs_grad = std::max(check.max_abs_grad, std::fabs(a));
      if (error > tolerance.atol + tolerance.rtol * std::max(std::fabs(a), std::fabs(numeric))) check.passed = false;
    }
    checks.push_back(check);
  }
  g.forward();  // every node holds the unperturbed values again
  return checks;
}

// The same question asked of every op on its own: gradcheck feeds the op the operand values
// it saw in this forward pass and compares its backward with finite differences.
struct OpCheck {
  std::string node;
  std::string op;
  GradcheckResult result;
};

std::vector<OpCheck> op_checks(const Graph& g) {
  std::vector<OpCheck> checks;
  for (NodeId id = 0; id < g.size(); ++id) {
    const Node& n = g.node(id);
    if (!n.op) continue;
    std::vector<Tensor> x;
    for (NodeId operand : g.operands(id)) x.push_back(g.node(operand).value);
    checks.push_back({n.name, std::string(n.op->name()), gradcheck(*n.op, x)});
  }
  return checks;
}

std::string pass_fail(bool passed) { return passed ? "PASS" : "FAIL"; }

// ---------------------------------------------------------------------------------------------
// Steps 4 to 6 for one part: every node, the two gradient checks, the diagram. Each table goes
// to the console and the page from one report.table call.
// ---------------------------------------------------------------------------------------------
struct PartResult {
  bool parameters_pass = true, ops_pass = true;
  double worst_parameter_error = 0;
  int parameters = 0, ops = 0;
};

PartResult report_part(lessons::Report& report, Graph& g, Var loss, std::string_view stem, std::string_view title,
                       const viz::ColorScale& scale, std::string_view caption) {
  PartResult r;
  report.subsection("Every node: value and gradient");
  report.table({kNodeHeaders, node_rows(g),
                "Nodes after forward and backward, in the order the forward pass created "
                "them:",
                false});

  // Each parameter's gradient against finite differences of the whole loss.
  lessons::Table p{{"parameter", "max |backward - finite difference|", "max |gradient|", "result"}, {}, "", false};
  for (const ParameterCheck& c : finite_difference_check(g, loss)) {
    p.rows.push_back(
        {c.name, fmt::format("{:.2e}", c.max_abs_error), fmt::format("{:.3e}", c.max_abs_grad), pass_fail(c.passed)});
    r.parameters_pass = r.parameters_pass && c.passed;
    r.worst_parameter_error = std::max(r.worst_parameter_error, c.max_abs_error);
    ++r.parameters;
  }
  report.subsection("Gradient check of every parameter (central differences)");
  report.table(p);

  // Each op's backward on its own, at the values of this forward pass.
  lessons::Table o{{"node", "op", "max abs error", "result"}, {}, "", false};
  for (const OpCheck& c : op_checks(g)) {
    o.rows.push_back({c.node, c.op, fmt::format("{:.2e}", c.result.max_abs_error), pass_fail(c.result.passed)});
    if (!c.result.passed) report.text(fmt::format("FAIL {}: {}", c.node, c.result.message));
    r.ops_pass = r.ops_pass && c.result.passed;
    ++r.ops;
  }
  report.subsection("gradcheck of every op at this forward pass's values");
  report.table(o);

  // The picture: DOT text from the Boost graph, rendered in-process to SVG and PNG, inlined in
  // the page so that hovering a node shows its exact value and gradient.
  viz::DotOptions options;
  options.title = std::string(title);
  options.scale = scale;
  report.diagram(stem, viz::to_dot(g, options), caption);
  return r;
}

// The chain rule on the neuron, step by step, with the numbers the engine computed. Each
// "engine" column is read back from the graph after backward(), so you can see that the
// engine does nothing but this.
std::string chain_rule_by_hand(const Neuron& n) {
  // "(-0.2)" rather than "-0.2", so that "2*(-0.2)" reads as a product.
  auto num = [](double v) { return v < 0 ? fmt::format("({:.4g})", v) : fmt::format("{:.4g}", v); };
  const Tensor& x = n.x.value();
  const Tensor& w = n.w.value();
  const double z = n.z.value().item(), y = n.y.value().item(), t = n.target.value().item();
  const double dl_dy = 2.0 * (y - t);  // mean over one element: d/dy (y - t)^2 = 2 (y - t)
  const double dy_dz = y * (1.0 - y);  // sigmoid'(z) = y (1 - y)
  const double dl_dz = dl_dy * dy_dz;
  // dL/dz splits at the add (both operands get it unchanged) and at the matmul (x^T dL/dz).
  const std::vector<std::array<std::string, 3>> backward_steps = {
      {"dL/dL", "(the seed)", "1"},
      {"dL/dy", fmt::format("2 (y - target) = 2 * ({:.4f})", y - t), fmt::format("{:.4f}", dl_dy)},
      {"dL/dz", fmt::format("dL/dy * y (1 - y) = ({:.4f}) * {:.4f}", dl_dy, dy_dz), fmt::format("{:.4f}", dl_dz)},
      {"dL/db", "dL/dz", fmt::format("{:.4f}", dl_dz)},
      {"dL/dw", "x^T dL/dz", fmt::format("[{:.4f}; {:.4f}; {:.4f}]", x[0] * dl_dz, x[1] * dl_dz, x[2] * dl_dz)},
  };
  const std::vector<std::string> engine = {"1", fmt::format("{:.4f}", n.y.grad().item()),
                                           fmt::format("{:.4f}", n.z.grad().item()),
                                           fmt::format("{:.4f}", n.b.grad().item()), entries(n.w.grad())};
  std::string s = "forward (each line is one node, computed as soon as it was created):\n";
  s += fmt::format("  z = x w + b = {}*{} + {}*{} + {}*{} + {} = {:.4f}\n", num(x[0]), num(w[0]), num(x[1]), num(w[1]),
                   num(x[2]), num(w[2]), num(n.b.value().item()), z);
  s += fmt::format("  y = sigmoid(z) = 1 / (1 + e^{}) = {:.4f}\n", num(-z), y);
  s += fmt::format("  L = (y - target)^2 = ({:.4f} - {:.4g})^2 = {:.4f}\n", y, t, n.loss.value().item());
  s += "backward (the chain rule, from the loss down to the parameters):\n";
  std::size_t formula_width = 0, value_width = 0;
  for (const auto& step : backward_steps) {
    formula_width = std::max(formula_width, step[1].size());
    value_width = std::max(value_width, step[2].size());
  }
  for (std::size_t i = 0; i < backward_steps.size(); ++i) {
    const auto& [lhs, formula, value] = backward_steps[i];
    s += fmt::format("  {} = {:<{}} = {:<{}}   engine: {}\n", lhs, formula, formula_width, value, value_width,
                     engine[i]);
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// The lesson.
// ---------------------------------------------------------------------------------------------
int lesson(int argc, char** argv) {
  lessons::CommonOptions options;
  lessons::Flags flags("lesson01_computation_graph",
                       "Lesson 01: builds the computation graph of one neuron and of a two-layer network, runs the\n"
                       "forward and backward passes, prints every node's value and gradient, checks the gradients\n"
                       "against finite differences, and draws both graphs (graph.png, neuron.png, index.html).\n"
                       "--seed picks the two-layer network's initial weights; the neuron's numbers are fixed.");
  lessons::add_common_flags(flags, options, "lesson01_computation_graph", /*uses_data=*/false);
  if (!flags.parse(argc, argv)) return 0;

  // Created first: an unwritable --out fails here, before any work is done.
  lessons::Report report({"01_computation_graph", "Lesson 01: the computation graph",
                          "What reverse-mode automatic differentiation does: the graph the forward pass builds, the "
                          "chain rule the backward pass applies, checked against finite differences."},
                         options);
  report.setting("seed", options.seed, options.seed != 1);
  report.html(
      "<p>Every line of model code, such as <code>sigmoid(matmul(x, w) + b)</code>, adds a node to a "
      "<b>computation graph</b> and computes its value straight away: that is the <b>forward pass</b>. "
      "<code>graph.backward(loss)</code> then visits the same nodes in reverse order and applies the chain rule "
      "at each one: the <b>backward pass</b>. When it is done every node holds dL/dx, the gradient of the loss "
      "with respect to its value.</p>\n"
      "<details><summary>How to read the diagrams</summary><ul>\n"
      "<li><b>Arrows</b> point from an operand to the op that uses it, so data flows <b>upward</b>: inputs at the "
      "bottom, the loss at the top. The gradient flows the opposite way. A label <code>x0</code>, <code>x1</code> "
      "says which operand of the op an arrow is (<code>x - target</code> is not <code>target - x</code>).</li>\n"
      "<li><b>Bold boxes</b> are parameters (what training changes), <b>grey notes</b> are inputs and labels (data, "
      "no gradient), <b>ellipses</b> are ops.</li>\n"
      "<li><b>Colour</b> is the node's mean |dL/dx| on a <b>log scale</b> (see the legend): dark violet a tiny "
      "gradient, yellow a large one, grey none. Both diagrams share one scale. Tensors of up to four entries show "
      "their values and gradients in full, with signs; hover any node for its exact numbers.</li>\n"
      "<li><b>Rounded frames</b> are layers: everything created inside <code>Graph::Scope(g, \"layer1\")</code> "
      "is named <code>layer1/...</code> and drawn inside the frame <code>layer1</code>.</li>\n"
      "</ul></details>",
      "Every line of model code adds a node to a computation graph and computes its value (the forward pass); "
      "graph.backward(loss) applies the chain rule at every node in reverse order (the backward pass).");

  // Both graphs are built, run forward (while building) and backward first, so that one
  // colour scale can span the gradients of both diagrams.
  Graph neuron_graph;
  const Neuron neuron = build_neuron(neuron_graph);  // step 1
  neuron_graph.backward(neuron.loss);

  gradflow::nn::Rng rng(options.seed);
  Graph net_graph;
  const Var net_loss = build_two_layer(net_graph, rng);  // step 3
  net_graph.backward(net_loss);

  const viz::ColorScale scale = viz::merge(viz::gradient_scale(neuron_graph), viz::gradient_scale(net_graph));

  // Part 1.
  report.section("Part 1: one neuron, y = sigmoid(x w + b), loss = mean((y - target)^2)");
  report.text(
      "x = [1 x 3], w = [3 x 1], b = [1 x 1]. The numbers are fixed so you can follow the chain rule by hand "
      "(step 2), and compare each step with the number the engine stored:");
  const std::string by_hand = chain_rule_by_hand(neuron);
  report.html(fmt::format("<pre><code>{}</code></pre>", lessons::html_escape(by_hand)), by_hand);
  const PartResult neuron_result =
      report_part(report, neuron_graph, neuron.loss, "neuron", "Part 1: one neuron, y = sigmoid(x w + b)", scale,
                  "Part 1: the neuron's graph. Data flows up from x, w, b to the loss; the gradient flows back down.");

  // Part 2.
  report.section("Part 2: two layers, x [4 x 3] -> dense 3->4, tanh -> dense 4->2 -> softmax cross-entropy");
  report.text(fmt::format(
      "A batch of four examples x [4 x 3] goes through layer1 (dense 3->4, then tanh) and layer2 (dense 4->2, no "
      "activation: the logits), and softmax cross-entropy against one-hot labels gives the loss, here {:.4f} "
      "(guessing 50/50 would give ln 2 = {:.4f}). The kernels start Glorot-uniform from --seed {}. x is used once; "
      "a value used twice would have two outgoing arrows, and backward would add the two gradients.",
      net_loss.value().item(), std::log(2.0), options.seed));
  const PartResult net_result = report_part(
      report, net_graph, net_loss, "graph", "Part 2: two layers, tanh hidden layer, softmax cross-entropy", scale,
      "Part 2: the two-layer network. Each layer is a frame; the colours show how large a gradient reached each node.");

  // The lesson's claims: backward computes the derivative, as finite differences measure it.
  report.section("What this run showed");
  const std::string rule =
      "holds if every entry's |backward - central difference| <= atol + rtol * max(|backward|, |difference|) "
      "(gradcheck's float32 tolerances); fails otherwise";
  for (const auto& [id, name, result] : {std::tuple{"neuron_gradients", "one neuron", neuron_result},
                                         {"network_gradients", "the two-layer network", net_result}}) {
    report.claim({id, fmt::format("backward gives the derivative of the loss for every parameter of {}", name),
                  fmt::format("{} parameters checked, largest |backward - finite difference| {:.2e}", result.parameters,
                              result.worst_parameter_error),
                  rule, result.parameters_pass ? lessons::Verdict::holds : lessons::Verdict::fails, ""});
  }
  report.claim({"op_gradients", "every op's backward agrees with finite differences at the values it saw",
                fmt::format("{} ops checked", neuron_result.ops + net_result.ops),
                "gradcheck of each op node on its own operand values; " + rule,
                neuron_result.ops_pass && net_result.ops_pass ? lessons::Verdict::holds : lessons::Verdict::fails, ""});
  const bool passed =
      neuron_result.parameters_pass && neuron_result.ops_pass && net_result.parameters_pass && net_result.ops_pass;
  report.value("loss", {{"neuron", neuron.loss.value().item()}, {"network", net_loss.value().item()}});
  report.value("gradient_checks_pass", passed);
  report.text(fmt::format("Gradient checks: {}", passed ? "all PASS" : "at least one FAIL"));
  report.finish();
  if (!passed) {
    fmt::print(stderr, "error: a gradient check failed: backward disagrees with finite differences (see above)\n");
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return lessons::run_main(argc, argv, lesson); }
