#pragma once
// Optimizers update parameters in place from the gradients the last backward pass left in
// them. They keep their own per-parameter state (Adam's moments) and allocate it once.

#include <string>
#include <vector>

#include "autodiff/graph.hpp"

namespace gradflow::nn {

// Adam's learning rate, TensorFlow 1.x's tf.train.AdamOptimizer default and the founding post's.
inline constexpr float kAdamLearningRate = 0.001F;

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  // One update of every parameter from its current gradient. Afterwards every updated value is
  // checked: a NaN or infinity throws autodiff::NonFiniteError naming the optimizer, the step
  // number, the parameter, the element and its gradient, so a blow-up is caught in the step
  // that caused it rather than blamed on the next op that reads the parameter.
  virtual void step() = 0;
  // How many steps have been taken.
  [[nodiscard]] long steps() const { return steps_; }

 protected:
  // Counts the step; call at the start of step().
  void begin_step() { ++steps_; }
  // Throws NonFiniteError if the parameter's value is no longer finite after this step.
  void check_updated(const autodiff::Var& parameter, std::string_view who) const;

 private:
  long steps_ = 0;
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
  float learning_rate = kAdamLearningRate;
  float beta1 = 0.9F;
  float beta2 = 0.999F;
  float epsilon = 1e-8F;
};
// "adam(lr=0.001, beta1=0.9, beta2=0.999, epsilon=1e-08)": the settings, formatted from the values.
std::string describe(const AdamOptions& options);

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

 private:
  std::vector<autodiff::Var> params_;
  AdamOptions opt_;
  std::vector<std::vector<float>> m_, v_;
  double beta1_power_ = 1.0, beta2_power_ = 1.0;
};

}  // namespace gradflow::nn
