#pragma once
// Lesson 05's experiment: train the founding post's network once per activation and seed,
// recording the gradient flow, then summarise each scenario over its seeds.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "mnist/dataset.hpp"
#include "nn/classifier.hpp"
#include "nn/monitor.hpp"

namespace gradflow::lessons::lesson05 {

struct Settings {
  std::vector<std::string> activations = {"sigmoid", "relu", "leaky_relu"};
  int seeds = 3;  // runs per activation, with seeds first_seed, first_seed + 1, ...
  std::uint64_t first_seed = 1;
  int iterations = 2500;
  int batch = 30;
  int hidden = 10;  // units per hidden layer
  int layers = 6;   // weight layers: layers - 1 hidden ones and the output layer
  int log_every = 200;
  float alpha = 0.2F;  // leaky_relu slope: TensorFlow's default, not the post's 0.01
  nn::Init init = nn::Init::glorot_uniform;
  int histogram_bins = 30;
};

// One logged step: the batch's loss and accuracy, and the monitor's per-layer record.
struct LogPoint {
  long step = 0;
  float loss = 0;
  float accuracy = 0;
  nn::GradientRecord gradients;
};

struct Run {
  std::string scenario;
  std::uint64_t seed = 0;
  std::vector<LogPoint> log;
  float validation_accuracy = 0;
  float test_accuracy = 0;
  double seconds = 0;
  // The trained model; its graph holds the values and gradients of one more (un-applied)
  // training step, for the diagrams. Callers drop it when they do not need it.
  std::shared_ptr<nn::Classifier> model;
};

// Mean and sample standard deviation over seeds.
struct Stat {
  double mean = 0;
  double std = 0;
};
Stat stat_of(const std::vector<double>& values);

struct ScenarioSummary {
  std::string scenario;
  int runs = 0;
  Stat test_accuracy;
  Stat final_train_accuracy;  // the last logged batch accuracy
  // Ratios of per-layer means, each layer's mean taken over the logged steps first.
  Stat kernel_ratio_last_first;            // mean |dL/dW| of the last layer / the first
  Stat kernel_ratio_last_second;           // ... / layer 2 (free of layer 1's zero-pixel dilution)
  Stat bias_ratio_last_first;              // mean |dL/db| of the last layer / the first
  std::vector<Stat> mean_abs_kernel_grad;  // per layer, over logged steps then seeds
  std::vector<Stat> mean_abs_bias_grad;
  std::vector<Stat> mean_abs_kernel;  // mean |W| per layer
};

// Runs one scenario and seed. `on_log` is called at every logged step (for progress output).
Run run_one(const Settings& settings, const mnist::DataSets& data, const std::string& scenario, std::uint64_t seed,
            const std::function<void(const Run&, const LogPoint&)>& on_log);

// Runs every scenario x seed, `jobs` runs at a time on their own threads (the runs share
// nothing but the read-only data, and each has its own seeded generators, so the results do
// not depend on `jobs`). `report` is called on the calling thread for each finished run, in
// scenario-then-seed order, with the lines that run logged; it may keep or drop run.model.
std::vector<Run> run_all(const Settings& settings, const mnist::DataSets& data, int jobs,
                         const std::function<void(Run& run, const std::string& log)>& report);

ScenarioSummary summarise(const std::string& scenario, const std::vector<Run>& runs);

// The post's three claims, judged on this run's numbers.
struct Verdict {
  std::string claim;
  std::string measured;
  std::string verdict;  // "holds", "does not hold", or "not tested (scenario missing)"
};
std::vector<Verdict> judge_claims(const std::vector<ScenarioSummary>& summaries);

nn::MlpSpec network_spec(const Settings& settings, nn::Activation activation);

}  // namespace gradflow::lessons::lesson05
