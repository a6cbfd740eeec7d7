#include "nn/classifier.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "autodiff/autodiff.hpp"
#include "nn/metrics.hpp"

namespace gradflow::nn {

using autodiff::Tensor;

Classifier::Classifier(const MlpSpec& spec, const TrainingOptions& options) {
  validate(spec);
  if (options.batch_size <= 0) {
    throw std::invalid_argument(fmt::format("classifier: batch size must be positive, got {}", options.batch_size));
  }
  Rng rng(options.seed);
  mlp_ = std::make_unique<Mlp>(graph_, spec, rng);
  x_ = graph_.input("x", Tensor({options.batch_size, spec.inputs}));
  // Start from a valid one-hot batch (class 0 everywhere) so the eager forward is well defined.
  Tensor first_labels({options.batch_size, spec.outputs});
  for (int r = 0; r < options.batch_size; ++r) first_labels(r, 0) = 1.0F;
  labels_ = graph_.input("labels", std::move(first_labels));
  logits_ = (*mlp_)(x_);
  loss_ = autodiff::ops::softmax_cross_entropy(logits_, labels_);
  if (options.optimizer == OptimizerKind::adam) {
    optimizer_ = std::make_unique<Adam>(mlp_->parameters(), options.adam);
  } else {
    optimizer_ = std::make_unique<Sgd>(mlp_->parameters(), options.sgd_learning_rate);
  }
}

std::span<float> Classifier::input_batch(int rows) {
  if (rows <= 0) throw std::invalid_argument(fmt::format("classifier: batch of {} rows", rows));
  Tensor& x = graph_.input_value(x_);
  x.resize({rows, mlp_->spec().inputs});
  return x.values();
}

void Classifier::load_batch(std::span<const float> images, std::span<const std::uint8_t> labels) {
  const int inputs = mlp_->spec().inputs;
  const int classes = mlp_->spec().outputs;
  if (labels.empty()) throw std::invalid_argument("classifier: empty batch");
  if (images.size() != labels.size() * static_cast<std::size_t>(inputs)) {
    throw std::invalid_argument(fmt::format("classifier: {} labels need {} x {} = {} pixel values, got {}",
                                            labels.size(), labels.size(), inputs, labels.size() * inputs,
                                            images.size()));
  }
  const auto rows = static_cast<int>(labels.size());
  Tensor& x = graph_.input_value(x_);
  x.resize({rows, inputs});
  if (images.data() != x.data()) std::copy(images.begin(), images.end(), x.data());
  Tensor& t = graph_.input_value(labels_);
  t.resize({rows, classes});
  t.fill(0.0F);
  for (int r = 0; r < rows; ++r) {
    const int label = labels[static_cast<std::size_t>(r)];
    if (label >= classes) {
      throw std::invalid_argument(fmt::format("classifier: label {} of sample {} is not below {}", label, r, classes));
    }
    t(r, label) = 1.0F;
  }
}

StepResult Classifier::compute_gradients(std::span<const float> images, std::span<const std::uint8_t> labels) {
  load_batch(images, labels);
  graph_.forward();
  StepResult result{loss_.value().item(), accuracy(logits_.value(), labels)};
  graph_.backward(loss_);
  return result;
}

StepResult Classifier::train_step(std::span<const float> images, std::span<const std::uint8_t> labels) {
  // steps() counts the updates so far: this is training step steps() (from 0, as in scalars.csv).
  const long step = optimizer_->steps();
  try {
    const StepResult result = compute_gradients(images, labels);
    optimizer_->step();
    return result;
  } catch (const autodiff::NonFiniteError& e) {
    throw autodiff::NonFiniteError(fmt::format("training step {}: {}", step, e.what()));
  }
}

float Classifier::evaluate(std::span<const float> images, std::span<const std::uint8_t> labels, int chunk) {
  if (chunk <= 0) throw std::invalid_argument("classifier: evaluation chunk must be positive");
  const auto inputs = static_cast<std::size_t>(mlp_->spec().inputs);
  if (images.size() != labels.size() * inputs) {
    throw std::invalid_argument(fmt::format("classifier: {} labels need {} pixel values, got {}", labels.size(),
                                            labels.size() * inputs, images.size()));
  }
  std::size_t correct = 0;
  for (std::size_t start = 0; start < labels.size(); start += static_cast<std::size_t>(chunk)) {
    const std::size_t n = std::min(static_cast<std::size_t>(chunk), labels.size() - start);
    const auto batch_labels = labels.subspan(start, n);
    load_batch(images.subspan(start * inputs, n * inputs), batch_labels);
    graph_.forward();
    correct += static_cast<std::size_t>(std::lround(accuracy(logits_.value(), batch_labels) * static_cast<float>(n)));
  }
  return labels.empty() ? 0.0F : static_cast<float>(correct) / static_cast<float>(labels.size());
}

}  // namespace gradflow::nn
