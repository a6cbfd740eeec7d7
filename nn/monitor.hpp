#pragma once
// The gradient-flow monitor: hooks on every layer's kernel and bias that, on the steps you
// arm it for, record how much gradient reached each layer.
//
// Why two numbers per layer? For a dense layer z = x W + b the gradients are
//   dL/dW = x^T dL/dz        dL/db = sum over the batch of dL/dz
// dL/db is the back-propagated error dL/dz itself, so it shows how much signal arrived.
// dL/dW multiplies that error by the layer's input x: in layer 1 that input is MNIST pixels,
// most of which are exactly 0, so layer 1's mean |dL/dW| is small even when no gradient has
// vanished at all. Comparing the two separates "vanishing" from "diluted by zero inputs".

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "autodiff/tensor.hpp"
#include "nn/mlp.hpp"

namespace gradflow::nn {

// Counts of values in `bins` equal-width bins spanning [lo, hi].
struct Histogram {
  float lo = 0;
  float hi = 0;
  std::vector<std::uint32_t> counts;
};
Histogram make_histogram(const autodiff::Tensor& t, int bins);

struct LayerRecord {
  std::string layer;               // "layer3"
  float mean_abs_kernel_grad = 0;  // mean |dL/dW|
  float mean_abs_bias_grad = 0;    // mean |dL/db|
  float mean_abs_kernel = 0;       // mean |W|: the size of what backward multiplies by
  Histogram kernel_grad;           // distribution of dL/dW
  Histogram kernel_value;          // distribution of W itself
  // Hidden ReLU / leaky ReLU layers: the fraction of units whose pre-activation is <= 0 for
  // every sample of the batch (a dead ReLU passes back no gradient at all).
  std::optional<float> dead_fraction;
  // Hidden sigmoid layers: the fraction of (sample, unit) pairs where sigmoid'(z) = y (1 - y)
  // is below 0.05, a fifth of its maximum 1/4 (|z| > about 2.9): a saturated unit.
  std::optional<float> saturated_fraction;
};

struct GradientRecord {
  long step = 0;
  std::vector<LayerRecord> layers;  // layer1 first
};

class GradientMonitor {
 public:
  // Attaches hooks to every layer of `mlp` (whose graph must already contain the layers' ops).
  explicit GradientMonitor(Mlp& mlp, int histogram_bins = 30);
  ~GradientMonitor();                                // detaches the hooks
  GradientMonitor(const GradientMonitor&) = delete;  // the hooks point at this object
  GradientMonitor& operator=(const GradientMonitor&) = delete;

  // Records the next backward pass as step `step`. Unarmed passes cost one branch per hook.
  void arm(long step);
  // The records made so far, in step order.
  [[nodiscard]] const std::vector<GradientRecord>& history() const { return history_; }

 private:
  void on_kernel(std::size_t layer, const autodiff::Tensor& grad, const autodiff::Tensor& value);
  void on_bias(std::size_t layer, const autodiff::Tensor& grad);
  void record_done();

  Mlp* mlp_;
  int bins_;
  bool armed_ = false;
  std::size_t pending_ = 0;  // hooks still to fire in the armed pass
  std::vector<GradientRecord> history_;
  std::vector<std::pair<autodiff::Var, std::size_t>> hooks_;  // (node, hook id) to detach
};

}  // namespace gradflow::nn
