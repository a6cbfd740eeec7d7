// Exercise 07, a PLANTED MISTAKE: RMSProp puts epsilon inside the square root (TensorFlow 1 style) instead of outside.
// Built only as a test variant that must FAIL (tests/coursework/CMakeLists.txt); never shipped.
#include <cmath>

#include "coursework/ex07_optimizers.hpp"

namespace gradflow::coursework {

SgdMomentum::SgdMomentum(std::vector<autodiff::Var> parameters, const MomentumOptions& options)
    : params_(std::move(parameters)), opt_(options) {
  for (const auto& p : params_) velocity_.emplace_back(p.value().size(), 0.0F);
}

void SgdMomentum::step() {
  for (std::size_t k = 0; k < params_.size(); ++k) {
    const float* g = params_[k].grad().data();
    float* w = params_[k].mutable_value().data();
    float* v = velocity_[k].data();
    for (std::size_t i = 0; i < velocity_[k].size(); ++i) {
      v[i] = opt_.momentum * v[i] + g[i];
      w[i] -= opt_.learning_rate * v[i];
    }
  }
}

RmsProp::RmsProp(std::vector<autodiff::Var> parameters, const RmsPropOptions& options)
    : params_(std::move(parameters)), opt_(options) {
  for (const auto& p : params_) mean_square_.emplace_back(p.value().size(), 0.0F);
}

void RmsProp::step() {
  for (std::size_t k = 0; k < params_.size(); ++k) {
    const float* g = params_[k].grad().data();
    float* w = params_[k].mutable_value().data();
    float* s = mean_square_[k].data();
    for (std::size_t i = 0; i < mean_square_[k].size(); ++i) {
      s[i] = opt_.rho * s[i] + (1.0F - opt_.rho) * g[i] * g[i];
      w[i] -= opt_.learning_rate * g[i] / std::sqrt(s[i] + opt_.epsilon);  // PLANTED: eps inside the root
    }
  }
}

}  // namespace gradflow::coursework
