#pragma once
// `--optimizer adam|sgd` and `--lr X`, the same on every training lesson.
//
//   gl::OptimizerFlags opt;                       // Adam, lr nn::kAdamLearningRate
//   gl::add_optimizer_flags(flags, opt, "the training runs'");
//   if (!flags.parse(argc, argv)) return 0;
//   gl::resolve_optimizer_flags(flags, opt);      // checks the name; SGD without --lr: 0.1
//   nn::TrainingOptions options;  gl::apply(opt, options);
//
// Header-only: the lesson runtime does not link nn/, the lessons do.
#include <fmt/format.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lessons/runtime/flags.hpp"
#include "nn/classifier.hpp"
#include "nn/optimizer.hpp"

namespace gradflow::lessons {

struct OptimizerFlags {
  std::string name = "adam";         // "adam" or "sgd"
  float lr = nn::kAdamLearningRate;  // the learning rate actually used
  [[nodiscard]] bool is_adam() const { return name == "adam"; }
  // The lesson's defaults (Adam at TensorFlow 1.x's 0.001): a run that moves away from them is
  // a run away from the settings the lesson's claims are about.
  [[nodiscard]] bool is_default() const { return is_adam() && lr == nn::kAdamLearningRate; }
  // "adam(lr=0.001, beta1=0.9, beta2=0.999, epsilon=1e-08)" or "sgd(lr=0.1)".
  [[nodiscard]] std::string describe() const {
    if (!is_adam()) return fmt::format("sgd(lr={})", lr);
    nn::AdamOptions adam;
    adam.learning_rate = lr;
    return nn::describe(adam);
  }
  // "--optimizer sgd, --lr 0.5 (the lesson: Adam, lr 0.001)" for the settings note.
  [[nodiscard]] std::string difference() const {
    std::vector<std::string> parts;
    if (!is_adam()) parts.push_back(fmt::format("--optimizer {}", name));
    if (!is_adam() || lr != nn::kAdamLearningRate) parts.push_back(fmt::format("--lr {}", lr));
    return fmt::format("{} (the lesson's claims: Adam, lr {})", fmt::join(parts, ", "), nn::kAdamLearningRate);
  }
};

// Plain SGD's learning rate when --optimizer sgd is given without --lr: nn::TrainingOptions'.
inline float default_sgd_lr() { return nn::TrainingOptions{}.sgd_learning_rate; }

// `whose` names what the flags train, e.g. "every run's".
inline void add_optimizer_flags(Flags& flags, OptimizerFlags& o, std::string_view whose) {
  flags.add_string("optimizer", &o.name, fmt::format("{} optimizer: adam or sgd", whose), "NAME");
  flags.add_float("lr", &o.lr,
                  fmt::format("{} learning rate (with --optimizer sgd and no --lr: {})", whose, default_sgd_lr()),
                  1e-9F, 100.0F);
}

// After parse(): refuses an unknown optimizer (exit 2 naming --optimizer) and gives plain SGD
// its own default learning rate when --lr was not given (Adam's 0.001 would barely move SGD).
inline void resolve_optimizer_flags(const Flags& flags, OptimizerFlags& o) {
  if (o.name != "adam" && o.name != "sgd")
    throw UsageError(fmt::format("--optimizer: '{}' is not adam or sgd", o.name), flags.usage());
  if (!o.is_adam() && !flags.given("lr")) o.lr = default_sgd_lr();
}

inline void apply(const OptimizerFlags& o, nn::TrainingOptions& options) {
  options.optimizer = o.is_adam() ? nn::OptimizerKind::adam : nn::OptimizerKind::sgd;
  options.adam.learning_rate = o.lr;
  options.sgd_learning_rate = o.lr;
}

// An optimizer over `parameters` (for lessons with their own training loop).
inline std::unique_ptr<nn::Optimizer> make_optimizer(const OptimizerFlags& o, std::vector<autodiff::Var> parameters) {
  if (!o.is_adam()) return std::make_unique<nn::Sgd>(std::move(parameters), o.lr);
  nn::AdamOptions adam;
  adam.learning_rate = o.lr;
  return std::make_unique<nn::Adam>(std::move(parameters), adam);
}

}  // namespace gradflow::lessons
