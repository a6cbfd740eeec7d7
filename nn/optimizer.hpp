#pragma once
// Optimizers update parameters in place from the gradients the last backward pass left in
// them. They keep their own per-parameter state (Adam's moments) and allocate it once.

#include <vector>

#include "autodiff/graph.hpp"

namespace gradflow::nn {

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  // One update of every parameter from its current gradient.
  virtual void step() = 0;
};

// Plain gradient descent: w <- w - lr * dL/dw.
class Sgd final : public Optimizer {
 public:
  Sgd(std::vector<autodiff::Var> parameters, float learning_rate);
  void step() override;

 private:
  std::vector<autodiff::Var> params_;
  float lr_;
};

struct AdamOptions {  // TensorFlow 1.x's tf.train.AdamOptimizer defaults
  float learning_rate = 0.001F;
  float beta1 = 0.9F;
  float beta2 = 0.999F;
  float epsilon = 1e-8F;
};

// Adam (Kingma & Ba, 2015) exactly as TensorFlow 1.x implements it. For each parameter w with
// gradient g, at step t = 1, 2, ...:
//   m <- beta1 m + (1 - beta1) g          running mean of g       (first moment)
//   v <- beta2 v + (1 - beta2) g^2        running mean of g^2     (second moment)
//   lr_t = lr sqrt(1 - beta2^t) / (1 - beta1^t)   (corrects m and v for starting at zero)
//   w <- w - lr_t m / (sqrt(v) + epsilon)
// Dividing by sqrt(v) makes the step size roughly lr whatever the gradient's scale: this is
// why a network whose early layers get tiny gradients still moves them, and why the
// vanishing-gradient lesson looks at gradients rather than at the updates.
class Adam final : public Optimizer {
 public:
  Adam(std::vector<autodiff::Var> parameters, const AdamOptions& options = {});
  void step() override;
  [[nodiscard]] long steps() const { return t_; }

 private:
  std::vector<autodiff::Var> params_;
  AdamOptions opt_;
  std::vector<std::vector<float>> m_, v_;
  long t_ = 0;
  double beta1_power_ = 1.0, beta2_power_ = 1.0;
};

}  // namespace gradflow::nn
