// Exercise 08: the per-layer update-to-weight ratio through gradient hooks. What to do is in
// ex08_update_ratio.hpp and in docs/coursework.md ("Exercise 08"); run its tests with
// `ctest --test-dir build -L ex08`.
#include "coursework/ex08_update_ratio.hpp"

#include "coursework/not_done.hpp"

namespace gradflow::coursework {

// Add one hook per parameter (graph.add_hook) that copies event.value into before_[k] and sets
// seen_backward_; keep the hook ids in hook_ids_.
UpdateRatioMonitor::UpdateRatioMonitor(autodiff::Graph& graph, std::vector<autodiff::Var> params)
    : graph_(&graph), params_(std::move(params)) {
  throw NotDone(8);
}

// Remove every hook you added (graph_->remove_hook).
UpdateRatioMonitor::~UpdateRatioMonitor() = default;

// ||W_now - before_[k]|| / ||before_[k]|| for each k.
std::vector<double> UpdateRatioMonitor::ratios() const { throw NotDone(8); }

}  // namespace gradflow::coursework
