#include "autodiff/viz/backward_dot.hpp"

#include <fmt/format.h>

#include <stdexcept>
#include <vector>

#include "autodiff/viz/dot.hpp"

namespace gradflow::autodiff::viz {

std::string short_value(const Tensor& t) {
  if (t.size() == 1) return fmt::format("{:.4g}", t[0]);
  if (t.size() <= 4) {
    std::string s = "[";
    for (std::size_t i = 0; i < t.size(); ++i) s += fmt::format("{}{:.4g}", i > 0 ? ", " : "", t[i]);
    return s + "]";
  }
  return to_string(t.shape());
}

std::string backward_step_dot(const Graph& graph, const BackwardTrace& trace, std::size_t step,
                              std::string_view title) {
  if (step >= trace.steps.size()) {
    throw std::out_of_range(
        fmt::format("backward_step_dot: step {} requested but the trace has {} steps", step, trace.steps.size()));
  }
  // Replay the trace up to `step`: which gradients are final, which partial, and their values.
  enum class State { unknown, partial, final };
  std::vector<State> state(graph.size(), State::unknown);
  std::vector<Tensor> known(graph.size());
  state[trace.loss] = State::partial;
  known[trace.loss] = Tensor(graph.node(trace.loss).value.shape(), 1.0F);
  for (std::size_t s = 0; s <= step; ++s) {
    const BackwardStep& st = trace.steps[s];
    state[st.node] = State::final;
    known[st.node] = st.dy;
    for (const BackwardShare& share : st.shares) {
      if (state[share.operand] != State::final) state[share.operand] = State::partial;
      known[share.operand] = share.grad_after;
    }
  }
  const BackwardStep& current = trace.steps[step];

  std::string dot = "digraph backward {\n  rankdir=BT; nodesep=0.35; ranksep=0.45; bgcolor=\"white\";\n";
  dot += "  node [fontname=\"Helvetica\", fontsize=11]; edge [fontname=\"Helvetica\", fontsize=10];\n";
  if (!title.empty()) dot += fmt::format("  labelloc=t; fontname=\"Helvetica\"; label=\"{}\";\n", escape_quoted(title));
  for (NodeId id = 0; id < graph.size(); ++id) {
    const Node& n = graph.node(id);
    const std::string what =
        n.op ? std::string(n.op->name()) + (n.op->attributes().empty() ? "" : " " + n.op->attributes())
             : std::string(to_string(n.kind));
    std::string label = fmt::format("<B>{}</B><BR/>{}<BR/>value {}", escape_html(n.name), escape_html(what),
                                    escape_html(short_value(n.value)));
    std::string style;
    if (!n.requires_grad) {
      label += "<BR/>no gradient";
      style = "shape=note, style=filled, fillcolor=\"#eeeeee\", color=\"#999999\"";
    } else if (id == current.node) {
      label +=
          fmt::format("<BR/><B>dL/d({}) = {}</B>", escape_html(n.short_name()), escape_html(short_value(known[id])));
      style = "shape=box, style=\"rounded,filled\", fillcolor=\"#ffd8a8\", color=\"#d62728\", penwidth=3.5";
    } else if (state[id] == State::final) {
      label += fmt::format("<BR/>dL/d({}) = {}", escape_html(n.short_name()), escape_html(short_value(known[id])));
      style = "shape=box, style=\"rounded,filled\", fillcolor=\"#c7e9c0\", color=\"#2b7a2b\"";
    } else if (state[id] == State::partial) {
      label += fmt::format("<BR/>so far: {}", escape_html(short_value(known[id])));
      style = "shape=box, style=\"rounded,filled,dashed\", fillcolor=\"#fff5cc\", color=\"#b8860b\", penwidth=2";
    } else {
      label += "<BR/>dL/d? unknown";
      style = "shape=box, style=\"rounded,filled\", fillcolor=\"#f2f2f2\", color=\"#bbbbbb\", fontcolor=\"#aaaaaa\"";
    }
    dot += fmt::format("  n{} [label=<{}>, {}];\n", id, label, style);
  }
  for (NodeId id = 0; id < graph.size(); ++id) {
    const std::vector<NodeId> ops = graph.operands(id);
    for (std::size_t i = 0; i < ops.size(); ++i) {
      std::string attrs = fmt::format("label=\"x{}\"", i);
      if (id == current.node) {
        for (const BackwardShare& share : current.shares) {
          if (share.position == i) {
            // dir=back: the arrowhead sits on the operand, the way the share travels.
            attrs = fmt::format(
                "label=\"x{}: share {}{}\", color=\"#d62728\", fontcolor=\"#d62728\", penwidth=2.5, dir=back", i,
                escape_quoted(short_value(share.share)), share.accumulated ? " (added)" : "");
          }
        }
      }
      dot += fmt::format("  n{} -> n{} [{}];\n", ops[i], id, attrs);
    }
  }
  // The legend: what each look of a node means, stacked in one column beside the loss.
  dot +=
      "  legend [shape=plaintext, margin=0, fontsize=10, label=<<TABLE BORDER=\"0\" CELLBORDER=\"1\" "
      "CELLSPACING=\"2\" CELLPADDING=\"2\">"
      "<TR><TD BGCOLOR=\"#ffd8a8\" COLOR=\"#d62728\">visiting now</TD></TR>"
      "<TR><TD BGCOLOR=\"#c7e9c0\" COLOR=\"#2b7a2b\">gradient final</TD></TR>"
      "<TR><TD BGCOLOR=\"#fff5cc\" COLOR=\"#b8860b\">some shares in (so far)</TD></TR>"
      "<TR><TD BGCOLOR=\"#f2f2f2\" COLOR=\"#bbbbbb\"><FONT COLOR=\"#999999\">still unknown</FONT></TD></TR>"
      "<TR><TD BGCOLOR=\"#eeeeee\" COLOR=\"#999999\">no gradient (data)</TD></TR></TABLE>>];\n";
  dot += fmt::format("  {{rank=same; legend; n{};}}\n", trace.loss);
  return dot + "}\n";
}

}  // namespace gradflow::autodiff::viz
