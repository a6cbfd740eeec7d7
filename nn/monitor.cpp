#include "nn/monitor.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace gradflow::nn {

using autodiff::Tensor;

Histogram make_histogram(const Tensor& t, int bins) {
  if (bins <= 0) throw std::invalid_argument("make_histogram: bins must be positive");
  Histogram h;
  h.counts.assign(static_cast<std::size_t>(bins), 0);
  if (t.empty()) return h;
  const auto [lo, hi] = std::minmax_element(t.values().begin(), t.values().end());
  h.lo = *lo;
  h.hi = *hi;
  const float width = (h.hi - h.lo) / static_cast<float>(bins);
  for (float v : t.values()) {
    int b = width > 0 ? static_cast<int>((v - h.lo) / width) : 0;
    b = std::clamp(b, 0, bins - 1);  // the maximum lands in the last bin
    ++h.counts[static_cast<std::size_t>(b)];
  }
  return h;
}

GradientMonitor::GradientMonitor(Mlp& mlp, int histogram_bins) : mlp_(&mlp), bins_(histogram_bins) {
  if (histogram_bins <= 0) throw std::invalid_argument("gradient monitor: histogram bins must be positive");
  auto& layers = mlp.layers();
  for (std::size_t i = 0; i < layers.size(); ++i) {
    if (!layers[i].output().valid()) {
      throw std::logic_error("gradient monitor: build the network on a graph before attaching the monitor");
    }
    auto& graph = layers[i].kernel().graph();
    hooks_.emplace_back(layers[i].kernel(), graph.add_hook(layers[i].kernel(), [this, i](const auto& e) {
      if (armed_) on_kernel(i, e.grad, e.value);
    }));
    hooks_.emplace_back(layers[i].bias(), graph.add_hook(layers[i].bias(), [this, i](const auto& e) {
      if (armed_) on_bias(i, e.grad);
    }));
  }
}

GradientMonitor::~GradientMonitor() {
  for (auto& [node, id] : hooks_) node.graph().remove_hook(node, id);
}

void GradientMonitor::arm(long step) {
  armed_ = true;
  pending_ = 2 * mlp_->layers().size();
  GradientRecord record;
  record.step = step;
  record.layers.resize(mlp_->layers().size());
  history_.push_back(std::move(record));
}

void GradientMonitor::on_kernel(std::size_t layer, const Tensor& grad, const Tensor& value) {
  LayerRecord& r = history_.back().layers[layer];
  const Dense& dense = mlp_->layers()[layer];
  r.layer = dense.name();
  r.mean_abs_kernel_grad = autodiff::mean_abs(grad);
  r.mean_abs_kernel = autodiff::mean_abs(value);
  r.kernel_grad = make_histogram(grad, bins_);
  r.kernel_value = make_histogram(value, bins_);
  record_done();

  const Tensor& z = dense.pre_activation().value();
  const Activation act = dense.options().activation;
  if (act == Activation::relu || act == Activation::leaky_relu) {
    int dead = 0;
    for (int u = 0; u < z.cols(); ++u) {
      bool any_positive = false;
      for (int s = 0; s < z.rows() && !any_positive; ++s) any_positive = z(s, u) > 0.0F;
      dead += any_positive ? 0 : 1;
    }
    r.dead_fraction = z.cols() ? static_cast<float>(dead) / static_cast<float>(z.cols()) : 0.0F;
  } else if (act == Activation::sigmoid) {
    const Tensor& y = dense.output().value();
    std::size_t saturated = 0;
    for (float v : y.values()) saturated += v * (1.0F - v) < 0.05F ? 1 : 0;
    r.saturated_fraction = y.empty() ? 0.0F : static_cast<float>(saturated) / static_cast<float>(y.size());
  }
}

void GradientMonitor::on_bias(std::size_t layer, const Tensor& grad) {
  history_.back().layers[layer].mean_abs_bias_grad = autodiff::mean_abs(grad);
  record_done();
}

void GradientMonitor::record_done() {
  // One armed backward pass fires every kernel and bias hook once; the record is complete
  // (and the monitor disarms) when all of them have fired, whatever order backward chose.
  if (--pending_ == 0) armed_ = false;
}

}  // namespace gradflow::nn
