// The gradient-flow diagrams of lesson 05, drawn in-process with Graphviz (autodiff/viz).
//
//   graph_<scenario>   the full computation graph of one training step, every node coloured by
//                      the mean |gradient| that reached it. All scenarios share ONE colour scale,
//                      so the same colour means the same gradient in every diagram: sigmoid's
//                      dark early layers against ReLU's bright ones is a real difference, not a
//                      different legend.
//   gradient_flow      the same story one level up: six boxes per scenario (layer6 at the top,
//                      layer1 at the bottom) in columns side by side, the arrows pointing the way
//                      the backward pass travels, and the decay layer N / layer 1 under each column.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <regex>
#include <stdexcept>

#include "autodiff/viz/dot.hpp"
#include "autodiff/viz/render.hpp"
#include "lessons/lesson05/report.hpp"

namespace gradflow::lessons::lesson05 {

namespace {

namespace viz = autodiff::viz;

constexpr std::string_view kFont = "Helvetica";

std::string sci(double v) { return v == 0.0 ? std::string("0") : fmt::format("{:.1e}", v); }

double log10_or_minus_infinity(double v) { return v > 0.0 ? std::log10(v) : -std::numeric_limits<double>::infinity(); }

std::string ratio_text(const Stat& s, int runs) {
  return runs > 1 ? fmt::format("{:.1f}x ± {:.1f}", s.mean, s.std) : fmt::format("{:.1f}x", s.mean);
}

// ---------------------------------------------------------------------------------------------
// (1) one computation graph per scenario
// ---------------------------------------------------------------------------------------------
std::vector<Picture> graph_diagrams(const Results& results, const OutputDir& out) {
  // First pass: the colour scale that covers every scenario's graph.
  std::optional<viz::ColorScale> shared;
  for (const std::string& scenario : results.settings.activations) {
    const auto it = results.final_models.find(scenario);
    if (it == results.final_models.end() || !it->second) continue;
    const viz::ColorScale scale = viz::gradient_scale(it->second->graph());
    shared = shared ? viz::merge(*shared, scale) : scale;
  }
  std::vector<Picture> pictures;
  if (!shared) return pictures;

  // Second pass: draw each graph on that scale.
  for (const std::string& scenario : results.settings.activations) {
    const auto it = results.final_models.find(scenario);
    if (it == results.final_models.end() || !it->second) continue;
    const Run* run = nullptr;
    for (const Run& r : results.runs) {
      if (r.scenario == scenario && (run == nullptr || r.seed < run->seed)) run = &r;
    }
    viz::DotOptions options;
    options.title = fmt::format(
        "{}: one training step (seed {}, batch of {}), coloured by mean |dL/dx| on the scale "
        "shared by all scenarios",
        scenario, run ? run->seed : results.settings.first_seed, results.settings.batch);
    options.scale = *shared;
    const std::string stem = "graph_" + scenario;
    viz::write_dot_svg_png(viz::to_dot(it->second->graph(), options), out.path(stem));
    pictures.push_back(Picture{stem, stem + ".dot", scenario});
  }
  return pictures;
}

// ---------------------------------------------------------------------------------------------
// (2) the layer-level gradient-flow diagram
// ---------------------------------------------------------------------------------------------
std::string gradient_flow_dot(const Results& results) {
  std::vector<const ScenarioSummary*> columns;
  for (const ScenarioSummary& s : results.summaries) {
    if (s.runs > 0 && !s.mean_abs_kernel_grad.empty()) columns.push_back(&s);
  }
  if (columns.empty()) throw std::runtime_error("diagram gradient_flow: no scenario has any logged gradient");

  // One scale for all columns, spanning every layer's mean |dL/dW|, in whole decades.
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const ScenarioSummary* s : columns) {
    for (const Stat& g : s->mean_abs_kernel_grad) {
      if (g.mean > 0 && std::isfinite(g.mean)) {
        lo = std::min(lo, std::log10(g.mean));
        hi = std::max(hi, std::log10(g.mean));
      }
    }
  }
  viz::ColorScale scale;
  if (lo <= hi) scale = {std::floor(lo), std::ceil(hi)};
  if (scale.log10_max <= scale.log10_min) scale.log10_min = scale.log10_max - 1;
  // Arrow width grows with the gradient that reaches the layer below: a thinning river.
  auto penwidth = [&](double v) {
    const double t =
        std::clamp((log10_or_minus_infinity(v) - scale.log10_min) / (scale.log10_max - scale.log10_min), 0.0, 1.0);
    return 1.0 + 7.0 * t;
  };

  std::string dot = "digraph gradient_flow {\n";
  dot += fmt::format(
      "  graph [rankdir=TB, newrank=true, fontname=\"{0}\", fontsize=13, nodesep=0.6, ranksep=0.32, labelloc=t, "
      "labeljust=c, pad=0.3];\n",
      kFont);
  dot += fmt::format(
      "  label=<<B>The vanishing gradient, layer by layer</B><BR/><FONT POINT-SIZE=\"11\">The backward pass runs "
      "down each column, from the loss to layer 1. Box colour and arrow width: mean |dL/dW| of the layer,<BR/>averaged "
      "over {} logged steps and {}, on one scale for all columns. Each box also shows mean |dL/db|, the "
      "error that reached the layer.</FONT>>;\n",
      results.settings.iterations / std::max(1, results.settings.log_every) +
          (results.settings.iterations % std::max(1, results.settings.log_every) ? 1 : 0),
      results.settings.seeds == 1 ? std::string("1 seed") : fmt::format("{} seeds", results.settings.seeds));
  dot += fmt::format("  node [fontname=\"{}\", fontsize=11, shape=box, style=\"rounded,filled\", width=2.3];\n", kFont);
  dot += fmt::format("  edge [fontname=\"{}\", fontsize=9, color=\"#555555\", arrowsize=0.8];\n", kFont);

  for (const ScenarioSummary* s : columns) {
    const std::string& name = s->scenario;
    const std::size_t layers = s->mean_abs_kernel_grad.size();
    auto id = [&](std::string_view node) { return fmt::format("\"{}/{}\"", viz::escape_quoted(name), node); };

    dot += fmt::format("  subgraph \"cluster_{}\" {{\n", viz::escape_quoted(name));
    dot += fmt::format(
        "    label=<<B>{}</B><BR/><FONT POINT-SIZE=\"10\">test accuracy {:.1f}%{}</FONT>>; fontsize=14; "
        "style=\"rounded,filled\"; fillcolor=\"#f6f6f6\"; color=\"#9a9a9a\";\n",
        viz::escape_html(name), 100 * s->test_accuracy.mean,
        s->runs > 1 ? fmt::format(" ± {:.1f}", 100 * s->test_accuracy.std) : std::string());
    dot += fmt::format(
        "    {} [shape=ellipse, style=filled, fillcolor=\"#ffffff\", color=\"#333333\", width=1.6, "
        "label=<<B>loss</B><BR/><FONT POINT-SIZE=\"9\">softmax cross-entropy</FONT>>];\n",
        id("loss"));
    for (std::size_t l = layers; l-- > 0;) {
      const double kernel = s->mean_abs_kernel_grad[l].mean;
      const double bias = l < s->mean_abs_bias_grad.size() ? s->mean_abs_bias_grad[l].mean : 0.0;
      const double log10_kernel = log10_or_minus_infinity(kernel);
      dot += fmt::format(
          "    {} [fillcolor=\"{}\", fontcolor=\"{}\", color=\"#333333\", tooltip=\"{} layer{}: mean |dL/dW| {}, "
          "mean |dL/db| {}\", label=<<B>layer{}</B>{}<BR/>|dL/dW| {}<BR/>|dL/db| {}>];\n",
          id(fmt::format("layer{}", l + 1)), viz::color_for(log10_kernel, scale),
          viz::text_color_for(log10_kernel, scale), viz::escape_quoted(name), l + 1, sci(kernel), sci(bias), l + 1,
          l + 1 == layers ? " (output)" : "", sci(kernel), sci(bias));
    }
    dot += fmt::format(
        "    {} [shape=note, style=filled, fillcolor=\"#ffffff\", color=\"#777777\", "
        "label=<<B>decay, layer {} / layer 1</B><BR/>|dL/dW|: {}<BR/>|dL/db|: {}>];\n",
        id("decay"), layers, ratio_text(s->kernel_ratio_last_first, s->runs),
        ratio_text(s->bias_ratio_last_first, s->runs));

    // The backward direction: loss -> layerN -> ... -> layer1.
    dot += fmt::format("    {} -> {} [penwidth={:.2f}, color=\"{}\"];\n", id("loss"),
                       id(fmt::format("layer{}", layers)), penwidth(s->mean_abs_kernel_grad[layers - 1].mean),
                       viz::color_for(log10_or_minus_infinity(s->mean_abs_kernel_grad[layers - 1].mean), scale));
    for (std::size_t l = layers - 1; l > 0; --l) {
      const double below = s->mean_abs_kernel_grad[l - 1].mean;
      dot += fmt::format("    {} -> {} [penwidth={:.2f}, color=\"{}\"];\n", id(fmt::format("layer{}", l + 1)),
                         id(fmt::format("layer{}", l)), penwidth(below),
                         viz::color_for(log10_or_minus_infinity(below), scale));
    }
    dot += fmt::format("    {} -> {} [style=invis];\n", id("layer1"), id("decay"));
    dot += "  }\n";
  }

  // The shared legend ends with a spacer and a grey "no gradient" swatch; every box here has a
  // gradient, so that swatch would only raise a question. Drop both cells (and shrink the title
  // cell's COLSPAN to match) if the legend still has that form; otherwise keep it as it is.
  std::string legend = viz::legend_dot(scale, "mean |dL/dW| (box colour)");
  static const std::regex no_gradient_cells(
      R"re(<TD BORDER="0" WIDTH="[0-9]+"></TD><TD BGCOLOR="[^"]*">no gradient</TD>)re");
  if (std::regex_search(legend, no_gradient_cells)) {
    legend = std::regex_replace(legend, no_gradient_cells, "");
    std::smatch colspan;
    static const std::regex colspan_attribute(R"re(COLSPAN="([0-9]+)")re");
    if (std::regex_search(legend, colspan, colspan_attribute)) {
      const int span = std::max(1, std::stoi(colspan[1].str()) - 2);
      legend.replace(static_cast<std::size_t>(colspan.position(0)), static_cast<std::size_t>(colspan.length(0)),
                     fmt::format("COLSPAN=\"{}\"", span));
    }
  }
  dot += legend;
  // Hang the legend under the middle column.
  dot += fmt::format("  \"{}/decay\" -> gradflow_legend [style=invis];\n",
                     viz::escape_quoted(columns[columns.size() / 2]->scenario));
  dot += "}\n";
  return dot;
}

}  // namespace

std::vector<Picture> write_diagrams(const Results& results, const OutputDir& out) {
  std::vector<Picture> pictures = graph_diagrams(results, out);
  viz::write_dot_svg_png(gradient_flow_dot(results), out.path("gradient_flow"));
  pictures.insert(pictures.begin(), Picture{"gradient_flow", "gradient_flow.dot", ""});
  return pictures;
}

}  // namespace gradflow::lessons::lesson05
