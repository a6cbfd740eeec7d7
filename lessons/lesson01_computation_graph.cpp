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
// Exit codes: 0 when every gradient check passes, 1 when one fails (the output folder is still
// written, so you can look at the wrong gradients) or anything else goes wrong, 2 for a bad flag.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "autodiff/autodiff.hpp"
#include "autodiff/viz/dot.hpp"
#include "autodiff/viz/render.hpp"
#include "lessons/runtime/lesson_runtime.hpp"

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
// Part 2: a two-layer network on a batch of four examples.
// ---------------------------------------------------------------------------------------------

// Glorot-uniform initial weights, as tf.layers.dense uses: U(-limit, limit) with
// limit = sqrt(6 / (fan_in + fan_out)), which keeps the activations' variance roughly the same
// from layer to layer.
Tensor glorot_uniform(int fan_in, int fan_out, std::mt19937_64& rng) {
  const double limit = std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
  std::uniform_real_distribution<double> uniform(-limit, limit);
  Tensor t({fan_in, fan_out});
  for (float& v : t.values()) v = static_cast<float>(uniform(rng));
  return t;
}

// A dense layer, y = activation(x kernel + bias). Everything created inside the Scope gets the
// prefix "<name>/": the nodes "layer1/kernel", "layer1/bias", "layer1/matmul", "layer1/bias_add",
// "layer1/tanh", and the diagram draws them inside one frame (a Graphviz cluster) "layer1".
Var dense(Graph& g, std::string_view name, Var x, int units, std::mt19937_64& rng,
          const std::function<Var(Var)>& activation = {}) {
  Graph::Scope scope(g, name);
  Var kernel = g.parameter("kernel", glorot_uniform(x.shape().cols, units, rng));
  // Small non-zero biases (tf.layers.dense starts from zeros) so the printed values say more.
  Tensor initial_bias({1, units});
  for (int j = 0; j < units; ++j) initial_bias(0, j) = j % 2 == 0 ? 0.1F : -0.1F;
  Var bias = g.parameter("bias", std::move(initial_bias));
  Var y = matmul(x, kernel) + bias;  // [batch x units] + [1 x units] is bias_add
  return activation ? activation(y) : y;
}

Var build_two_layer(Graph& g, std::mt19937_64& rng) {
  Var x = g.input("x", Tensor::from_rows({{0.5F, -1.0F, 2.0F},  //
                                          {1.5F, 0.3F, -0.7F},
                                          {-0.2F, 0.8F, 0.1F},
                                          {-1.0F, -0.5F, 0.4F}}));
  // One-hot labels: examples 0 and 3 are class 0, examples 1 and 2 class 1.
  Var labels = g.input("labels", Tensor::from_rows({{1, 0}, {0, 1}, {0, 1}, {1, 0}}));
  Var hidden = dense(g, "layer1", x, 4, rng, [](Var v) { return tanh(v); });
  Var logits = dense(g, "layer2", hidden, 2, rng);  // no activation: raw scores ("logits")
  // Softmax turns each row of logits into probabilities; cross-entropy is -ln(probability of
  // the true class), averaged over the batch. One fused op, [1 x 1].
  return softmax_cross_entropy(logits, labels);
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
// One part of the lesson: print it, put it on the page, draw it.
// ---------------------------------------------------------------------------------------------
// Returns whether every gradient check of this part passed.
bool report_part(Graph& g, Var loss, std::string_view stem, std::string_view title, const viz::ColorScale& scale,
                 lessons::HtmlPage& page, lessons::OutputDir& out) {
  bool passed = true;
  fmt::print("Nodes after forward and backward (in the order the forward pass created them):\n\n{}\n",
             lessons::format_table(kNodeHeaders, node_rows(g)));
  page.add_heading("Every node: value and gradient", 3);
  page.add_table(kNodeHeaders, node_rows(g));

  // 1. Each parameter's gradient against finite differences of the whole loss.
  const std::vector<std::string> p_headers = {"parameter", "max |backward - finite difference|", "max |gradient|",
                                              "result"};
  Rows p_rows;
  for (const ParameterCheck& c : finite_difference_check(g, loss)) {
    p_rows.push_back(
        {c.name, fmt::format("{:.2e}", c.max_abs_error), fmt::format("{:.3e}", c.max_abs_grad), pass_fail(c.passed)});
    passed = passed && c.passed;
  }
  fmt::print("Gradient check: each parameter entry nudged by +-eps, loss recomputed by forward():\n\n{}\n",
             lessons::format_table(p_headers, p_rows));
  page.add_heading("Gradient check of every parameter (central differences)", 3);
  page.add_table(p_headers, p_rows);

  // 2. Each op's backward on its own, at the values of this forward pass.
  const std::vector<std::string> o_headers = {"node", "op", "max abs error", "result"};
  Rows o_rows;
  for (const OpCheck& c : op_checks(g)) {
    o_rows.push_back({c.node, c.op, fmt::format("{:.2e}", c.result.max_abs_error), pass_fail(c.result.passed)});
    if (!c.result.passed) fmt::print("FAIL {}: {}\n", c.node, c.result.message);
    passed = passed && c.result.passed;
  }
  fmt::print("gradcheck of every op at the values it saw in this forward pass:\n\n{}\n",
             lessons::format_table(o_headers, o_rows));
  page.add_heading("gradcheck of every op at this forward pass's values", 3);
  page.add_table(o_headers, o_rows);

  // 3. The picture: DOT text from the Boost graph, rendered in-process to SVG and PNG.
  viz::DotOptions options;
  options.title = std::string(title);
  options.scale = scale;
  const auto files = viz::write_dot_svg_png(viz::to_dot(g, options), out.path(stem));
  fmt::print("Wrote {}, {}, {} (into the staging folder; moved to --out at the end)\n\n", files[0].filename().string(),
             files[1].filename().string(), files[2].filename().string());
  return passed;
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
// The narrative of index.html around the tables and pictures.
// ---------------------------------------------------------------------------------------------
void add_introduction(lessons::HtmlPage& page) {
  page.add_paragraph(
      "Every line of model code, such as <code>sigmoid(matmul(x, w) + b)</code>, adds a node to a "
      "<b>computation graph</b> and computes its value straight away: that is the <b>forward pass</b>. "
      "<code>graph.backward(loss)</code> then visits the same nodes in reverse order and applies the chain rule "
      "at each one: the <b>backward pass</b>. When it is done every node holds dL/dx, the gradient of the loss "
      "with respect to its value.");
  page.add_heading("How to read the diagrams", 2);
  page.add_raw(
      "<ul>\n"
      "<li><b>Arrows</b> point from an operand to the op that uses it, so data flows <b>upward</b>: inputs at the "
      "bottom, the loss at the top. The gradient flows the opposite way, downward along the same arrows. A label "
      "<code>x0</code>, <code>x1</code> says which operand of the op an arrow is (it matters: "
      "<code>x - target</code> is not <code>target - x</code>).</li>\n"
      "<li><b>Bold boxes</b> are parameters (what training changes), <b>grey notes</b> are inputs and labels (data, "
      "no gradient), <b>ellipses</b> are ops.</li>\n"
      "<li><b>Colour</b> is the node's mean |dL/dx| on a <b>log scale</b> (see the legend): dark violet means a "
      "tiny gradient, yellow a large one, grey no gradient at all. Both diagrams share one scale, so their colours "
      "compare.</li>\n"
      "<li><b>Rounded frames</b> (clusters) are layers: everything created inside "
      "<code>Graph::Scope(g, \"layer1\")</code> is named <code>layer1/...</code> and drawn inside the frame "
      "<code>layer1</code>.</li>\n"
      "</ul>");
}

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
  lessons::OutputDir out(options.out);
  std::mt19937_64 rng(options.seed);

  fmt::print("Lesson 01: the computation graph\n================================\n\n");
  lessons::HtmlPage page("Lesson 01: the computation graph");
  add_introduction(page);

  // Both graphs are built, run forward (while building) and backward first, so that one
  // colour scale can span the gradients of both diagrams.
  Graph neuron_graph;
  const Neuron neuron = build_neuron(neuron_graph);
  neuron_graph.backward(neuron.loss);

  Graph net_graph;
  const Var net_loss = build_two_layer(net_graph, rng);
  net_graph.backward(net_loss);

  const viz::ColorScale scale = viz::merge(viz::gradient_scale(neuron_graph), viz::gradient_scale(net_graph));

  // Part 1.
  fmt::print("Part 1: one neuron, y = sigmoid(x w + b), loss = mean((y - target)^2)\n\n");
  page.add_heading("Part 1: one neuron", 2);
  page.add_paragraph(
      "<code>y = sigmoid(x w + b)</code> with <code>x</code> = [1 x 3], <code>w</code> = [3 x 1], <code>b</code> = "
      "[1 x 1], and the squared error <code>loss = mean((y - target)^2)</code>. The numbers are fixed so you can "
      "follow the chain rule by hand:");
  const std::string by_hand = chain_rule_by_hand(neuron);
  fmt::print("{}\n", by_hand);
  page.add_code(by_hand);
  page.add_figure("neuron.svg",
                  "Part 1: the neuron's graph. Data flows up from x, w, b to the loss; the gradient "
                  "flows back down. (neuron.png, neuron.dot)",
                  "computation graph of one sigmoid neuron with a squared-error loss");
  bool passed =
      report_part(neuron_graph, neuron.loss, "neuron", "Part 1: one neuron, y = sigmoid(x w + b)", scale, page, out);

  // Part 2.
  fmt::print("Part 2: two layers, x [4 x 3] -> dense 3->4, tanh -> dense 4->2 -> softmax cross-entropy\n\n");
  fmt::print("loss = {:.4f} (ln 2 = {:.4f} is what guessing 50/50 would give)\n\n", net_loss.value().item(),
             std::log(2.0));
  page.add_heading("Part 2: a two-layer network", 2);
  page.add_paragraph(fmt::format(
      "A batch of four examples <code>x</code> [4 x 3] goes through <code>layer1</code> (dense 3&rarr;4, then "
      "tanh) and <code>layer2</code> (dense 4&rarr;2, no activation: the logits), and softmax cross-entropy against "
      "one-hot <code>labels</code> gives the loss, here {:.4f} (guessing 50/50 would give ln 2 = {:.4f}). The "
      "kernels start Glorot-uniform from <code>--seed {}</code>. Note that <code>x</code> is used once, but a "
      "value used twice would have two outgoing arrows, and backward would <b>add</b> the two gradients.",
      net_loss.value().item(), std::log(2.0), options.seed));
  page.add_figure("graph.svg",
                  "Part 2: the two-layer network. Each layer is a cluster; the colours show how large a gradient "
                  "reached each node. (graph.png, graph.dot)",
                  "computation graph of a two-layer network with clusters layer1 and layer2");
  const bool net_passed = report_part(net_graph, net_loss, "graph",
                                      "Part 2: two layers, tanh hidden layer, softmax cross-entropy", scale, page, out);
  passed = passed && net_passed;

  page.add_heading("Files in this folder", 2);
  page.add_table({"file", "what it is"}, {{"graph.dot / graph.svg / graph.png", "the two-layer network (Part 2)"},
                                          {"neuron.dot / neuron.svg / neuron.png", "the single neuron (Part 1)"},
                                          {"index.html", "this page"}});
  page.add_paragraph(
      "The <code>.dot</code> files are Graphviz's text format: open one in a text editor to see the nodes and "
      "edges the pictures were drawn from, or re-render it with <code>dot -Tsvg graph.dot</code>.");
  out.write_text("index.html", page.str());
  out.commit();

  fmt::print("Gradient checks: {}\n", passed ? "all PASS" : "at least one FAIL");
  fmt::print("Output: {}/index.html (graph.png: the two-layer network, neuron.png: the neuron)\n",
             out.final_path().string());
  if (!passed) {
    fmt::print(stderr, "error: a gradient check failed: backward disagrees with finite differences (see above)\n");
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return lessons::run_main(argc, argv, lesson); }
