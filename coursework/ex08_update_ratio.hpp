#pragma once
// Exercise 08: a gradient-flow metric through hooks, the per-layer update-to-weight ratio.
// You write the constructor, the destructor and ratios() in coursework/ex08_update_ratio.cpp.
//
// For a weight matrix W updated by an optimizer from W_before to W_after:
//   ratio = ||W_after - W_before|| / ||W_before||        (Frobenius norms: sqrt of sum of squares)
// A rule of thumb (Karpathy's) is a ratio near 1e-3 per step: much smaller and the layer barely
// learns, much larger and it is being thrown around. Unlike mean |dL/dW| it measures what the
// optimizer really did: Adam and RMSProp rescale the gradient, so lr * ||g|| / ||W|| is NOT the
// ratio for them.
//
// How: a gradient hook (Graph::add_hook) runs during backward, BEFORE optimizer.step() changes
// W. In it, keep a copy of W (event.value). After step(), ratios() compares the current value
// with that copy. Remove your hooks in the destructor (Graph::remove_hook), so that a graph that
// outlives the monitor never calls into a dead object.

#include <vector>

#include "autodiff/graph.hpp"

namespace gradflow::coursework {

class UpdateRatioMonitor {
 public:
  // Watches `params` (e.g. every layer's kernel, first layer first). Adds one hook per parameter.
  UpdateRatioMonitor(autodiff::Graph& graph, std::vector<autodiff::Var> params);
  ~UpdateRatioMonitor();                                   // removes the hooks
  UpdateRatioMonitor(const UpdateRatioMonitor&) = delete;  // the hooks point at this object
  UpdateRatioMonitor& operator=(const UpdateRatioMonitor&) = delete;

  // One ratio per watched parameter, in the order given: ||W_now - W_at_last_backward|| /
  // ||W_at_last_backward||. Call it after optimizer.step(). Throws std::logic_error when no
  // backward pass has run since the monitor was made.
  [[nodiscard]] std::vector<double> ratios() const;

 private:
  autodiff::Graph* graph_;
  std::vector<autodiff::Var> params_;
  std::vector<std::size_t> hook_ids_;     // one per parameter, for remove_hook
  std::vector<autodiff::Tensor> before_;  // W as the last backward pass saw it
  bool seen_backward_ = false;
};

}  // namespace gradflow::coursework
