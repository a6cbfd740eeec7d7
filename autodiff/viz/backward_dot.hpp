#pragma once
// One diagram per step of the backward pass (lesson 02's step-through player).
//
// Step s shows the graph after the s-th visit of trace_backward:
//   * the node being visited: thick red outline, its final dL/dy in the label;
//   * nodes whose gradient is final (visited earlier): filled, "dL/d = value";
//   * nodes that have received some but not all shares: dashed outline, "so far: value";
//   * nodes whose gradient is still unknown: greyed out;
//   * inputs and constants (no gradient ever): grey notes.
// Edges that carry a share in this step are drawn red and labelled with the share.

#include <string>
#include <string_view>

#include "autodiff/graph.hpp"
#include "autodiff/trace.hpp"

namespace gradflow::autodiff::viz {

// A small tensor as the diagrams print it: "0.25" for [1 x 1], "[0.1, -2]" for up to four
// entries, "[3 x 4]" otherwise.
std::string short_value(const Tensor& t);

// DOT text of step `step` (0-based) of `trace` over `graph`. Throws std::out_of_range for a
// step the trace does not have.
std::string backward_step_dot(const Graph& graph, const BackwardTrace& trace, std::size_t step,
                              std::string_view title = {});

}  // namespace gradflow::autodiff::viz
