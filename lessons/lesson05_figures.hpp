#pragma once
// Lesson 05's pictures, as specs: what a run records, and the figures and diagrams drawn from
// it. The lesson (lesson05_vanishing_gradients.cpp) trains and judges; this file only turns its
// numbers into figures::Figure specs and Graphviz DOT text. The runtime renders them.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "autodiff/viz/dot.hpp"
#include "lessons/runtime/figures.hpp"
#include "lessons/runtime/stats.hpp"
#include "nn/classifier.hpp"
#include "nn/monitor.hpp"

namespace lesson05 {

namespace figures = gradflow::lessons::figures;
namespace viz = gradflow::autodiff::viz;
using gradflow::lessons::Stats;

// ---- What a run records ---------------------------------------------------------------------

// One logged step: the batch's loss and accuracy, the monitor's per-layer record, and per layer
// the mean |input| a_(l-1) and the mean |error| delta_l = dL/dz_l, whose product the kernel
// gradient dL/dW_l = a_(l-1)^T delta_l is.
struct LogPoint {
  long step = 0;
  float loss = 0;
  float accuracy = 0;
  gradflow::nn::GradientRecord gradients;
  std::vector<double> mean_abs_input;  // per layer
  std::vector<double> mean_abs_delta;  // per layer
  // Per layer, every value of W and of dL/dW at this step: kept only with --tensorboard, whose
  // histograms bin the raw values with TensorFlow's buckets.
  std::vector<std::vector<float>> kernel_values, kernel_grads;
};

struct Run {
  std::string scenario;
  std::uint64_t seed = 0;
  std::vector<LogPoint> log;
  float validation_accuracy = 0;
  float test_accuracy = 0;
  double seconds = 0;
  // The trained model of a scenario's first seed, its graph holding one more step's values and
  // gradients (for the computation-graph diagrams); empty for the other seeds.
  std::shared_ptr<gradflow::nn::Classifier> model;
};

// A run's per-layer quantity, averaged over its logged steps (then Stats takes it over seeds).
template <class Get>
std::vector<double> time_average(const Run& run, Get&& get) {
  std::vector<double> sum;
  for (const LogPoint& p : run.log) {
    const std::vector<double> v = get(p);
    sum.resize(v.size(), 0.0);
    for (std::size_t l = 0; l < v.size(); ++l) sum[l] += v[l];
  }
  for (double& s : sum) s /= static_cast<double>(std::max<std::size_t>(1, run.log.size()));
  return sum;
}

inline std::vector<double> kernel_grad(const LogPoint& p) {
  std::vector<double> v;
  for (const auto& l : p.gradients.layers) v.push_back(l.mean_abs_kernel_grad);
  return v;
}
inline std::vector<double> bias_grad(const LogPoint& p) {
  std::vector<double> v;
  for (const auto& l : p.gradients.layers) v.push_back(l.mean_abs_bias_grad);
  return v;
}
inline std::vector<double> weight_size(const LogPoint& p) {
  std::vector<double> v;
  for (const auto& l : p.gradients.layers) v.push_back(l.mean_abs_kernel);
  return v;
}

// Everything the page says about one scenario, over its seeds.
struct Summary {
  std::string scenario;
  int runs = 0;
  Stats test_accuracy, final_train_accuracy;
  Stats kernel_ratio, kernel_ratio_layer2, bias_ratio;              // last layer / layer 1 (or 2)
  std::vector<Stats> kernel_grad, bias_grad, weight, input, delta;  // per layer
  std::vector<Stats> inactive;  // per hidden layer: dead (ReLU), below zero (leaky) or saturated (sigmoid)
};

// ---- Figures ----------------------------------------------------------------------------------

inline std::vector<const Run*> runs_of(const std::vector<Run>& runs, const std::string& scenario) {
  std::vector<const Run*> out;
  for (const Run& r : runs) {
    if (r.scenario == scenario && !r.log.empty()) out.push_back(&r);
  }
  return out;
}

// Mean, min and max over seeds of one number per logged step.
template <class Get>
figures::Series over_seeds(const std::string& title, const std::vector<const Run*>& runs, Get&& get,
                           const std::string& color) {
  std::size_t points = std::numeric_limits<std::size_t>::max();
  for (const Run* r : runs) points = std::min(points, r->log.size());
  std::vector<double> x, mean, lo, hi;
  for (std::size_t i = 0; i < points; ++i) {
    std::vector<double> v;
    for (const Run* r : runs) v.push_back(get(r->log[i]));
    const Stats s = Stats::of(v);
    x.push_back(static_cast<double>(runs.front()->log[i].step));
    mean.push_back(s.n ? s.mean : NAN);
    lo.push_back(s.n ? s.min : NAN);
    hi.push_back(s.n ? s.max : NAN);
  }
  return figures::band(title, x, mean, lo, hi, color);
}

inline std::string seeds_text(int n) { return n == 1 ? "1 seed" : fmt::format("{} seeds", n); }
inline std::string test_text(const Summary& s) {
  return "test " + gradflow::lessons::format_stats(s.test_accuracy, 1, 100.0, "%");
}

inline figures::Figure accuracy_figure(const std::vector<Run>& runs, const std::vector<Summary>& summaries, int batch,
                                       int seeds) {
  figures::Figure f;
  f.name = "accuracy";
  f.title = fmt::format("Train-batch accuracy and loss (batch {})", batch);
  f.panel_height = 310;
  f.footnote = fmt::format("lines: mean over {}; bands: min to max over the seeds", seeds_text(seeds));
  figures::Panel acc, loss;
  acc.title = "accuracy on the training batch";
  acc.x_label = loss.x_label = "training step";
  acc.y_label = "accuracy (%)";
  acc.legend = "bottom right";
  loss.title = "loss on the training batch";
  loss.y_label = "softmax cross-entropy";
  for (std::size_t k = 0; k < summaries.size(); ++k) {
    const Summary& s = summaries[k];
    const auto rs = runs_of(runs, s.scenario);
    const std::string color = figures::series_color(s.scenario, k);
    acc.series.push_back(over_seeds(
        fmt::format("{} ({})", s.scenario, test_text(s)), rs, [](const LogPoint& p) { return 100.0 * p.accuracy; },
        color));
    loss.series.push_back(over_seeds(
        s.scenario, rs, [](const LogPoint& p) { return double(p.loss); }, color));
  }
  f.panels = {acc, loss};
  return f;
}

// One panel per scenario, one line per layer, all panels on one log y range.
inline figures::Figure layer_lines_figure(const std::vector<Run>& runs, const std::vector<Summary>& summaries,
                                          const std::string& name, const std::string& symbol,
                                          float gradflow::nn::LayerRecord::*field) {
  figures::Figure f;
  f.name = name;
  f.title = fmt::format("mean {} per layer during training (log scale)", symbol);
  f.footnote = "lines: mean over the seeds; bands: min to max; dark = layer 1 (next to the input), bright = output";
  f.columns = static_cast<int>(std::min<std::size_t>(3, summaries.size()));
  f.panel_width = 420;
  f.panel_height = 380;
  f.font_size = 15;
  double lo = INFINITY, hi = 0;
  for (const Summary& s : summaries) {
    const auto rs = runs_of(runs, s.scenario);
    figures::Panel p;
    p.title = fmt::format("{} ({})", s.scenario, test_text(s));
    p.x_label = "training step";
    p.y_label = fmt::format("mean {}", symbol);
    p.log_y = true;
    p.legend = &s == &summaries.back() ? "outside right top" : "";
    // About three round x tics: four or more crowd a narrow panel.
    const double last = static_cast<double>(rs.front()->log.back().step);
    if (last > 0) {
      p.x_min = 0;
      p.x_max = last;
      const double raw = last / 3.0, decade = std::pow(10.0, std::floor(std::log10(raw)));
      p.x_tic_step = raw <= decade       ? decade
                     : raw <= 2 * decade ? 2 * decade
                     : raw <= 5 * decade ? 5 * decade
                                         : 10 * decade;
    }
    p.legend_title = "layer";
    const std::size_t layers = rs.front()->log.front().gradients.layers.size();
    for (std::size_t l = 0; l < layers; ++l) {
      figures::Series line = over_seeds(
          l + 1 == layers ? fmt::format("{} (output)", l + 1) : fmt::format("{}", l + 1), rs,
          [&](const LogPoint& pt) { return double(pt.gradients.layers[l].*field); },
          figures::sequential_color(l, layers));
      for (double v : line.lo) {
        if (v > 0 && std::isfinite(v)) lo = std::min(lo, v);
      }
      for (double v : line.hi) {
        if (std::isfinite(v)) hi = std::max(hi, v);
      }
      line.line_width = 2;
      p.series.push_back(std::move(line));
    }
    f.panels.push_back(std::move(p));
  }
  if (lo <= hi && hi > 0) {  // the same y range on every panel, in whole decades, so panels compare
    for (figures::Panel& p : f.panels) {
      p.y_min = std::pow(10.0, std::floor(std::log10(lo)));
      p.y_max = std::pow(10.0, std::ceil(std::log10(hi)));
    }
  }
  return f;
}

// Per layer, averaged over the logged steps: |dL/dW|, |dL/db|, and the two factors of dL/dW.
inline figures::Figure layer_profile_figure(const std::vector<Summary>& summaries) {
  figures::Figure f;
  f.name = "layer_profile";
  f.title = "The vanishing gradient, layer by layer";
  f.footnote = "each layer averaged over the logged steps; points: mean over seeds; bars: min to max over seeds";
  f.columns = 2;
  f.panel_height = 290;
  struct Quantity {
    const char* title;
    const char* y;
    std::vector<Stats> Summary::*field;
    bool log;
  };
  const Quantity quantities[] = {
      {"kernel gradient", "mean |dL/dW|", &Summary::kernel_grad, true},
      {"bias gradient (the back-propagated error, summed over the batch)", "mean |dL/db|", &Summary::bias_grad, true},
      {"the layer's input a_(l-1) (layer 1: the pixels)", "mean |input|", &Summary::input, true},
      {"the error reaching the layer, dL/dz per sample", "mean |dL/dz|", &Summary::delta, true},
  };
  for (const Quantity& q : quantities) {
    figures::Panel p;
    p.title = q.title;
    p.y_label = q.y;
    p.x_label = "layer (1 = next to the input)";
    p.log_y = q.log;
    p.legend = &q == &quantities[0] ? "bottom right" : "";
    for (std::size_t k = 0; k < summaries.size(); ++k) {
      const Summary& s = summaries[k];
      const auto& v = s.*(q.field);
      figures::Series series;
      series.title = s.scenario;
      series.color = figures::series_color(s.scenario, k);
      series.style = figures::Style::errorbars;
      const double shift = (static_cast<double>(k) - 0.5 * static_cast<double>(summaries.size() - 1)) * 0.06;
      for (std::size_t l = 0; l < v.size(); ++l) {
        series.x.push_back(static_cast<double>(l + 1) + shift);
        series.y.push_back(v[l].n ? v[l].mean : NAN);
        series.lo.push_back(v[l].n ? v[l].min : NAN);
        series.hi.push_back(v[l].n ? v[l].max : NAN);
      }
      p.x_min = 0.6;
      p.x_max = static_cast<double>(v.size()) + 0.4;
      p.x_tic_step = 1;
      p.series.push_back(std::move(series));
    }
    f.panels.push_back(std::move(p));
  }
  return f;
}

// TensorBoard's histogram view, redrawn: one ridge per logged step of the first seed.
inline figures::Figure histogram_figure(const Run& run, int layer) {
  const auto l = static_cast<std::size_t>(layer - 1);
  figures::Figure f;
  f.name = "histograms_" + run.scenario;
  f.title = fmt::format("{}: histograms of layer {} during training (seed {})", run.scenario, layer, run.seed);
  f.footnote = "one ridge per logged step (at most 13 shown), each scaled to its own tallest bin; dark = early";
  f.panel_height = 440;
  const std::size_t steps = run.log.size();
  const std::size_t stride = std::max<std::size_t>(1, (steps + 12) / 13);
  const double spacing =
      steps > 1 ? static_cast<double>(run.log[std::min(stride, steps - 1)].step - run.log[0].step) : 1.0;
  const double peak = 1.6 * spacing;
  for (int kind = 0; kind < 2; ++kind) {
    figures::Panel p;
    p.title = kind == 0 ? "kernel values W (what the post meant to log as \"weights\")"
                        : "kernel gradient dL/dW (which the post logged twice)";
    p.x_label = kind == 0 ? "W" : "dL/dW";
    p.y_label = "training step";
    p.legend = "";
    std::vector<std::size_t> shown;
    for (std::size_t i = 0; i < steps; i += stride) shown.push_back(i);
    // Back to front: the latest step first, so earlier ridges cover its lower part.
    for (std::size_t j = shown.size(); j-- > 0;) {
      const LogPoint& pt = run.log[shown[j]];
      const gradflow::nn::Histogram& h =
          kind == 0 ? pt.gradients.layers[l].kernel_value : pt.gradients.layers[l].kernel_grad;
      // 30 bins for 100 weights is about 3 a bin: merge pairs so the shape is readable.
      std::vector<double> counts;
      const std::size_t group = h.counts.size() >= 20 ? 2 : 1;
      for (std::size_t b = 0; b < h.counts.size(); b += group) {
        double c = 0;
        for (std::size_t q = b; q < std::min(h.counts.size(), b + group); ++q) c += h.counts[q];
        counts.push_back(c);
      }
      const double tallest = counts.empty() ? 0 : *std::max_element(counts.begin(), counts.end());
      const double base = static_cast<double>(pt.step);
      const double width = counts.empty() ? 0 : (double(h.hi) - h.lo) / static_cast<double>(counts.size());
      figures::Series ridge;
      ridge.style = figures::Style::ridge;
      ridge.color = figures::sequential_color(j, shown.size());
      ridge.line_width = 2;
      auto point = [&](double x, double top) {
        ridge.x.push_back(x);
        ridge.y.push_back(top);
        ridge.lo.push_back(base);
        ridge.hi.push_back(top);
      };
      point(h.lo, base);
      for (std::size_t b = 0; b < counts.size(); ++b) {
        const double top = base + (tallest > 0 ? peak * counts[b] / tallest : 0.0);
        point(h.lo + width * static_cast<double>(b), top);
        point(h.lo + width * static_cast<double>(b + 1), top);
      }
      point(h.hi, base);
      p.series.push_back(std::move(ridge));
    }
    p.y_min = -0.3 * spacing;
    p.y_max = static_cast<double>(run.log.back().step) + peak + 0.3 * spacing;
    f.panels.push_back(std::move(p));
  }
  return f;
}

// ---- Diagrams ---------------------------------------------------------------------------------

inline double log10_or_minus_infinity(double v) {
  return v > 0.0 ? std::log10(v) : -std::numeric_limits<double>::infinity();
}
inline std::string sci(double v) { return v == 0.0 ? std::string("0") : fmt::format("{:.2e}", v); }

// Six boxes per scenario (the output layer at the top), the arrows pointing the way the
// backward pass travels, box colour and arrow width = mean |dL/dW| on one scale for all.
inline std::string gradient_flow_dot(const std::vector<Summary>& summaries, int logged_steps, int seeds) {
  double lo = INFINITY, hi = -INFINITY;
  for (const Summary& s : summaries) {
    for (const Stats& g : s.kernel_grad) {
      if (g.n && g.mean > 0) {
        lo = std::min(lo, std::log10(g.mean));
        hi = std::max(hi, std::log10(g.mean));
      }
    }
  }
  viz::ColorScale scale;
  if (lo <= hi) scale = {std::floor(lo), std::ceil(hi)};
  if (scale.log10_max <= scale.log10_min) scale.log10_min = scale.log10_max - 1;
  auto penwidth = [&](double v) {
    const double t =
        std::clamp((log10_or_minus_infinity(v) - scale.log10_min) / (scale.log10_max - scale.log10_min), 0.0, 1.0);
    return 1.0 + 7.0 * t;
  };
  constexpr std::string_view font = "Helvetica";
  std::string dot = "digraph gradient_flow {\n";
  dot += fmt::format(
      "  graph [rankdir=LR, newrank=true, fontname=\"{0}\", fontsize=13, nodesep=0.25, ranksep=0.35, labelloc=t, "
      "labeljust=c, pad=0.3, tooltip=\"gradient flow\"];\n",
      font);
  dot += fmt::format(
      "  label=<<B>The vanishing gradient, layer by layer</B><BR/><FONT POINT-SIZE=\"11\">The backward pass runs left "
      "to right along each row. Box colour, arrow width and number: mean |dL/dW| of the layer,<BR/>averaged over {} "
      "logged "
      "steps and {}, "
      "on one scale for all rows. Hover a box for its exact numbers.</FONT>>;\n",
      logged_steps, seeds_text(seeds));
  dot += fmt::format(
      "  node [fontname=\"{}\", fontsize=14, shape=box, style=\"rounded,filled\", width=1.1, margin=\"0.06,0.03\"];\n",
      font);
  dot += fmt::format("  edge [fontname=\"{}\", fontsize=9, color=\"#555555\", arrowsize=0.8];\n", font);
  // rankdir=LR stacks the clusters bottom-up: emit them in reverse so the first scenario is on top.
  for (auto it = summaries.rbegin(); it != summaries.rend(); ++it) {
    const Summary& s = *it;
    const std::size_t layers = s.kernel_grad.size();
    if (layers == 0) continue;
    auto id = [&](std::string_view node) { return fmt::format("\"{}/{}\"", viz::escape_quoted(s.scenario), node); };
    dot += fmt::format("  subgraph \"cluster_{}\" {{\n", viz::escape_quoted(s.scenario));
    dot += fmt::format(
        "    label=<<B>{}</B><BR/><FONT POINT-SIZE=\"10\">{}</FONT>>; fontsize=14; style=\"rounded,filled\"; "
        "fillcolor=\"#f6f6f6\"; color=\"#9a9a9a\";\n",
        viz::escape_html(s.scenario), viz::escape_html(test_text(s)));
    dot += fmt::format(
        "    {} [shape=ellipse, style=filled, fillcolor=\"#ffffff\", color=\"#333333\", width=1.4, "
        "label=<<B>loss</B>>];\n",
        id("loss"));
    for (std::size_t l = layers; l-- > 0;) {
      const double kernel = s.kernel_grad[l].mean, bias = s.bias_grad[l].mean;
      const double lk = log10_or_minus_infinity(kernel);
      dot += fmt::format(
          "    {} [fillcolor=\"{}\", fontcolor=\"{}\", color=\"#333333\", tooltip=\"{} layer{}: mean |dL/dW| {:.6g} "
          "(min {:.6g}, max {:.6g} over seeds), mean |dL/db| {:.6g}, mean |W| {:.6g}\", label=<<B>layer{}</B>{}<BR/>"
          "{}>];\n",
          id(fmt::format("layer{}", l + 1)), viz::color_for(lk, scale), viz::text_color_for(lk, scale),
          viz::escape_quoted(s.scenario), l + 1, kernel, s.kernel_grad[l].min, s.kernel_grad[l].max, bias,
          l < s.weight.size() ? s.weight[l].mean : 0.0, l + 1, l + 1 == layers ? " (out)" : "", sci(kernel));
    }
    dot += fmt::format(
        "    {} [shape=note, style=filled, fillcolor=\"#ffffff\", color=\"#777777\", "
        "label=<<B>layer {} / layer 1</B><BR/>{}<BR/><FONT POINT-SIZE=\"11\">(dL/db: {})</FONT>>];\n",
        id("decay"), layers, gradflow::lessons::format_stats(s.kernel_ratio, 1, 1, "x", "underflowed"),
        gradflow::lessons::format_stats(s.bias_ratio, 1, 1, "x", "underflowed"));
    dot += fmt::format("    {} -> {} [penwidth={:.2f}, color=\"{}\"];\n", id("loss"),
                       id(fmt::format("layer{}", layers)), penwidth(s.kernel_grad[layers - 1].mean),
                       viz::color_for(log10_or_minus_infinity(s.kernel_grad[layers - 1].mean), scale));
    for (std::size_t l = layers - 1; l > 0; --l) {
      const double below = s.kernel_grad[l - 1].mean;
      dot += fmt::format("    {} -> {} [penwidth={:.2f}, color=\"{}\"];\n", id(fmt::format("layer{}", l + 1)),
                         id(fmt::format("layer{}", l)), penwidth(below),
                         viz::color_for(log10_or_minus_infinity(below), scale));
    }
    dot += fmt::format("    {} -> {} [style=invis];\n", id("layer1"), id("decay"));
    dot += "  }\n";
  }
  // No colour legend: every box prints the number its colour stands for (a legend beside the
  // rows made the diagram too wide to read in a 900 px window).
  return dot + "}\n";
}

}  // namespace lesson05
