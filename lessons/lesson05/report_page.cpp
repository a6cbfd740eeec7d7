// write_report: everything lesson 05 leaves in its output folder, and index.html, the page
// that ties the numbers, the figures and the diagrams into one story.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "lessons/lesson05/report.hpp"
#include "lessons/runtime/html_page.hpp"

namespace gradflow::lessons::lesson05 {

namespace {

const ScenarioSummary* find_summary(const Results& r, std::string_view name) {
  for (const ScenarioSummary& s : r.summaries) {
    if (s.scenario == name && s.runs > 0) return &s;
  }
  return nullptr;
}

std::string sci(double v) { return v == 0.0 ? std::string("0") : fmt::format("{:.2e}", v); }
std::string pct(const Stat& s, int runs) {
  return runs > 1 ? fmt::format("{:.1f}% ± {:.1f}", 100 * s.mean, 100 * s.std) : fmt::format("{:.1f}%", 100 * s.mean);
}
std::string times(const Stat& s, int runs) {
  return runs > 1 ? fmt::format("{:.1f}x ± {:.1f}", s.mean, s.std) : fmt::format("{:.1f}x", s.mean);
}
std::string e(std::string_view text) { return html_escape(text); }

// A layer's mean over the logged steps of one run.
double time_average(const Run& run, std::size_t layer, float nn::LayerRecord::*field) {
  double total = 0;
  for (const LogPoint& p : run.log) total += static_cast<double>(p.gradients.layers[layer].*field);
  return run.log.empty() ? 0.0 : total / static_cast<double>(run.log.size());
}

// Layer N over layer 1 at logged point `index` (0 = the first logged step, -1 = the last),
// averaged over the seeds of `scenario`: how the decay changes as training goes on.
double ratio_at(const Results& r, std::string_view scenario, int index, float nn::LayerRecord::*field) {
  double total = 0;
  int n = 0;
  for (const Run& run : r.runs) {
    if (run.scenario != scenario || run.log.empty()) continue;
    const LogPoint& p = index < 0 ? run.log.back() : run.log[std::min<std::size_t>(index, run.log.size() - 1)];
    const double first = p.gradients.layers.front().*field, last = p.gradients.layers.back().*field;
    if (first > 0) {
      total += last / first;
      ++n;
    }
  }
  return n ? total / n : 0.0;
}

// The fraction of layer `layer`'s kernel values below zero at the last logged step of the
// scenario's first run, read off the histogram (a bin that straddles 0 counts half).
double negative_fraction(const Results& r, std::string_view scenario, std::size_t layer) {
  for (const Run& run : r.runs) {
    if (run.scenario != scenario || run.log.empty()) continue;
    const nn::Histogram& h = run.log.back().gradients.layers.at(layer).kernel_value;
    const std::size_t bins = h.counts.size();
    double below = 0, total = 0;
    for (std::size_t b = 0; b < bins; ++b) {
      const double lo = h.lo + (h.hi - h.lo) * static_cast<double>(b) / static_cast<double>(bins);
      const double hi = h.lo + (h.hi - h.lo) * static_cast<double>(b + 1) / static_cast<double>(bins);
      total += h.counts[b];
      if (hi <= 0)
        below += h.counts[b];
      else if (lo < 0)
        below += 0.5 * h.counts[b];
    }
    return total > 0 ? below / total : 0.0;
  }
  return 0.0;
}

// A figure: the SVG (sharp at any zoom) linking to itself, a caption that says what to look
// for, and links to the PNG and to the file that drew it.
void add_picture(HtmlPage& page, const Picture& p, std::string_view title, std::string_view caption_html) {
  page.add_raw(
      fmt::format("<figure><a href=\"{0}.svg\"><img src=\"{0}.svg\" alt=\"{1}\" loading=\"lazy\"></a>"
                  "<figcaption><b>{1}.</b> {2} <span style=\"white-space:nowrap\">[<a href=\"{0}.svg\">SVG</a> · "
                  "<a href=\"{0}.png\">PNG</a> · <a href=\"{3}\">{3}</a>]</span></figcaption></figure>",
                  e(p.stem), e(title), caption_html, e(p.source)));
}

// A table whose text cells wrap (the page's default tables keep every cell on one line, which
// suits numbers but not sentences). Cells are escaped; a verdict cell is coloured.
std::string prose_table(const std::vector<std::string>& headers, const std::vector<std::vector<std::string>>& rows) {
  std::string html = "<div class=\"table-wrap\"><table style=\"width:100%\">\n<thead><tr>";
  for (const auto& h : headers) html += fmt::format("<th>{}</th>", e(h));
  html += "</tr></thead>\n<tbody>\n";
  for (const auto& row : rows) {
    html += "<tr>";
    for (const auto& cell : row) {
      std::string style = "white-space:normal";
      if (cell == "holds") style += ";color:#1a7f37;font-weight:600";
      if (cell == "does not hold") style += ";color:#cf222e;font-weight:600";
      if (cell.rfind("holds in direction", 0) == 0) style += ";color:#9a6700;font-weight:600";
      html += fmt::format("<td style=\"{}\">{}</td>", style, e(cell));
    }
    html += "</tr>\n";
  }
  return html + "</tbody></table></div>";
}

const Picture* find_picture(const std::vector<Picture>& all, std::string_view stem) {
  for (const Picture& p : all) {
    if (p.stem == stem) return &p;
  }
  return nullptr;
}

}  // namespace

void write_report(const Results& results, OutputDir& out) {
  const Settings& s = results.settings;
  // The data first: if a figure fails, the error message is what the learner sees, but the
  // numbers were at least computed the same way.
  out.write_text("scalars.csv", scalars_csv(results.runs));
  out.write_text("histograms.csv", histograms_csv(results.runs));
  out.write_text("summary.json", summary_json(results));
  const std::vector<Picture> figures = write_figures(results, out);
  const std::vector<Picture> diagrams = write_diagrams(results, out);

  const ScenarioSummary* sig = find_summary(results, "sigmoid");
  const ScenarioSummary* relu = find_summary(results, "relu");
  const ScenarioSummary* leaky = find_summary(results, "leaky_relu");
  const int hist_layer = histogram_layer(s);
  const std::string last = fmt::format("{}", s.layers);

  HtmlPage page("Lesson 05: the vanishing gradient problem, measured");

  // ---- What this is --------------------------------------------------------------------------
  page.add_paragraph(fmt::format(
      "A deep, narrow network, 784 inputs &rarr; {0} hidden layers of {1} units &rarr; 10 outputs, is trained on "
      "MNIST once per activation function ({2}) and seed. At every {3}th step we record, for each of its {4} weight "
      "layers, how large the gradient of the loss is when the backward pass reaches that layer. If the gradient "
      "<i>vanishes</i>, layer&nbsp;1 hears almost nothing of the error and barely learns. This page shows how much "
      "of the signal survives the trip from layer&nbsp;{4} down to layer&nbsp;1 with each activation, and checks the "
      "claims of the blog post that this experiment reproduces.",
      s.layers - 1, s.hidden, e(fmt::format("{}", fmt::join(s.activations, ", "))), s.log_every, s.layers));
  page.add_paragraph(fmt::format(
      "Why it happens, in one line: backward multiplies the error by <code>W<sup>T</sup></code> and by the "
      "activation's slope <code>f'(z)</code> once per layer. The sigmoid's slope is <code>s(1&minus;s)</code>, never "
      "more than <b>1/4</b> (at <code>s = 1/2</code>), so the slopes of {0} sigmoid layers alone multiply the "
      "error by at most (1/4)<sup>{0}</sup> = 1/{1:.0f}; only larger weights can make up for that. ReLU's slope "
      "is exactly 1 wherever a unit is active.",
      s.layers - 1, std::pow(4.0, s.layers - 1)));

  // ---- Settings --------------------------------------------------------------------------------
  page.add_heading("How it was run");
  const std::string alpha_note =
      s.alpha == 0.2F
          ? "0.2: TensorFlow's default for tf.nn.leaky_relu, which is what the post's code ran. The post's text says "
            "0.01. The difference matters: with 0.2 a unit below zero still passes a fifth of the error back, with "
            "0.01 only a hundredth, so a 0.01 leaky ReLU behaves almost like plain ReLU. Try --alpha 0.01."
          : fmt::format(
                "{} (set with --alpha; TensorFlow's default, which the post's code used, is 0.2, while the "
                "post's text says 0.01)",
                s.alpha);
  const std::string alpha_cell =
      s.alpha == 0.2F ? std::string("0.2, TensorFlow's default (see below)") : fmt::format("{} (--alpha)", s.alpha);
  page.add_table(
      {"setting", "value"},
      {
          {"data", results.data_description},
          {"network", fmt::format("784 -> {} x{} -> 10, named layer1 ... layer{}; the last layer is linear (logits)",
                                  s.hidden, s.layers - 1, s.layers)},
          {"loss", "softmax cross-entropy on the logits, mean over the batch"},
          {"initialisation",
           fmt::format("{} kernels, zero biases (tf.layers.dense's defaults)", nn::to_string(s.init))},
          {"optimizer", "Adam, learning rate 0.001, beta1 0.9, beta2 0.999, eps 1e-8 (TensorFlow 1.x defaults)"},
          {"training", fmt::format("{} iterations of batch {}, batches reshuffled every epoch", s.iterations, s.batch)},
          {"logging", fmt::format("every {} steps: batch loss and accuracy, mean |dL/dW|, |dL/db|, |W| per layer, "
                                  "histograms",
                                  s.log_every)},
          {"seeds", fmt::format("{} per scenario, starting at {} (--seeds, --seed)", s.seeds, s.first_seed)},
          {"leaky_relu alpha", alpha_cell},
          {"wall time", fmt::format("{:.1f} s of training for all runs", results.seconds)},
      });
  page.add_paragraph("<b>Which leaky ReLU?</b> " + e(alpha_note));

  // ---- Results ---------------------------------------------------------------------------------
  page.add_heading("Results");
  page.add_paragraph(fmt::format(
      "Mean &plusmn; standard deviation over the seeds. The ratios divide a layer's mean gradient (averaged over the "
      "logged steps) by another's: <code>|dL/dW| last/1</code> is layer&nbsp;{0} over layer&nbsp;1, "
      "<code>last/2</code> is layer&nbsp;{0} over layer&nbsp;2, and <code>|dL/db| last/1</code> does the same for "
      "the bias gradient. Bigger means more of the gradient was lost on the way down.",
      last));
  page.add_table(summary_headers(), summary_rows(results));

  page.add_heading("The post's claims, checked", 3);
  std::vector<std::vector<std::string>> claims;
  for (const Verdict& v : results.verdicts)
    claims.push_back({v.claim, v.measured.empty() ? "-" : v.measured, v.verdict});
  page.add_raw(prose_table({"claim", "measured here", "verdict"}, claims));
  if (sig && leaky) {
    page.add_paragraph(fmt::format(
        "Read the second claim together with the bias column. With sigmoid, |dL/dW| falls {0} from layer&nbsp;{2} to "
        "layer&nbsp;1 but |dL/db| only {1}. The bias gradient <i>is</i> the error that reached the layer "
        "(<code>dL/db</code> = the batch sum of <code>dL/dz</code>), while <code>dL/dW = x<sup>T</sup> dL/dz</code> "
        "also multiplies it by the layer's input. Layer&nbsp;1's input is the image, and most MNIST pixels are 0, so "
        "most of layer&nbsp;1's kernel gradient is exactly 0 whatever the activation. That part of the decay is "
        "dilution, not vanishing; <code>|dL/dW| last/2</code> leaves it out.",
        times(sig->kernel_ratio_last_first, sig->runs), times(sig->bias_ratio_last_first, sig->runs), last));
    page.add_paragraph(fmt::format(
        "The same split for leaky ReLU: {0} from layer&nbsp;{2} to layer&nbsp;1, but {1} from layer&nbsp;{2} to "
        "layer&nbsp;2. {3}",
        times(leaky->kernel_ratio_last_first, leaky->runs), times(leaky->kernel_ratio_last_second, leaky->runs), last,
        leaky->kernel_ratio_last_second.mean < 2
            ? "Almost all of its decay happens in the very last step down, into layer&nbsp;1: it is the zero "
              "pixels, not a vanishing gradient. The post's 6x for leaky ReLU is the same effect."
            : "Part of its decay is real, part is layer&nbsp;1's zero pixels."));
  }

  // ---- Per-layer numbers ---------------------------------------------------------------------
  page.add_heading("Layer by layer", 3);
  page.add_paragraph(
      "Each number is averaged over the logged steps, then over the seeds. <code>mean |W|</code> is the size of "
      "the matrix the backward pass multiplies by: <code>dL/dx = dL/dz W<sup>T</sup></code>, so each unit "
      "receives a sum of its outgoing weights times the errors behind them. The <i>size</i> of those weights "
      "(together with how many are summed) sets how much of the error passes; their sign only decides the sign of "
      "what passes. Glorot's initialisation picks that size so that the error keeps roughly its size per layer "
      "when the activation's slope is about 1, as ReLU's is for active units.");
  {
    // One row per layer, output layer first (the order the backward pass visits them), and a
    // group of columns per quantity so that the scenarios sit next to each other.
    std::string html = "<div class=\"table-wrap\"><table>\n<thead><tr><th rowspan=\"2\">layer</th>";
    const auto n = results.summaries.size();
    for (const char* quantity : {"mean |dL/dW|", "mean |dL/db|", "mean |W|"}) {
      html += fmt::format("<th colspan=\"{}\" style=\"text-align:center\">{}</th>", n, e(quantity));
    }
    html += "</tr>\n<tr>";
    for (int q = 0; q < 3; ++q) {
      for (const ScenarioSummary& m : results.summaries) html += fmt::format("<th>{}</th>", e(m.scenario));
    }
    html += "</tr></thead>\n<tbody>\n";
    for (int l = s.layers; l >= 1; --l) {
      const auto i = static_cast<std::size_t>(l - 1);
      html += fmt::format("<tr><td>layer{}{}</td>", l, l == s.layers ? " (output)" : "");
      auto cells = [&](const std::vector<Stat> ScenarioSummary::*field, bool scientific) {
        for (const ScenarioSummary& m : results.summaries) {
          const auto& v = m.*field;
          const std::string text =
              i >= v.size() ? "-" : (scientific ? sci(v[i].mean) : fmt::format("{:.3f}", v[i].mean));
          html += fmt::format("<td class=\"num\">{}</td>", text);
        }
      };
      cells(&ScenarioSummary::mean_abs_kernel_grad, true);
      cells(&ScenarioSummary::mean_abs_bias_grad, true);
      cells(&ScenarioSummary::mean_abs_kernel, false);
      html += "</tr>\n";
    }
    page.add_raw(html + "</tbody></table></div>");
  }

  // ---- Figures ---------------------------------------------------------------------------------
  page.add_heading("The vanishing gradient in pictures");
  if (const Picture* p = find_picture(figures, "layer_profile")) {
    std::string what = fmt::format(
        "Each line is one activation; the x axis walks down the network from layer&nbsp;1 (next to the pixels) to "
        "layer&nbsp;{0} (the output). Follow a line from right to left: that is the backward pass. The steeper it "
        "falls, the more gradient is lost. Compare the left panel (|dL/dW|) with the middle one (|dL/db|) at "
        "layer&nbsp;1: the kernel gradient drops there for every activation, the bias gradient does not, because "
        "layer&nbsp;1's input pixels are mostly 0. The right panel shows the size of the weights the error is "
        "multiplied by. Bars span the seeds.",
        last);
    add_picture(page, *p, "Mean gradient per layer", what);
  }
  if (const Picture* p = find_picture(diagrams, "gradient_flow")) {
    add_picture(
        page, *p, "Gradient flow, one column per activation",
        "The same numbers as a diagram: the backward pass runs down each column from the loss. Dark boxes and thin "
        "arrows mean little gradient arrives; all columns share one colour scale, so colours compare across "
        "activations. The note under each column is the decay from the output layer to layer&nbsp;1.");
  }
  if (const Picture* p = find_picture(figures, "accuracy")) {
    std::string what =
        "Left: accuracy on each training batch (the post's plot), the line the mean over the seeds, the band their "
        "range; the legend gives the accuracy on the 10,000 test images at the end. Right: the batch loss. A batch "
        "of 30 is noisy (one image is 3.3 points), so read the trend, not single points.";
    if (sig && relu) {
      what += fmt::format(" Here sigmoid ends at {} test accuracy against {} for ReLU: it is still learning, slowly.",
                          pct(sig->test_accuracy, sig->runs), pct(relu->test_accuracy, relu->runs));
    }
    add_picture(page, *p, "Training accuracy and loss", what);
  }
  if (const Picture* p = find_picture(figures, "gradients")) {
    add_picture(
        page, *p, "Kernel gradient mean |dL/dW| per layer over training",
        fmt::format("One panel per activation, all on the same logarithmic y axis, one line per layer (dark = "
                    "layer&nbsp;1, bright = layer&nbsp;{}). The vertical gap between the brightest and the "
                    "darkest line is the decay.{}",
                    last,
                    sig ? fmt::format(" With sigmoid it is widest at the start (layer&nbsp;{} / layer&nbsp;1 "
                                      "= {:.0f}x at step 0) and narrows as the weights grow ({:.0f}x at the "
                                      "last logged step).",
                                      last, ratio_at(results, "sigmoid", 0, &nn::LayerRecord::mean_abs_kernel_grad),
                                      ratio_at(results, "sigmoid", -1, &nn::LayerRecord::mean_abs_kernel_grad))
                        : std::string()));
  }
  if (const Picture* p = find_picture(figures, "bias_gradients")) {
    add_picture(
        page, *p, "Bias gradient mean |dL/db| per layer over training",
        fmt::format("The error itself as it arrives at each layer, free of the input's zeros. Lines that stay "
                    "together mean the error reaches layer&nbsp;1 at full size; lines that fan out mean it "
                    "shrinks on the way down, by one slope and one W<sup>T</sup> per layer.{}{}",
                    relu ? fmt::format(" ReLU: layer&nbsp;{} / layer&nbsp;1 = {} over training.", last,
                                       times(relu->bias_ratio_last_first, relu->runs))
                         : std::string(),
                    sig ? fmt::format(" At step 0 sigmoid's layer-1 error is {:.0f}x smaller than layer "
                                      "{}'s; by the last logged step {:.0f}x. The early layers learn late.",
                                      ratio_at(results, "sigmoid", 0, &nn::LayerRecord::mean_abs_bias_grad), last,
                                      ratio_at(results, "sigmoid", -1, &nn::LayerRecord::mean_abs_bias_grad))
                        : std::string()));
  }
  for (const Picture& p : figures) {
    if (p.stem.rfind("histograms_", 0) != 0) continue;
    add_picture(page, p, fmt::format("Layer {} histograms, {}", hist_layer, p.scenario),
                fmt::format("TensorBoard's histogram view, redrawn: one ridge per logged step of the first seed "
                            "(step 0 at the bottom), left the kernel values W of layer{0}, right its gradient dL/dW. "
                            "The post logged the gradient twice and called one of them the weights; here the left "
                            "panel really is W. Watch the weights spread out from Glorot's uniform start as they "
                            "learn. They are not \"consistently below zero\": at the last step about {1:.0f}% of "
                            "them are negative.",
                            hist_layer,
                            100 * negative_fraction(results, p.scenario, static_cast<std::size_t>(hist_layer - 1))));
  }

  page.add_heading("The computation graph of one training step");
  page.add_paragraph(
      "The whole graph the engine builds for one step, drawn after a backward pass (of the trained network, on one "
      "more batch, without applying the update). Each node is coloured by the mean |gradient| that reached it, on "
      "one log scale shared by all the activations. Read a graph bottom-up for the forward pass and top-down for "
      "the backward pass; the layers are the grey boxes.");
  for (const Picture& p : diagrams) {
    if (p.stem.rfind("graph_", 0) != 0) continue;
    add_picture(page, p, fmt::format("Computation graph, {}", p.scenario),
                "Compare the colour of layer1's nodes with layer" + last +
                    "'s, and with the same nodes in the other activations' graphs.");
  }

  // ---- Per seed --------------------------------------------------------------------------------
  page.add_heading("Every run");
  page.add_paragraph(
      "One row per scenario and seed, so you can see the spread behind the means. The post reported a single run "
      "without a seed; one run of sigmoid can land several points away from another.");
  {
    std::vector<std::vector<std::string>> rows;
    for (const Run& run : results.runs) {
      if (run.log.empty()) continue;
      const std::size_t n = run.log.front().gradients.layers.size();
      const double k1 = time_average(run, 0, &nn::LayerRecord::mean_abs_kernel_grad);
      const double kn = time_average(run, n - 1, &nn::LayerRecord::mean_abs_kernel_grad);
      const double b1 = time_average(run, 0, &nn::LayerRecord::mean_abs_bias_grad);
      const double bn = time_average(run, n - 1, &nn::LayerRecord::mean_abs_bias_grad);
      rows.push_back({run.scenario, fmt::format("{}", run.seed), fmt::format("{:.2f}", 100 * run.test_accuracy),
                      fmt::format("{:.2f}", 100 * run.validation_accuracy),
                      fmt::format("{:.1f}", 100 * run.log.back().accuracy),
                      k1 > 0 ? fmt::format("{:.1f}", kn / k1) : "-", b1 > 0 ? fmt::format("{:.1f}", bn / b1) : "-",
                      fmt::format("{:.2f}", run.seconds)});
    }
    page.add_table({"scenario", "seed", "test acc (%)", "validation acc (%)", "last batch acc (%)", "|dL/dW| last/1",
                    "|dL/db| last/1", "seconds"},
                   rows);
  }

  // ---- Next ----------------------------------------------------------------------------------
  page.add_heading("What to try next");
  page.add_raw(
      "<ul>\n"
      "<li><code>--alpha 0.01</code>: the leaky ReLU the post's text describes. Does it still differ from ReLU?</li>\n"
      "<li><code>--init he_uniform</code>: weights scaled for ReLU (variance 2/fan_in). Does the decay under ReLU "
      "shrink? Does it rescue sigmoid?</li>\n"
      "<li><code>--layers 10</code> or <code>--layers 3</code>: a deeper or shallower stack. Sigmoid's decay should "
      "grow roughly geometrically with depth.</li>\n"
      "<li><code>--hidden 100</code>: wider layers. Glorot makes each W smaller when fan-in grows; watch mean |W| and "
      "the ratios.</li>\n"
      "<li><code>--activations tanh</code>: tanh'(0) = 1, four times sigmoid's best slope. Where does it land?</li>\n"
      "<li><code>--iterations 20000</code>: does sigmoid catch up if it is given time?</li>\n"
      "<li><code>--seeds 10</code>: tighter error bars; are the differences still there?</li>\n"
      "</ul>");

  page.add_heading("Files in this folder");
  page.add_raw(
      "<ul>\n"
      "<li><code>scalars.csv</code>: every logged number, <code>scenario,seed,step,tag,value</code>; tags "
      "<code>loss</code>, <code>acc</code>, <code>mean_1</code>... (mean |dL/dW|, the post's names), "
      "<code>bias_mean_1</code>..., <code>weight_mean_1</code>... (mean |W|), <code>dead_1</code>... (ReLU units "
      "dead on the whole batch), <code>saturated_1</code>... (sigmoid outputs with slope below 0.05).</li>\n"
      "<li><code>histograms.csv</code>: the kernel value and gradient histograms, "
      "<code>scenario,seed,step,layer,kind,bin,lo,hi,count</code>.</li>\n"
      "<li><code>summary.json</code>: the settings, the summary per scenario and the verdicts.</li>\n"
      "<li><code>*.gp</code> and <code>*.dat</code>: each figure's gnuplot script and data; edit and run "
      "<code>gnuplot accuracy.gp</code> here to redraw one.</li>\n"
      "<li><code>*.dot</code>: each diagram in Graphviz's language; <code>dot -Tsvg gradient_flow.dot</code> "
      "redraws it.</li>\n"
      "</ul>");

  out.write_text("index.html", page.str());
}

}  // namespace gradflow::lessons::lesson05
