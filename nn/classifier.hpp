#pragma once
// A classifier's training graph, built once and replayed every step.
//
//   x [batch x inputs] -> Mlp -> logits [batch x classes]
//   loss = softmax_cross_entropy(logits, one_hot(labels))       (mean over the batch)
//
// train_step() copies a batch into the input nodes, replays forward, runs backward and lets
// the optimizer update the parameters in place. Nothing is added to the graph after
// construction, so memory stays flat however long training runs.

#include <cstdint>
#include <memory>
#include <span>

#include "autodiff/graph.hpp"
#include "nn/mlp.hpp"
#include "nn/optimizer.hpp"

namespace gradflow::nn {

enum class OptimizerKind { adam, sgd };

struct TrainingOptions {
  int batch_size = 30;
  std::uint64_t seed = 1;  // seeds the initial weights
  OptimizerKind optimizer = OptimizerKind::adam;
  AdamOptions adam;                // used when optimizer == adam (lr kAdamLearningRate by default)
  float sgd_learning_rate = 0.1F;  // used when optimizer == sgd
};

struct StepResult {
  float loss = 0;      // the batch's loss before the update
  float accuracy = 0;  // the fraction of the batch classified correctly before the update
};

class Classifier {
 public:
  Classifier(const MlpSpec& spec, const TrainingOptions& options);
  Classifier(const Classifier&) = delete;  // Vars point into graph_: it must not move
  Classifier& operator=(const Classifier&) = delete;

  // The input node's own buffer, sized for `rows` images: a data loader that writes the next
  // batch here saves train_step a copy (it sees the images are already in place).
  std::span<float> input_batch(int rows);
  // One step on a batch: images row-major [n x inputs] in any range, labels in [0, classes).
  // A NaN or infinity anywhere in the step (forward, backward or the update) throws
  // autodiff::NonFiniteError starting "training step N: " (N from 0) and naming where.
  StepResult train_step(std::span<const float> images, std::span<const std::uint8_t> labels);
  // Forward and backward on a batch without updating anything: the graph then holds that
  // step's values and gradients (for diagrams and inspection).
  StepResult compute_gradients(std::span<const float> images, std::span<const std::uint8_t> labels);
  // Fraction classified correctly, evaluated `chunk` samples at a time (no training).
  float evaluate(std::span<const float> images, std::span<const std::uint8_t> labels, int chunk = 1000);

  [[nodiscard]] autodiff::Graph& graph() { return graph_; }
  [[nodiscard]] Mlp& mlp() { return *mlp_; }
  [[nodiscard]] const Mlp& mlp() const { return *mlp_; }
  [[nodiscard]] autodiff::Var input() const { return x_; }
  [[nodiscard]] autodiff::Var labels() const { return labels_; }
  [[nodiscard]] autodiff::Var logits() const { return logits_; }
  [[nodiscard]] autodiff::Var loss() const { return loss_; }
  [[nodiscard]] long steps() const { return optimizer_->steps(); }  // training steps taken

 private:
  void load_batch(std::span<const float> images, std::span<const std::uint8_t> labels);

  autodiff::Graph graph_;
  std::unique_ptr<Mlp> mlp_;
  autodiff::Var x_, labels_, logits_, loss_;
  std::unique_ptr<Optimizer> optimizer_;
};

}  // namespace gradflow::nn
