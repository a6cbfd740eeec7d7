#pragma once
// DOT export: turns a Graph into Graphviz's DOT language so that a learner can *see* the
// forward pass (which op consumed which value, in which operand position) and the backward
// pass (how large the gradient that reached each node was, as a colour).
//
// The Boost graph is the single source of truth: to_dot walks its vertices and edges and
// writes what each bundled Node holds; nothing about the graph is stored anywhere else.
//
// Reading a diagram:
//   * data flows upward (rankdir=BT): inputs at the bottom, the loss at the top;
//   * ellipses are ops, bold boxes are parameters, grey notes are inputs and constants;
//   * an edge's label "x0", "x1" is the operand position in the op that consumes it;
//   * the fill colour is the node's mean |dL/dx| on a log10 scale (see the legend): dark blue
//     means the gradient has (nearly) vanished, yellow means it is strong, grey means the node
//     has no gradient at all (inputs, constants, or no backward pass yet);
//   * nodes that share a scope ("layer3/kernel", "layer3/matmul") sit in a box labelled
//     "layer3"; nested scopes nest.

#include <optional>
#include <string>
#include <string_view>

#include "autodiff/graph.hpp"

namespace gradflow::autodiff::viz {

// A log10 colour scale for mean |gradient|, shared between diagrams so colours compare:
// 10^log10_min (and anything smaller) gets the coldest colour, 10^log10_max the hottest.
struct ColorScale {
  double log10_min = -6;
  double log10_max = 0;
  friend bool operator==(const ColorScale&, const ColorScale&) = default;
};

// Mean |gradient| of one node, or nothing when the node has no gradient (inputs, constants,
// nodes that do not require a gradient, or any node before the first backward pass).
std::optional<double> mean_abs_gradient(const Node& node);

// The scale spanning every node's mean |grad| in the graph (nodes with a gradient, ignoring
// exact zeros), rounded outwards to whole decades. Falls back to the default ColorScale when no
// node has a non-zero gradient; a single decade is widened to two so the scale never collapses.
ColorScale gradient_scale(const Graph& graph);
// The smallest scale containing both.
ColorScale merge(const ColorScale& a, const ColorScale& b);

// A colour ("#rrggbb") for a mean |grad| of 10^log10_value on the scale, from the viridis map
// (dark blue-violet = vanished ... yellow = strong), clamped at both ends; -infinity (an exact
// zero gradient) gets the coldest colour.
std::string color_for(double log10_value, const ColorScale& scale);
// Black or white, whichever reads better on color_for(log10_value, scale).
std::string text_color_for(double log10_value, const ColorScale& scale);
// The fill of a node that has no gradient.
inline constexpr std::string_view kNoGradientColor = "#d9d9d9";

// A mean |gradient| as the diagrams print it: "6.0e-2", "1.2e3", "1.0e0", and "0".
std::string gradient_label(double mean_abs_grad);

// DOT text (statements to paste inside a digraph's braces) of a legend cluster
// "cluster_legend": the title, one swatch per decade from scale.log10_min to
// scale.log10_max labelled "1e-5" etc., and a grey swatch "no gradient". Used by to_dot and by
// other diagrams that colour by gradient (lesson 05's layer-level diagram).
std::string legend_dot(const ColorScale& scale, std::string_view title = "mean |gradient|");

struct DotOptions {
  std::string title;                // graph label drawn at the top
  std::optional<ColorScale> scale;  // default: gradient_scale(graph)
  bool show_values = true;          // summarise values (mean, and the value itself for scalars)
  bool show_gradients = true;       // mean |grad| per node (and colour); false before any backward
  std::string rankdir = "BT";       // data flows upward: inputs at the bottom, loss at the top
};

// DOT for the whole graph; see the comment at the top of this file for what it draws.
std::string to_dot(const Graph& graph, const DotOptions& options = {});

// Escaping helpers, exposed for other diagram writers.
// Text inside a double-quoted DOT string: escapes '"' and '\', and turns newlines into "\n".
std::string escape_quoted(std::string_view text);
// Text inside an HTML-like label <...>: escapes &, <, >, '"'; newlines become <BR/>.
std::string escape_html(std::string_view text);

}  // namespace gradflow::autodiff::viz
