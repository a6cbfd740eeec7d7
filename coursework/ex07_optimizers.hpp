#pragma once
// Exercise 07: two optimizers, SGD with momentum and RMSProp. You write their constructors and
// step() in coursework/ex07_optimizers.cpp. Both follow PyTorch's formulas; for each parameter w
// with gradient g (from the last backward pass), at every step:
//
// SGD with momentum (torch.optim.SGD, dampening 0, no Nesterov), velocity v starting at 0:
//   v <- momentum v + g
//   w <- w - lr v
//
// RMSProp (torch.optim.RMSprop), running mean square s starting at 0:
//   s <- rho s + (1 - rho) g^2
//   w <- w - lr g / (sqrt(s) + eps)          eps OUTSIDE the square root
//
// Where eps goes matters for small gradients. With g = 1e-9, rho = 0.9 after one step
// s = 1e-19 and sqrt(s) = 3.2e-10: outside, the step is lr * 1e-9 / (3.2e-10 + 1e-8) = 0.097 lr;
// written sqrt(s + eps) it is lr * 1e-9 / 1e-4 = 1e-5 lr, ten thousand times smaller. The tests
// check both the step size and the formula at such gradients.
//
// Keep one state vector per parameter (allocated once, in the constructor) and compute in float
// like the rest of gradflow.

#include <vector>

#include "autodiff/graph.hpp"
#include "nn/optimizer.hpp"

namespace gradflow::coursework {

struct MomentumOptions {
  float learning_rate = 0.01F;
  float momentum = 0.9F;
};

class SgdMomentum final : public nn::Optimizer {
 public:
  SgdMomentum(std::vector<autodiff::Var> parameters, const MomentumOptions& options = {});
  void step() override;

 private:
  std::vector<autodiff::Var> params_;
  MomentumOptions opt_;
  std::vector<std::vector<float>> velocity_;  // one per parameter, like its value
};

struct RmsPropOptions {
  float learning_rate = 0.01F;
  float rho = 0.9F;  // PyTorch calls it alpha
  float epsilon = 1e-8F;
};

class RmsProp final : public nn::Optimizer {
 public:
  RmsProp(std::vector<autodiff::Var> parameters, const RmsPropOptions& options = {});
  void step() override;

 private:
  std::vector<autodiff::Var> params_;
  RmsPropOptions opt_;
  std::vector<std::vector<float>> mean_square_;  // one per parameter, like its value
};

}  // namespace gradflow::coursework
