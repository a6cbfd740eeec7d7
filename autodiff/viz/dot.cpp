#include "autodiff/viz/dot.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <vector>

namespace gradflow::autodiff::viz {

namespace {

constexpr std::string_view kFont = "Helvetica";  // Nimbus Sans/Arial in PNG, "Helvetica,sans-Serif" in SVG
constexpr std::string_view kNoGradientText = "no gradient";

struct Rgb {
  double r, g, b;  // 0..255
};

// viridis (matplotlib's default map) sampled at 9 evenly spaced points. It is perceptually
// uniform (equal steps in log10 |grad| look like equal steps in colour), readable by colour-blind
// readers, and runs from dark blue-violet (cold: the gradient has vanished) to yellow (hot).
constexpr std::array<Rgb, 9> kViridis{{{0x44, 0x01, 0x54},
                                       {0x47, 0x2d, 0x7b},
                                       {0x3b, 0x52, 0x8b},
                                       {0x2c, 0x72, 0x8e},
                                       {0x21, 0x90, 0x8c},
                                       {0x27, 0xad, 0x81},
                                       {0x5d, 0xc8, 0x63},
                                       {0xaa, 0xdc, 0x32},
                                       {0xfd, 0xe7, 0x25}}};

// Where 10^log10_value falls on the scale, as a fraction in [0, 1] (clamped).
double position_on(double log10_value, const ColorScale& scale) {
  if (std::isnan(log10_value)) return 0.0;
  const double span = scale.log10_max - scale.log10_min;
  if (!(span > 0.0)) return log10_value >= scale.log10_max ? 1.0 : 0.0;
  return std::clamp((log10_value - scale.log10_min) / span, 0.0, 1.0);
}

Rgb viridis(double t) {
  const double x = t * static_cast<double>(kViridis.size() - 1);
  const auto i = std::min(static_cast<std::size_t>(x), kViridis.size() - 2);
  const double f = x - static_cast<double>(i);
  const Rgb& a = kViridis[i];
  const Rgb& b = kViridis[i + 1];
  return {a.r + (b.r - a.r) * f, a.g + (b.g - a.g) * f, a.b + (b.b - a.b) * f};
}

std::string hex(const Rgb& c) {
  auto byte = [](double v) { return static_cast<int>(std::lround(std::clamp(v, 0.0, 255.0))); };
  return fmt::format("#{:02x}{:02x}{:02x}", byte(c.r), byte(c.g), byte(c.b));
}

// WCAG relative luminance of an sRGB colour.
double luminance(const Rgb& c) {
  auto linear = [](double v) {
    v /= 255.0;
    return v <= 0.04045 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
  };
  return 0.2126 * linear(c.r) + 0.7152 * linear(c.g) + 0.0722 * linear(c.b);
}

// Black text when it contrasts more than white would (the WCAG contrast ratios cross at 0.179).
std::string readable_on(const Rgb& c) { return luminance(c) > 0.179 ? "#000000" : "#ffffff"; }

std::string decade_label(int decade) {
  if (decade == 0) return "1";
  if (decade == 1) return "10";
  return fmt::format("1e{}", decade);
}

// A DOT id (always quoted, so any node name works).
std::string quoted(std::string_view text) { return fmt::format("\"{}\"", escape_quoted(text)); }

// The scopes of the graph as a tree: "model/layer3" is a child of "model", which is a child of
// the root "". Each scope lists the nodes that live directly in it.
struct ScopeTree {
  std::map<std::string, std::vector<NodeId>, std::less<>> nodes;
  std::map<std::string, std::set<std::string>, std::less<>> children;

  void add(std::string_view scope, NodeId id) {
    nodes[std::string(scope)].push_back(id);
    // Register every enclosing scope so that "a/b/c" nests inside "a/b" inside "a".
    std::string child(scope);
    while (!child.empty()) {
      const auto slash = child.rfind('/');
      std::string parent = slash == std::string::npos ? std::string{} : child.substr(0, slash);
      children[parent].insert(child);
      nodes.try_emplace(parent);
      child = std::move(parent);
    }
  }
};

std::string_view last_component(std::string_view scope) {
  const auto slash = scope.rfind('/');
  return slash == std::string_view::npos ? scope : scope.substr(slash + 1);
}

// Tensors with at most this many entries are shown in full, with their signs: a mean would
// hide them (a bias of [0.1, -0.1] has mean 0; a gradient of -1.197 has mean |grad| 1.2).
constexpr std::size_t kShownInFull = 4;
// And in the tooltip (hover in an inline SVG), exactly, up to this many entries.
constexpr std::size_t kTooltipEntries = 16;

// "[0.1, -0.1]" (rows separated by ";"), each entry with `digits` significant digits.
std::string entries(const Tensor& t, int digits, std::size_t limit) {
  std::string s = "[";
  const std::size_t n = std::min(limit, t.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0) s += t.cols() > 0 && i % static_cast<std::size_t>(t.cols()) == 0 ? "; " : ", ";
    s += fmt::format("{:.{}g}", t[i], digits);
  }
  if (n < t.size()) s += fmt::format(", ... {} more", t.size() - n);
  return s + "]";
}

std::string value_summary(const Tensor& value) {
  if (value.empty()) return "empty";
  if (value.shape().is_scalar()) return fmt::format("= {:.4g}", value[0]);
  if (value.size() <= kShownInFull) return entries(value, 3, kShownInFull);
  const double mean = static_cast<double>(sum(value)) / static_cast<double>(value.size());
  return fmt::format("mean {:.3g}", mean);
}

struct NodeStyle {
  std::string_view shape;
  std::string_view style;
  double penwidth;
  std::string_view border;
};

NodeStyle style_of(NodeKind kind) {
  switch (kind) {
    case NodeKind::op: return {"ellipse", "filled", 1.0, "#333333"};
    case NodeKind::parameter: return {"box", "filled", 2.5, "#000000"};
    case NodeKind::input: return {"note", "filled", 1.0, "#777777"};
    case NodeKind::constant: return {"note", "filled,dashed", 1.0, "#777777"};
  }
  return {"box", "filled", 1.0, "#333333"};
}

// Fill colours when gradients are not shown (before any backward pass).
std::string_view plain_fill(NodeKind kind) {
  switch (kind) {
    case NodeKind::op: return "#ffffff";
    case NodeKind::parameter: return "#fff3c4";
    case NodeKind::input:
    case NodeKind::constant: return "#e8e8e8";
  }
  return "#ffffff";
}

class DotWriter {
 public:
  DotWriter(const Graph& graph, const DotOptions& options)
      : graph_(graph), options_(options), scale_(options.scale.value_or(gradient_scale(graph))) {}

  std::string write() {
    out_ += "digraph gradflow {\n";
    out_ += fmt::format(
        "  graph [rankdir={}, fontname=\"{}\", fontsize=12, nodesep=0.3, ranksep=0.4, labelloc=t, "
        "labeljust=c];\n",
        quoted(options_.rankdir.empty() ? "BT" : options_.rankdir), kFont);
    if (!options_.title.empty()) {
      out_ += fmt::format("  label=<<B>{}</B>>;\n  fontsize=14;\n", escape_html(options_.title));
    }
    out_ += fmt::format("  node [fontname=\"{}\", fontsize=11, margin=\"0.10,0.04\"];\n", kFont);
    out_ += fmt::format("  edge [fontname=\"{}\", fontsize=9, color=\"#555555\", arrowsize=0.7];\n", kFont);

    ScopeTree tree;
    const auto& g = graph_.storage();
    for (auto v : boost::make_iterator_range(boost::vertices(g))) tree.add(g[v].scope(), v);
    write_scope(tree, "", 1);

    // Edges run operand -> result; the label names the operand position when it matters.
    for (auto e : boost::make_iterator_range(boost::edges(g))) {
      const Node& from = g[boost::source(e, g)];
      const Node& to = g[boost::target(e, g)];
      const std::size_t position = g[e].position;
      std::vector<std::string> attributes;
      if (to.op && to.op->arity() >= 2) attributes.push_back(fmt::format("label=\" x{}\"", position));
      // No gradient flows back along an edge into a non-differentiable operand (a loss's labels).
      if (to.op && !to.op->differentiable(position)) attributes.emplace_back("style=dashed");
      out_ += fmt::format("  {} -> {}", quoted(from.name), quoted(to.name));
      if (!attributes.empty()) out_ += fmt::format(" [{}]", fmt::join(attributes, ", "));
      out_ += ";\n";
    }

    if (options_.show_gradients) out_ += legend_dot(scale_, "mean |gradient| = mean |dL/dx|");
    out_ += "}\n";
    return std::move(out_);
  }

 private:
  void write_scope(const ScopeTree& tree, const std::string& scope, int depth) {
    const std::string indent(static_cast<std::size_t>(depth) * 2, ' ');
    if (const auto it = tree.nodes.find(scope); it != tree.nodes.end()) {
      for (NodeId v : it->second) out_ += indent + node_statement(v) + "\n";
      for (NodeId v : it->second) out_ += same_rank_as_consumer(v, indent);
    }
    const auto children = tree.children.find(scope);
    if (children == tree.children.end()) return;
    for (const std::string& child : children->second) {
      out_ += fmt::format("{}subgraph {} {{\n", indent, quoted("cluster_" + child));
      // Graphviz flips cluster labels with the ranks: with rankdir=BT "b" puts them at the top.
      out_ += fmt::format(
          "{}  label=<<B>{}</B>>; fontsize=12; style=\"rounded,filled\"; color=\"#9a9a9a\"; "
          "fillcolor=\"{}\"; labeljust=l; labelloc={};\n",
          indent, escape_html(last_component(child)), depth % 2 == 1 ? "#f4f4f4" : "#e9e9e9",
          options_.rankdir == "BT" ? "b" : "t");
      write_scope(tree, child, depth + 1);
      out_ += indent + "}\n";
    }
  }

  // A parameter is drawn beside the op that uses it rather than below it. Otherwise every
  // layer's kernel takes a rank of its own under its matmul, each layer's cluster starts one
  // rank lower than the previous one ends, and the layers march off in a diagonal staircase.
  std::string same_rank_as_consumer(NodeId v, const std::string& indent) const {
    const auto& g = graph_.storage();
    if (g[v].kind != NodeKind::parameter || boost::out_degree(v, g) != 1) return {};
    const NodeId consumer = boost::target(*boost::out_edges(v, g).first, g);
    if (g[consumer].scope() != g[v].scope()) return {};
    return fmt::format("{}{{ rank=same; {}; {}; }}\n", indent, quoted(g[v].name), quoted(g[consumer].name));
  }

  std::string node_statement(NodeId v) const {
    const Node& n = graph_.node(v);
    const NodeStyle style = style_of(n.kind);

    // Label, as an HTML-like label: the op (or the leaf's name) in bold, then the details.
    std::vector<std::string> lines;
    if (n.op) {
      std::string head = fmt::format("<B>{}</B>", escape_html(n.op->name()));
      if (const std::string attrs = n.op->attributes(); !attrs.empty()) head += " " + escape_html(attrs);
      lines.push_back(std::move(head));
      if (n.short_name() != n.op->name()) lines.push_back(fmt::format("<I>{}</I>", escape_html(n.short_name())));
    } else {
      lines.push_back(fmt::format("<B>{}</B>", escape_html(n.short_name())));
      lines.push_back(fmt::format("<I>{}</I>", to_string(n.kind)));
    }
    std::string shape_line = to_string(n.value.shape());
    if (options_.show_values) shape_line += " " + value_summary(n.value);
    lines.push_back(escape_html(shape_line));

    std::string fill(plain_fill(n.kind));
    std::string font = "#000000";
    if (options_.show_gradients) {
      if (const auto g = mean_abs_gradient(n)) {
        const double log10_value = *g > 0.0 ? std::log10(*g) : -std::numeric_limits<double>::infinity();
        fill = color_for(log10_value, scale_);
        font = text_color_for(log10_value, scale_);
        // Small gradients with their signs (the chain rule by hand gives signed numbers);
        // larger ones as the mean |grad| that also sets the colour.
        lines.push_back(escape_html(n.grad.size() <= kShownInFull
                                        ? fmt::format("grad {}", entries(n.grad, 3, kShownInFull))
                                        : fmt::format("mean |grad| {}", gradient_label(*g))));
      } else {
        fill = kNoGradientColor;
        if (n.kind == NodeKind::op || n.kind == NodeKind::parameter) lines.emplace_back(kNoGradientText);
      }
    }

    return fmt::format(
        "{} [shape={}, style=\"{}\", penwidth={}, color=\"{}\", fillcolor=\"{}\", fontcolor=\"{}\", "
        "tooltip={}, label=<{}>];",
        quoted(n.name), style.shape, style.style, style.penwidth, style.border, fill, font, quoted(tooltip(n)),
        fmt::join(lines, "<BR/>"));
  }

  // What hovering the node shows: its exact values and gradient (up to kTooltipEntries each).
  static std::string tooltip(const Node& n) {
    std::string t =
        fmt::format("{} ({}) {}", n.name, n.op ? n.op->name() : to_string(n.kind), to_string(n.value.shape()));
    if (!n.value.empty()) t += "\nvalue " + entries(n.value, 6, kTooltipEntries);
    if (!n.grad.empty()) {
      t += "\ndL/dx " + entries(n.grad, 6, kTooltipEntries);
      if (const auto g = mean_abs_gradient(n)) t += fmt::format("\nmean |dL/dx| {:.6g}", *g);
    }
    return t;
  }

  const Graph& graph_;
  const DotOptions& options_;
  ColorScale scale_;
  std::string out_;
};

}  // namespace

std::optional<double> mean_abs_gradient(const Node& node) {
  if (!node.requires_grad || node.grad.empty()) return std::nullopt;
  return static_cast<double>(mean_abs(node.grad));
}

ColorScale gradient_scale(const Graph& graph) {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  const auto& g = graph.storage();
  for (auto v : boost::make_iterator_range(boost::vertices(g))) {
    const auto m = mean_abs_gradient(g[v]);
    if (!m || !(*m > 0.0) || !std::isfinite(*m)) continue;  // exact zeros have no logarithm
    lo = std::min(lo, std::log10(*m));
    hi = std::max(hi, std::log10(*m));
  }
  if (lo > hi) return {};
  ColorScale scale{std::floor(lo), std::ceil(hi)};
  if (scale.log10_max <= scale.log10_min) scale.log10_min = scale.log10_max - 1;
  return scale;
}

ColorScale merge(const ColorScale& a, const ColorScale& b) {
  return {std::min(a.log10_min, b.log10_min), std::max(a.log10_max, b.log10_max)};
}

std::string color_for(double log10_value, const ColorScale& scale) {
  return hex(viridis(position_on(log10_value, scale)));
}

std::string text_color_for(double log10_value, const ColorScale& scale) {
  return readable_on(viridis(position_on(log10_value, scale)));
}

std::string legend_dot(const ColorScale& scale, std::string_view title) {
  // One HTML table: the title, then a row of swatches, one per decade, and a grey "no gradient"
  // swatch set apart by a gap. A table keeps title and swatches together and in this order
  // whatever the diagram's rankdir (a cluster's own label would move with it).
  const int first = static_cast<int>(std::floor(scale.log10_min));
  const int last = std::max(first, static_cast<int>(std::ceil(scale.log10_max)));
  std::string cells;
  for (int decade = first; decade <= last; ++decade) {
    const auto d = static_cast<double>(decade);
    cells += fmt::format(R"(<TD BGCOLOR="{}" WIDTH="40"><FONT COLOR="{}">{}</FONT></TD>)", color_for(d, scale),
                         text_color_for(d, scale), decade_label(decade));
  }
  cells += R"(<TD BORDER="0" WIDTH="8"></TD>)";
  cells += fmt::format(R"(<TD BGCOLOR="{}">{}</TD>)", kNoGradientColor, kNoGradientText);
  const int columns = last - first + 3;

  std::string dot;
  dot += "  subgraph cluster_legend {\n";
  dot += "    label=\"\"; style=\"rounded\"; color=\"#9a9a9a\"; margin=6;\n";
  dot += fmt::format(
      "    gradflow_legend [shape=none, margin=0, fontname=\"{}\", fontsize=10, tooltip=\"colour scale\", "
      "label=<<TABLE BORDER=\"0\" CELLBORDER=\"1\" CELLSPACING=\"0\" CELLPADDING=\"4\">"
      "<TR><TD BORDER=\"0\" COLSPAN=\"{}\"><FONT POINT-SIZE=\"11\"><B>{}</B></FONT></TD></TR>"
      "<TR>{}</TR></TABLE>>];\n",
      kFont, columns, escape_html(title), cells);
  dot += "  }\n";
  return dot;
}

std::string gradient_label(double mean_abs_grad) {
  if (mean_abs_grad == 0.0) return "0";
  if (!std::isfinite(mean_abs_grad)) return fmt::format("{}", mean_abs_grad);
  // "6.0e-02" -> "6.0e-2", "1.0e+00" -> "1.0e0": short, and like the legend's "1e-2".
  std::string text = fmt::format("{:.1e}", mean_abs_grad);
  const auto e = text.find('e');
  std::string exponent = text.substr(e + 1);
  const bool negative = exponent[0] == '-';
  exponent.erase(0, exponent.find_first_not_of("+-"));
  exponent.erase(0, std::min(exponent.find_first_not_of('0'), exponent.size() - 1));
  return text.substr(0, e + 1) + (negative ? "-" : "") + exponent;
}

std::string to_dot(const Graph& graph, const DotOptions& options) { return DotWriter(graph, options).write(); }

std::string escape_quoted(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': break;
      default: out += c;
    }
  }
  return out;
}

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\n': out += "<BR/>"; break;
      case '\r': break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace gradflow::autodiff::viz
