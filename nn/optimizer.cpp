#include "nn/optimizer.hpp"

#include <fmt/format.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <stdexcept>

#include "autodiff/finite.hpp"

namespace gradflow::nn {

namespace {
void check_parameters(const std::vector<autodiff::Var>& params, std::string_view who) {
  for (const auto& p : params) {
    if (p.node().kind != autodiff::NodeKind::parameter) {
      throw std::invalid_argument(fmt::format("{}: node '{}' is not a parameter", who, p.name()));
    }
  }
}

// The gradient of a parameter after backward; empty if no backward has reached it yet.
const autodiff::Tensor& gradient_of(const autodiff::Var& p, std::string_view who) {
  const auto& g = p.grad();
  if (g.shape() != p.shape()) {
    throw std::logic_error(
        fmt::format("{}: parameter '{}' has no gradient yet: call backward before step", who, p.name()));
  }
  return g;
}
}  // namespace

void Optimizer::check_updated(const autodiff::Var& parameter, std::string_view who) const {
  const autodiff::Tensor& w = parameter.value();
  const auto bad = autodiff::first_non_finite(w);
  if (!bad) return;
  const auto cols = static_cast<std::size_t>(w.cols());
  const autodiff::Tensor& g = parameter.grad();
  throw autodiff::NonFiniteError(fmt::format(
      "{} update {}: parameter '{}' became {} at row {}, col {} of {} in the update (its gradient there was {})", who,
      steps_, parameter.name(), w[*bad], *bad / cols, *bad % cols, autodiff::to_string(w.shape()),
      *bad < g.size() ? g[*bad] : NAN));
}

std::string describe(const AdamOptions& o) {
  return fmt::format("adam(lr={}, beta1={}, beta2={}, epsilon={})", o.learning_rate, o.beta1, o.beta2, o.epsilon);
}

Sgd::Sgd(std::vector<autodiff::Var> parameters, float learning_rate)
    : params_(std::move(parameters)), lr_(learning_rate) {
  check_parameters(params_, "sgd");
}

void Sgd::step() {
  begin_step();
  for (auto& p : params_) {
    const float* g = gradient_of(p, "sgd").data();
    float* w = p.mutable_value().data();
    const std::size_t n = p.value().size();
    for (std::size_t i = 0; i < n; ++i) w[i] -= lr_ * g[i];
    check_updated(p, "sgd");
  }
}

Adam::Adam(std::vector<autodiff::Var> parameters, const AdamOptions& options)
    : params_(std::move(parameters)), opt_(options) {
  check_parameters(params_, "adam");
  for (const auto& p : params_) {
    m_.emplace_back(p.value().size(), 0.0F);
    v_.emplace_back(p.value().size(), 0.0F);
  }
}

namespace {
// Adam's update of one parameter tensor, element by element (TF1's formulation, lr_t folding in
// the bias corrections):
//   m = beta1 m + (1 - beta1) g
//   v = beta2 v + (1 - beta2) g^2
//   w = w - lr_t m / (sqrt(v) + epsilon)
// Compiled for three instruction sets, the widest the CPU has chosen when the program loads
// (GCC's function multiversioning): the square roots and divisions are most of the cost, and
// 8 or 16 lanes do them two to four times faster than SSE's 4. IEEE sqrt and division are
// correctly rounded at any width, and -ffp-contract=off (CMakeLists.txt) keeps every multiply
// and add separately rounded, so each variant computes exactly the same numbers.
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
// Returns whether every updated weight is finite: the check reads the exponent bits of each
// new w[i] while it is still in a register (all ones: NaN or infinity), rather than scanning
// the tensor again afterwards.
bool adam_update(float* __restrict w, float* __restrict m, float* __restrict v, const float* __restrict g,
                 std::size_t n, float b1, float b2, float lr_t, float eps) {
  unsigned bad = 0;
  for (std::size_t i = 0; i < n; ++i) {
    m[i] = b1 * m[i] + (1.0F - b1) * g[i];
    v[i] = b2 * v[i] + (1.0F - b2) * g[i] * g[i];
    w[i] -= lr_t * m[i] / (std::sqrt(v[i]) + eps);
    bad |= static_cast<unsigned>((std::bit_cast<std::uint32_t>(w[i]) & 0x7f800000U) == 0x7f800000U);
  }
  return bad == 0;
}
}  // namespace

void Adam::step() {
  begin_step();
  beta1_power_ *= opt_.beta1;
  beta2_power_ *= opt_.beta2;
  const auto lr_t = static_cast<float>(opt_.learning_rate * std::sqrt(1.0 - beta2_power_) / (1.0 - beta1_power_));
  const float b1 = opt_.beta1, b2 = opt_.beta2, eps = opt_.epsilon;
  for (std::size_t k = 0; k < params_.size(); ++k) {
    const float* g = gradient_of(params_[k], "adam").data();
    float* w = params_[k].mutable_value().data();
    float* m = m_[k].data();
    float* v = v_[k].data();
    if (!adam_update(w, m, v, g, m_[k].size(), b1, b2, lr_t, eps)) check_updated(params_[k], "adam");
  }
}

}  // namespace gradflow::nn
