// Exercise 08, reference solution.
#include "coursework/ex08_update_ratio.hpp"

#include <cmath>
#include <stdexcept>

namespace gradflow::coursework {

UpdateRatioMonitor::UpdateRatioMonitor(autodiff::Graph& graph, std::vector<autodiff::Var> params)
    : graph_(&graph), params_(std::move(params)), before_(params_.size()) {
  for (std::size_t k = 0; k < params_.size(); ++k) {
    // The hook runs during backward, before the optimizer touches W: copy W as it is now.
    hook_ids_.push_back(graph_->add_hook(params_[k], [this, k](const autodiff::GradientEvent& e) {
      before_[k] = e.value;
      seen_backward_ = true;
    }));
  }
}

UpdateRatioMonitor::~UpdateRatioMonitor() {
  for (std::size_t k = 0; k < hook_ids_.size(); ++k) graph_->remove_hook(params_[k], hook_ids_[k]);
}

std::vector<double> UpdateRatioMonitor::ratios() const {
  if (!seen_backward_) throw std::logic_error("update ratio: no backward pass has run since the monitor was made");
  std::vector<double> result;
  for (std::size_t k = 0; k < params_.size(); ++k) {
    const autodiff::Tensor& now = params_[k].value();
    double diff = 0.0, base = 0.0;
    for (std::size_t i = 0; i < now.size(); ++i) {
      const double d = static_cast<double>(now[i]) - before_[k][i];
      diff += d * d;
      base += static_cast<double>(before_[k][i]) * before_[k][i];
    }
    result.push_back(std::sqrt(diff) / std::sqrt(base));
  }
  return result;
}

}  // namespace gradflow::coursework
