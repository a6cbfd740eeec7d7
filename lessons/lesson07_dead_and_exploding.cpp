// Lesson 07: dead ReLUs and exploding gradients.
//
// Goal: watch two ways training breaks, and the fix for each.
//  * Dead units. A ReLU unit whose pre-activation z is <= 0 for every input outputs 0 and, since
//    relu'(z) = 0 there, receives no gradient: nothing moves its weights again, it is dead. A
//    large learning rate (one big step can push a unit's bias and weights far negative) or a
//    negative bias initialisation kills units. We train the flagship network of lesson 05
//    (784 -> 10 x5 -> 10) with Adam at several learning rates and with a negative initial bias,
//    and probe, every few hundred steps, the fraction of units that output 0 for every one of
//    1,000 validation images. Leaky ReLU, f(z) = z for z > 0 and alpha z otherwise, passes
//    alpha * dy where z <= 0, so its units cannot die; we run it under the same settings.
//  * Exploding gradients. With N(0, 1) weights every ReLU layer multiplies the signal's scale by
//    about sqrt(fan_in / 2) forward and backward, so a deep net starts with an enormous
//    gradient; one SGD step then throws the weights so far that the next forward pass overflows
//    float32. The engine's NaN check names the first node whose value became non-finite (its op
//    and its layer). Clipping the gradient by its global norm (nn/clip.hpp) bounds every step,
//    and the same seed then trains to a finite loss.
//
// Run it:
//   build/bin/lesson07_dead_and_exploding            # writes out/lesson07_dead_and_exploding
//   build/bin/lesson07_dead_and_exploding --seeds 5 --jobs 2
//   build/bin/lesson07_dead_and_exploding --clip-norm 1e30   # a cap that never bites: see the claim fail
//   build/bin/lesson07_dead_and_exploding --optimizer sgd    # the sweep with plain SGD (no --lr: it is swept)
//   build/bin/lesson07_dead_and_exploding --tensorboard runs/lesson07   # + TensorBoard event files
// Then open out/lesson07_dead_and_exploding/index.html; docs/lessons/07-dead-and-exploding.md
// explains every figure.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <regex>

#include "autodiff/errors.hpp"
#include "lessons/runtime/lesson_runtime.hpp"
#include "lessons/runtime/optimizer_flags.hpp"
#include "lessons/runtime/parallel.hpp"
#include "lessons/runtime/report.hpp"
#include "lessons/runtime/seed_verdict.hpp"
#include "lessons/runtime/stats.hpp"
#include "lessons/runtime/training_log.hpp"
#include "mnist/dataset.hpp"
#include "nn/classifier.hpp"
#include "nn/clip.hpp"
#include "nn/dead_units.hpp"

namespace gl = gradflow::lessons;
namespace nn = gradflow::nn;
namespace fig = gradflow::lessons::figures;

namespace {

struct Settings {
  std::vector<double> learning_rates = {1e-3, 1e-2, 5e-2, 1e-1};
  double negative_bias = -1.0;  // the bias-initialisation scenario (at the smallest learning rate)
  int steps = 2500;             // the flagship's 2500 Adam steps of batch 30
  int batch = 30;
  int probe_every = 250;
  int probe_images = 1000;
  int seeds = 3;
  std::uint64_t first_seed = 1;
  float alpha = nn::kLeakyReluAlpha;  // leaky ReLU's slope (TensorFlow's default)
  // The exploding part.
  int explode_depth = 8;
  int explode_width = 32;
  double explode_lr = 0.1;
  int explode_steps = 300;
  double clip_norm = 1.0;
  int jobs = gl::default_jobs();
  // --optimizer: the dead-unit sweep's optimizer (its learning rates are --learning-rates).
  gl::OptimizerFlags optimizer;
  std::filesystem::path tensorboard;  // --tensorboard DIR (empty: none)
};

// ---- Part A: dead units ---------------------------------------------------------------------
struct Scenario {
  std::string name;  // "lr 0.05", "bias -1"
  std::string activation;
  double learning_rate = 0;
  double bias = 0;
};

// A training step of the dead-unit sweep as scalars.csv / TensorBoard log it (every probe_every
// steps): the batch's loss and accuracy, per weight layer mean |dL/dW| and |dL/db|, and with
// --tensorboard the raw dL/dW and W for histograms.
struct StepLog {
  long step = 0;
  double loss = 0, accuracy = 0;
  std::vector<double> kernel_grad, bias_grad;
  std::vector<std::vector<float>> kernel_grads, kernel_values;
};

struct DeadRun {
  Scenario scenario;
  std::uint64_t seed = 0;
  std::vector<long> probe_steps;
  std::vector<std::vector<float>> never_positive;  // per probe: per hidden layer
  std::vector<float> zero_gradient_units;          // per hidden layer, at the end: units whose dL/dW column is all 0
  double test_accuracy = 0;
  std::vector<StepLog> log;
};

// The scalars.csv / TensorBoard scenario name of a dead-unit scenario, safe as a folder name:
// "relu_lr0.01", "leaky_relu_bias-1_lr0.001".
std::string log_scenario(const Scenario& sc) {
  return sc.bias != 0.0 ? fmt::format("{}_bias{:g}_lr{:g}", sc.activation, sc.bias, sc.learning_rate)
                        : fmt::format("{}_lr{:g}", sc.activation, sc.learning_rate);
}

// The fraction of a kernel's columns (one per unit) whose gradient is exactly zero: for a
// ReLU unit that is never positive on the batch, dL/dW_col = x^T (dy * relu'(z)) = 0.
float zero_gradient_columns(const gradflow::autodiff::Tensor& dW) {
  int zero = 0;
  for (int u = 0; u < dW.cols(); ++u) {
    bool all_zero = true;
    for (int r = 0; r < dW.rows() && all_zero; ++r) all_zero = dW(r, u) == 0.0F;
    zero += all_zero ? 1 : 0;
  }
  return static_cast<float>(zero) / static_cast<float>(dW.cols());
}

DeadRun train_and_probe(const Settings& s, const Scenario& sc, std::uint64_t seed,
                        const gradflow::mnist::DataSets& data) {
  // Step A1: the flagship network, with the scenario's learning rate and initial bias.
  nn::MlpSpec spec{784,     {10, 10, 10, 10, 10},    10, nn::parse_activation(sc.activation),
                   s.alpha, nn::Init::glorot_uniform};
  nn::TrainingOptions options;
  options.batch_size = s.batch;
  options.seed = seed;
  gl::OptimizerFlags optimizer = s.optimizer;  // Adam unless --optimizer sgd, at the scenario's rate
  optimizer.lr = static_cast<float>(sc.learning_rate);
  gl::apply(optimizer, options);
  nn::Classifier net(spec, options);
  auto& layers = net.mlp().layers();
  for (std::size_t l = 0; l + 1 < layers.size(); ++l)
    layers[l].bias().mutable_value().fill(static_cast<float>(sc.bias));
  net.graph().set_check_finite(false);  // a diverging run is a result here

  // Step A2: train, probing the fixed probe set every probe_every steps.
  const auto n_probe = std::min(data.validation.size(), static_cast<std::size_t>(s.probe_images));
  const std::vector<float> probe_images = data.validation.images_as_floats(0, n_probe);  // bytes / 255
  const auto probe_labels = std::span(data.validation.labels).first(n_probe);
  gradflow::mnist::BatchSampler batches(data.train, static_cast<std::size_t>(s.batch), seed);
  std::vector<std::uint8_t> labels(static_cast<std::size_t>(s.batch));
  DeadRun run{sc, seed, {}, {}, {}, 0, {}};
  for (int step = 0; step <= s.steps; ++step) {
    if (step % s.probe_every == 0 || step == s.steps) {
      run.probe_steps.push_back(step);
      run.never_positive.push_back(nn::probe_never_positive(net, probe_images, probe_labels));
    }
    if (step == s.steps) break;
    batches.next_batch(net.input_batch(s.batch), labels);
    std::vector<std::vector<float>> kernels;  // W as this step's forward pass uses it
    const bool logged = step % s.probe_every == 0;
    if (logged && !s.tensorboard.empty())
      for (const auto& layer : layers)
        kernels.emplace_back(layer.kernel().value().values().begin(), layer.kernel().value().values().end());
    const nn::StepResult r = net.train_step(net.input().value().values(), labels);
    if (!logged) continue;
    // The graph still holds this step's gradients (the update changed only the values).
    StepLog point{step, r.loss, r.accuracy, {}, {}, {}, std::move(kernels)};
    for (const auto& layer : layers) {
      point.kernel_grad.push_back(gradflow::autodiff::mean_abs(layer.kernel().grad()));
      point.bias_grad.push_back(gradflow::autodiff::mean_abs(layer.bias().grad()));
      if (!s.tensorboard.empty()) {
        const auto grad = layer.kernel().grad().values();
        point.kernel_grads.emplace_back(grad.begin(), grad.end());
      }
    }
    run.log.push_back(std::move(point));
  }
  // Step A3: one backward pass over the probe set: which units get no gradient at all?
  net.compute_gradients(probe_images, probe_labels);
  for (std::size_t l = 0; l + 1 < layers.size(); ++l) {
    run.zero_gradient_units.push_back(zero_gradient_columns(layers[l].kernel().grad()));
  }
  run.test_accuracy = gradflow::mnist::evaluate_split(net, data.test);
  return run;
}

double mean_of(const std::vector<float>& v) {
  double s = 0;
  for (float x : v) s += x;
  return v.empty() ? 0.0 : s / static_cast<double>(v.size());
}

// ---- Part B: exploding gradients -------------------------------------------------------------
struct ExplodeRun {
  bool clipped = false;
  std::vector<double> norm;  // global gradient norm per step (before clipping)
  std::vector<double> loss;  // per step
  int failed_step = -1;      // the step at which the NaN check fired, -1 if never
  std::string error, op, layer;
  double test_accuracy = 0;
};

ExplodeRun train_deep(const Settings& s, bool clip, std::uint64_t seed, const gradflow::mnist::DataSets& data) {
  // Step B1: a deep ReLU net with N(0, 1) weights, plain SGD.
  nn::MlpSpec spec{784,     std::vector<int>(static_cast<std::size_t>(s.explode_depth), s.explode_width),
                   10,      nn::Activation::relu,
                   s.alpha, nn::Init::normal_1};
  nn::TrainingOptions options;
  options.batch_size = s.batch;
  options.seed = seed;
  nn::Classifier net(spec, options);  // the engine's NaN check is on by default
  const auto params = net.mlp().parameters();
  nn::Sgd sgd(params, static_cast<float>(s.explode_lr));
  gradflow::mnist::BatchSampler batches(data.train, static_cast<std::size_t>(s.batch), seed);
  std::vector<std::uint8_t> labels(static_cast<std::size_t>(s.batch));
  ExplodeRun run;
  run.clipped = clip;
  for (int step = 0; step < s.explode_steps; ++step) {
    batches.next_batch(net.input_batch(s.batch), labels);
    try {
      const auto result = net.compute_gradients(net.input().value().values(), labels);
      // Step B2: the global norm of the gradient, and (in the fixed run) clipping by it.
      run.norm.push_back(clip ? nn::clip_by_global_norm(params, s.clip_norm) : nn::global_norm(params));
      run.loss.push_back(result.loss);
      sgd.step();
    } catch (const gradflow::autodiff::NonFiniteError& e) {
      // Step B3: the engine stopped at the first non-finite value and named its node. The node
      // name ("layer3/matmul") is the graph's own: look it up for the op and the layer.
      run.failed_step = step;
      run.error = e.what();
      std::smatch m;
      if (std::regex_search(run.error, m, std::regex("'([^']+)'"))) {
        const auto node = net.graph().find(m[1].str());
        run.op = node.node().op ? std::string(node.node().op->name()) : std::string(to_string(node.node().kind));
        run.layer = std::string(node.node().scope());
      }
      break;
    }
  }
  net.graph().set_check_finite(false);
  if (run.failed_step < 0) run.test_accuracy = gradflow::mnist::evaluate_split(net, data.test);
  return run;
}

std::string lr_text(double lr) { return fmt::format("{:g}", lr); }

int lesson(int argc, char** argv) {
  Settings s;
  gl::CommonOptions common;
  std::vector<std::string> lrs;
  for (double lr : s.learning_rates) lrs.push_back(lr_text(lr));
  gl::Flags flags("lesson07_dead_and_exploding",
                  "Dead ReLU units under large learning rates and negative biases, leaky ReLU as the contrast; an "
                  "exploding gradient located by the NaN check and fixed by clipping.");
  gl::add_common_flags(flags, common, "lesson07_dead_and_exploding", /*uses_data=*/true);
  flags.add_list("learning-rates", &lrs,
                 "learning rates of the dead-unit sweep (this lesson's --lr: the learning rate is what it sweeps)",
                 {"0.0001", "0.0003", "0.001", "0.003", "0.01", "0.03", "0.05", "0.1", "0.3"});
  flags.add_double("negative-bias", &s.negative_bias, "initial bias of the bias scenario", -100.0, 0.0);
  flags.add_int("steps", &s.steps, "training steps per dead-unit run", 1, 1'000'000);
  flags.add_int("probe-every", &s.probe_every, "probe the dead units every N steps", 1, 1'000'000);
  flags.add_int("probe-images", &s.probe_images, "validation images in the probe set", 1, 5000);
  flags.add_int("seeds", &s.seeds, "runs per scenario (seeds --seed, --seed + 1, ...)", 1, 100);
  flags.add_float("alpha", &s.alpha, "leaky ReLU's slope for z < 0", 0.0F, 1.0F);
  flags.add_int("explode-depth", &s.explode_depth, "hidden layers of the exploding net", 1, 100);
  flags.add_double("explode-lr", &s.explode_lr, "SGD learning rate of the exploding net", 1e-9, 100.0);
  flags.add_int("explode-steps", &s.explode_steps, "SGD steps of the exploding net", 1, 1'000'000);
  flags.add_double("clip-norm", &s.clip_norm, "clip the gradient's global norm to this", 1e-9, 1e300);
  flags.add_int("jobs", &s.jobs, "runs in parallel (default: one per core); results do not depend on it", 1,
                gl::kMaxJobs);
  flags.add_string("optimizer", &s.optimizer.name,
                   "the dead-unit sweep's optimizer, adam or sgd, at each of --learning-rates (the exploding net "
                   "always runs plain SGD at --explode-lr)",
                   "NAME");
  flags.add_path("tensorboard", &s.tensorboard,
                 "also write TensorBoard event files, one run folder per scenario and seed "
                 "(DIR/relu_lr0.01/seed1/, DIR/explode_plain/seed1/, ...); view them with tensorboard --logdir DIR",
                 "DIR");
  // Every other training lesson takes --lr; here the learning rate is the thing swept, so one
  // --lr would be ambiguous: refuse it and say which flag sets what.
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--lr" || arg.starts_with("--lr="))
      throw gl::UsageError(
          "--lr: lesson 07 sweeps the learning rate, so it takes no single --lr; set the dead-unit sweep's rates "
          "with --learning-rates (e.g. --learning-rates 0.001,0.1) and the exploding net's with --explode-lr",
          flags.usage());
  }
  if (!flags.parse(argc, argv)) return 0;
  if (s.optimizer.name != "adam" && s.optimizer.name != "sgd")
    throw gl::UsageError(fmt::format("--optimizer: '{}' is not adam or sgd", s.optimizer.name), flags.usage());
  s.first_seed = common.seed;
  s.learning_rates.clear();
  for (const auto& t : lrs) s.learning_rates.push_back(std::stod(t));
  std::sort(s.learning_rates.begin(), s.learning_rates.end());
  s.learning_rates.erase(std::unique(s.learning_rates.begin(), s.learning_rates.end()), s.learning_rates.end());
  if (common.quick) {
    s.steps = std::min(s.steps, 200);
    s.probe_every = std::min(s.probe_every, 100);
    s.probe_images = std::min(s.probe_images, 200);
    s.seeds = std::min(s.seeds, 2);
    s.explode_steps = std::min(s.explode_steps, 60);
  }
  // scalars.csv keeps the steps of every probe_every-th step: bound them so that a small
  // --probe-every cannot fill the disk.
  if (gl::logged_steps(s.steps, s.probe_every) > gl::kMaxLoggedSteps)
    throw gl::UsageError(fmt::format("--probe-every {}: {} steps would log {} steps per run, more than the {} a lesson "
                                     "keeps; use --probe-every {} or more",
                                     s.probe_every, s.steps, gl::logged_steps(s.steps, s.probe_every),
                                     gl::kMaxLoggedSteps, (s.steps + gl::kMaxLoggedSteps - 1) / gl::kMaxLoggedSteps),
                         flags.usage());
  const Settings defaults;

  gl::Report report({"07_dead_and_exploding", "Lesson 07: dead ReLUs and exploding gradients",
                     "Units that stop learning for good, gradients that overflow, and what fixes each."},
                    common);
  report.setting(
      "network (dead units)",
      fmt::format("784 -> 10 x5 -> 10, Glorot uniform, {}, batch 30", s.optimizer.is_adam() ? "Adam" : "SGD"),
      !s.optimizer.is_adam());
  report.setting("optimizer (dead units)", s.optimizer.name, !s.optimizer.is_adam());
  report.setting("learning rates", fmt::format("{}", fmt::join(lrs, ", ")),
                 s.learning_rates != defaults.learning_rates);
  report.setting("negative bias", s.negative_bias, s.negative_bias != defaults.negative_bias);
  report.setting("steps", s.steps, s.steps != defaults.steps);
  report.setting("probe", fmt::format("{} validation images, every {} steps", s.probe_images, s.probe_every),
                 s.probe_images != defaults.probe_images || s.probe_every != defaults.probe_every);
  report.setting("seeds", fmt::format("{} ({} .. {})", s.seeds, s.first_seed, s.first_seed + s.seeds - 1),
                 s.seeds != defaults.seeds);
  report.setting("leaky_relu alpha", s.alpha, s.alpha != defaults.alpha);
  report.setting("network (exploding)",
                 fmt::format("784 -> {} x{} -> 10, ReLU, N(0, 1) weights, SGD lr {:g}, {} steps, clip norm {:g}",
                             s.explode_width, s.explode_depth, s.explode_lr, s.explode_steps, s.clip_norm),
                 s.explode_depth != defaults.explode_depth || s.explode_lr != defaults.explode_lr ||
                     s.explode_steps != defaults.explode_steps || s.clip_norm != defaults.clip_norm);
  std::string dead_note, explode_note;
  if (s.steps != defaults.steps || s.probe_images != defaults.probe_images || s.seeds != defaults.seeds ||
      s.learning_rates != defaults.learning_rates || s.alpha != defaults.alpha ||
      s.negative_bias != defaults.negative_bias || !s.optimizer.is_adam()) {
    dead_note = fmt::format(
        "this run: {} steps, {} probe images, {} seed(s), {} at learning rates {}, alpha {:g}, bias {:g}; the "
        "lesson's defaults are 2500 steps, 1000 images, 3 seeds, Adam at 0.001 .. 0.1, alpha 0.2, bias -1",
        s.steps, s.probe_images, s.seeds, s.optimizer.is_adam() ? "Adam" : "SGD (--optimizer sgd)",
        fmt::join(lrs, ", "), s.alpha, s.negative_bias);
  }
  if (s.explode_depth != defaults.explode_depth || s.explode_lr != defaults.explode_lr ||
      s.explode_steps != defaults.explode_steps || s.clip_norm != defaults.clip_norm) {
    explode_note = fmt::format(
        "this run: depth {}, SGD lr {:g}, {} steps, clip norm {:g}; the lesson's defaults are "
        "depth 8, lr 0.1, 300 steps, clip norm 1",
        s.explode_depth, s.explode_lr, s.explode_steps, s.clip_norm);
  }

  // The probe set is the first validation images: TensorFlow's split holds the first 5,000
  // training images out (a --quick run on a small data folder holds out 50).
  const auto data = gradflow::mnist::read_data_sets(common.data, common.quick ? 50 : 5000);

  // ---- Part A ----------------------------------------------------------------------------------
  report.section("1. Dead units: a learning-rate sweep and a negative bias");
  report.text(fmt::format(
      "A unit is dead when its pre-activation is <= 0 for ALL {} probe images (the first validation images): it "
      "then outputs 0 and gets no gradient from any of them. A leaky ReLU unit in the same state still passes "
      "alpha = {:g} times the gradient, so we call it negative-side, not dead.",
      std::min<std::size_t>(data.validation.size(), static_cast<std::size_t>(s.probe_images)), s.alpha));
  std::vector<Scenario> scenarios;
  for (const std::string act : {"relu", "leaky_relu"}) {
    for (double lr : s.learning_rates) scenarios.push_back({"lr " + lr_text(lr), act, lr, 0.0});
    scenarios.push_back({fmt::format("bias {:g}, lr {}", s.negative_bias, lr_text(s.learning_rates.front())), act,
                         s.learning_rates.front(), s.negative_bias});
  }
  struct Job {
    std::size_t scenario;
    std::uint64_t seed;
  };
  std::vector<Job> jobs;
  for (std::size_t i = 0; i < scenarios.size(); ++i) {
    for (int k = 0; k < s.seeds; ++k) jobs.push_back({i, s.first_seed + static_cast<std::uint64_t>(k)});
  }
  // Every logged number goes to scalars.csv (and with --tensorboard to event files), one
  // scenario per activation and learning rate (and bias), in the order the runs were queued.
  gl::TrainingLog log(report.path("scalars.csv"),
                      s.tensorboard.empty() ? std::filesystem::path() : report.path("histograms.csv"));
  if (!s.tensorboard.empty()) log.set_sink(gl::make_tensorboard_sink(s.tensorboard));
  std::vector<DeadRun> runs;
  gl::run_parallel<DeadRun>(
      jobs.size(), s.jobs,
      [&](std::size_t i) { return train_and_probe(s, scenarios[jobs[i].scenario], jobs[i].seed, data); },
      [&](std::size_t, DeadRun& r) {
        const std::string name = log_scenario(r.scenario);
        for (StepLog& p : r.log) {
          log.scalar(name, r.seed, p.step, "loss", p.loss);
          log.scalar(name, r.seed, p.step, "acc", p.accuracy);
          for (std::size_t l = 0; l < p.kernel_grad.size(); ++l) {
            const int n = static_cast<int>(l) + 1;
            log.scalar(name, r.seed, p.step, fmt::format("mean_{}", n), p.kernel_grad[l]);
            log.scalar(name, r.seed, p.step, fmt::format("bias_mean_{}", n), p.bias_grad[l]);
            if (l < p.kernel_grads.size()) log.histogram_of(name, r.seed, p.step, n, "kernel_grad", p.kernel_grads[l]);
            if (l < p.kernel_values.size())
              log.histogram_of(name, r.seed, p.step, n, "kernel_value", p.kernel_values[l]);
          }
          p.kernel_grads = {};  // logged: the summaries need only the means
          p.kernel_values = {};
        }
        // ReLU: dead units; leaky ReLU: negative-side units (they still pass alpha times the gradient).
        const std::string kind = r.scenario.activation == "relu" ? "dead_" : "negative_side_";
        for (std::size_t k = 0; k < r.probe_steps.size(); ++k) {
          for (std::size_t l = 0; l < r.never_positive[k].size(); ++l)
            log.scalar(name, r.seed, r.probe_steps[k], fmt::format("{}{}", kind, l + 1), r.never_positive[k][l]);
        }
        runs.push_back(std::move(r));
      });
  auto runs_of = [&](const Scenario& sc) {
    std::vector<const DeadRun*> v;
    for (const auto& r : runs) {
      if (r.scenario.name == sc.name && r.scenario.activation == sc.activation) v.push_back(&r);
    }
    return v;
  };
  // Per scenario: final never-positive fraction (mean over hidden layers), test accuracy, over seeds.
  struct Summary {
    gl::Stats final_never_positive, accuracy, zero_gradient;
  };
  std::vector<Summary> summaries;
  gl::Table table{
      {"activation", "scenario", "dead / negative-side units at the end", "units with zero gradient", "test accuracy"},
      {},
      fmt::format("Mean over the 5 hidden layers and {} seed(s) (± std over seeds)", s.seeds)};
  nlohmann::json scen_json = nlohmann::json::array();
  for (const auto& sc : scenarios) {
    std::vector<double> np, acc, zg;
    for (const DeadRun* r : runs_of(sc)) {
      np.push_back(mean_of(r->never_positive.back()));
      acc.push_back(r->test_accuracy);
      zg.push_back(mean_of(r->zero_gradient_units));
    }
    summaries.push_back({gl::Stats::of(np), gl::Stats::of(acc), gl::Stats::of(zg)});
    const auto& su = summaries.back();
    table.rows.push_back({sc.activation, sc.name, gl::format_stats(su.final_never_positive, 1, 100, "%"),
                          gl::format_stats(su.zero_gradient, 1, 100, "%"), gl::format_stats(su.accuracy, 1, 100, "%")});
    nlohmann::json per_layer = nlohmann::json::array(), over_training = nlohmann::json::array();
    for (const DeadRun* r : runs_of(sc)) {
      per_layer.push_back(r->never_positive.back());
      over_training.push_back(r->never_positive);  // [probe][layer]
    }
    scen_json.push_back({{"activation", sc.activation},
                         {"scenario", sc.name},
                         {"learning_rate", sc.learning_rate},
                         {"bias", sc.bias},
                         {sc.activation == "relu" ? "dead_fraction" : "negative_side_fraction",
                          {su.final_never_positive.mean, su.final_never_positive.std}},
                         {"final_per_layer_by_seed", per_layer},
                         {"probe_steps", runs_of(sc).front()->probe_steps},
                         {"per_layer_over_training_by_seed", over_training},
                         {"zero_gradient_fraction", {su.zero_gradient.mean, su.zero_gradient.std}},
                         {"test_accuracy", {su.accuracy.mean, su.accuracy.std}}});
  }
  report.table(table);
  report.value("dead_units", scen_json);

  {
    fig::Figure f;
    f.name = "dead_fraction";
    f.title = "Units never positive on the probe set, during training (mean over hidden layers and seeds)";
    f.caption =
        "ReLU: these units are dead (no gradient from any probe image). Leaky ReLU: negative-side units, "
        "which still receive alpha times the gradient and so can come back.";
    for (const std::string act : {"relu", "leaky_relu"}) {
      fig::Panel& p = f.panels.emplace_back();
      p.title = act == "relu" ? "ReLU: dead units" : "leaky ReLU: negative-side units";
      p.x_label = "training step";
      p.y_label = "fraction of hidden units";
      p.y_min = 0;
      p.y_max = 1;
      p.legend = act == "relu" ? "center right" : "";
      std::size_t colour = 0;
      for (const auto& sc : scenarios) {
        if (sc.activation != act) continue;
        const auto rs = runs_of(sc);
        fig::Series series;
        series.title = sc.name;
        series.color = sc.bias != 0.0 ? "#000000" : gl::figures::sequential_color(colour++, s.learning_rates.size());
        for (std::size_t k = 0; k < rs.front()->probe_steps.size(); ++k) {
          std::vector<double> v;
          for (const DeadRun* r : rs) v.push_back(mean_of(r->never_positive[k]));
          const auto st = gl::Stats::of(v);
          series.x.push_back(static_cast<double>(rs.front()->probe_steps[k]));
          series.y.push_back(st.mean);
          series.lo.push_back(st.min);
          series.hi.push_back(st.max);
        }
        p.series.push_back(std::move(series));
      }
    }
    f.footnote = "band: min to max over seeds";
    report.figure(f);
  }
  {
    // The same probe, layer by layer: where in the network do ReLU units die?
    fig::Figure f;
    f.name = "dead_per_layer";
    f.title = "ReLU: dead units per hidden layer during training (mean over seeds)";
    f.caption =
        "One panel per ReLU scenario, one line per hidden layer (layer1 next to the pixels); lines at the "
        "same value hide each other.";
    f.columns = 3;
    f.panel_width = 460;
    f.panel_height = 340;
    for (const auto& sc : scenarios) {
      if (sc.activation != "relu") continue;
      const auto rs = runs_of(sc);
      fig::Panel& p = f.panels.emplace_back();
      p.title = sc.name;
      p.x_label = "training step";
      p.y_label = "dead fraction";
      p.y_min = 0;
      p.y_max = 1.05;
      p.legend = f.panels.size() == 1 ? "center right" : "";
      const std::size_t layers = rs.front()->never_positive.front().size();
      for (std::size_t l = 0; l < layers; ++l) {
        fig::Series series;
        series.title = fmt::format("layer{}", l + 1);
        series.color = gl::figures::sequential_color(l, layers);
        for (std::size_t k = 0; k < rs.front()->probe_steps.size(); ++k) {
          double sum = 0;
          for (const DeadRun* r : rs) sum += r->never_positive[k][l];
          series.x.push_back(static_cast<double>(rs.front()->probe_steps[k]));
          series.y.push_back(sum / static_cast<double>(rs.size()));
        }
        p.series.push_back(std::move(series));
      }
    }
    report.figure(f);
  }
  {
    fig::Figure f;
    f.name = "accuracy_vs_learning_rate";
    f.title = "Test accuracy after training";
    f.caption =
        "Chance level is 10%. Compare each learning rate's ReLU point with its dead fraction above, and "
        "with leaky ReLU's point at the same rate. The isolated points are the negative-bias scenario.";
    fig::Panel& p = f.panels.emplace_back();
    p.x_label = s.optimizer.is_adam() ? "Adam learning rate" : "SGD learning rate (--optimizer sgd)";
    p.y_label = "test accuracy (%)";
    p.log_x = true;
    p.x_min = s.learning_rates.front() / 2;
    p.x_max = s.learning_rates.back() * 2;
    p.y_min = 0;
    p.y_max = 100;
    p.legend = "outside right top";
    f.panel_width = 760;
    for (const std::string act : {"relu", "leaky_relu"}) {
      fig::Series line, bias;
      line.title = act;
      bias.title = fmt::format("{}, bias {:g}", act, s.negative_bias);
      line.color = bias.color = gl::figures::series_color(act, 0);
      line.style = fig::Style::errorbars;
      bias.style = fig::Style::points;
      for (std::size_t i = 0; i < scenarios.size(); ++i) {
        if (scenarios[i].activation != act) continue;
        auto& target = scenarios[i].bias != 0.0 ? bias : line;
        target.x.push_back(scenarios[i].learning_rate);
        target.y.push_back(100 * summaries[i].accuracy.mean);
        if (&target == &line) {
          line.lo.push_back(100 * summaries[i].accuracy.min);
          line.hi.push_back(100 * summaries[i].accuracy.max);
        }
      }
      p.series.push_back(std::move(line));
      p.series.push_back(std::move(bias));
    }
    f.footnote = "error bars: min to max over seeds";
    report.figure(f);
  }

  // ---- Claims of part A ----------------------------------------------------------------------
  report.section("2. The claims about dead units");
  auto summary_of = [&](const std::string& act, double lr, double bias) -> const Summary* {
    for (std::size_t i = 0; i < scenarios.size(); ++i) {
      if (scenarios[i].activation == act && scenarios[i].learning_rate == lr && scenarios[i].bias == bias) {
        return &summaries[i];
      }
    }
    return nullptr;
  };
  {
    const Summary* lo = summary_of("relu", s.learning_rates.front(), 0.0);
    const Summary* hi = summary_of("relu", s.learning_rates.back(), 0.0);
    gl::Claim c{"dead_fraction_grows_with_lr",
                "With ReLU, the fraction of dead units grows with the learning rate.",
                "",
                "",
                gl::Verdict::not_tested,
                dead_note};
    c.rule =
        "compare the smallest and the largest learning rate: holds if the dead fraction at the largest exceeds "
        "the smallest's by more than max(10 points, the two seed spreads (std) added); fails if it is not "
        "larger at all; inconclusive in between";
    if (s.learning_rates.size() < 2) {
      c.measured = "only one learning rate was run";
    } else {
      std::vector<std::string> parts;
      for (double lr : s.learning_rates) {
        parts.push_back(
            fmt::format("lr {}: {:.1f}%", lr_text(lr), 100 * summary_of("relu", lr, 0.0)->final_never_positive.mean));
      }
      const double gap = hi->final_never_positive.mean - lo->final_never_positive.mean;
      const double noise = std::max(0.10, hi->final_never_positive.std + lo->final_never_positive.std);
      c.measured = fmt::format(
          "dead units at the end (mean over layers and seeds): {}; gap {:.1f} points, "
          "threshold {:.1f}",
          fmt::join(parts, ", "), 100 * gap, 100 * noise);
      c.verdict = gap > noise ? gl::Verdict::holds : gap <= 0 ? gl::Verdict::fails : gl::Verdict::inconclusive;
    }
    report.claim(c);
  }
  {
    // Leaky ReLU: no dead units. The test: after training, a backward pass over the probe set
    // gives every leaky unit a non-zero gradient column, even the negative-side ones.
    std::vector<gl::SeedTest> tests;
    double max_zero = 0, max_negative = 0, relu_zero = 0;
    for (const auto& r : runs) {
      if (r.scenario.activation == "leaky_relu") {
        max_zero = std::max(max_zero, static_cast<double>(*std::max_element(r.zero_gradient_units.begin(),
                                                                            r.zero_gradient_units.end())));
        max_negative = std::max(max_negative, mean_of(r.never_positive.back()));
        tests.push_back({mean_of(r.zero_gradient_units) == 0.0});
      } else {
        relu_zero = std::max(relu_zero, mean_of(r.zero_gradient_units));
      }
    }
    report.claim(gl::judge_over_seeds(
        "leaky_has_no_dead_units", "Leaky ReLU has no dead units by construction.",
        fmt::format("leaky ReLU: at most {:.1f}% of units with an all-zero gradient column in any layer of any run, "
                    "while up to {:.1f}% (mean over layers) were negative-side; ReLU runs: up to {:.1f}% with zero "
                    "gradient",
                    100 * max_zero, 100 * max_negative, 100 * relu_zero),
        "per leaky run (every scenario and seed): after training, one backward pass over the probe set; the run "
        "passes when no hidden unit's dL/dW column is exactly zero",
        tests, dead_note));
  }
  {
    // Leaky keeps training where ReLU stalls: in every scenario where ReLU ends near chance.
    std::vector<std::string> parts;
    int stalled = 0, rescued = 0;
    for (std::size_t i = 0; i < scenarios.size(); ++i) {
      if (scenarios[i].activation != "relu") continue;
      const Summary* relu = &summaries[i];
      const Summary* leaky = summary_of("leaky_relu", scenarios[i].learning_rate, scenarios[i].bias);
      if (relu->accuracy.mean >= 0.2 || leaky == nullptr) continue;
      ++stalled;
      const double gap = leaky->accuracy.mean - relu->accuracy.mean;
      const double need = std::max(0.10, relu->accuracy.std + leaky->accuracy.std);
      if (gap > need) ++rescued;
      parts.push_back(fmt::format("{}: ReLU {:.1f}%, leaky {:.1f}%", scenarios[i].name, 100 * relu->accuracy.mean,
                                  100 * leaky->accuracy.mean));
    }
    gl::Claim c{"leaky_trains_where_relu_stalls",
                "Leaky ReLU keeps training where ReLU stalls.",
                "",
                "",
                gl::Verdict::not_tested,
                dead_note};
    c.rule =
        "ReLU stalls in a scenario when its mean test accuracy is below 20%; in each such scenario leaky ReLU "
        "must beat it by more than max(10 points, the two seed spreads added); holds if it does in every one, "
        "fails if in none, mixed otherwise; not tested if ReLU stalled nowhere";
    if (stalled == 0) {
      c.measured = "ReLU did not stall (accuracy >= 20%) in any scenario of this run";
    } else {
      c.measured = fmt::format("ReLU stalled in {} scenario(s): {}; leaky ReLU clearly better in {}", stalled,
                               fmt::join(parts, "; "), rescued);
      c.verdict = rescued == stalled ? gl::Verdict::holds : rescued == 0 ? gl::Verdict::fails : gl::Verdict::mixed;
    }
    report.claim(c);
  }

  // ---- Part B -------------------------------------------------------------------------------
  report.section("3. Exploding gradients, and clipping");
  std::vector<ExplodeRun> explode;
  gl::run_parallel<ExplodeRun>(
      2, s.jobs, [&](std::size_t i) { return train_deep(s, i == 1, s.first_seed, data); },
      [&](std::size_t, ExplodeRun& r) {
        // At most kMaxLoggedSteps steps of each run go to scalars.csv: every stride-th one.
        const std::size_t stride = static_cast<std::size_t>(gl::logged_steps(s.explode_steps, gl::kMaxLoggedSteps));
        const std::string name = r.clipped ? "explode_clipped" : "explode_plain";
        for (std::size_t k = 0; k < r.loss.size(); k += stride) {
          log.scalar(name, s.first_seed, static_cast<long>(k), "loss", r.loss[k]);
          log.scalar(name, s.first_seed, static_cast<long>(k), "grad_norm", r.norm[k]);
        }
        explode.push_back(std::move(r));
      });
  log.close();
  report.describe_file(
      "scalars.csv",
      "scenario,seed,step,tag,value. Dead-unit scenarios <activation>_lr<rate> and <activation>_bias<b>_lr<rate>: "
      "every probe_every steps loss and acc (the training batch), mean_l and bias_mean_l (mean |dL/dW|, |dL/db| of "
      "weight layer l), and at the probes dead_l (ReLU) or negative_side_l (leaky ReLU), the fraction of hidden "
      "layer l's units never positive on the probe set; explode_plain and explode_clipped: loss and grad_norm (the "
      "global norm before clipping) per step");
  if (!s.tensorboard.empty()) {
    report.describe_file("histograms.csv",
                         "dL/dW and W per layer at the logged steps of the dead-unit runs, "
                         "scenario,seed,step,layer,kind,bin,lo,hi,count");
    report.text(fmt::format(
        "TensorBoard event files of every run are in {0}/<scenario>/seed<N>/ (outside this folder): "
        "tensorboard --logdir {0} shows loss, accuracy, per-layer mean |dL/dW| (layerN/kernel_grad_mean) and "
        "|dL/db| (layerN/bias_grad_mean), the dead (layerN/dead_fraction) or negative-side "
        "(layerN/negative_side_fraction) units, histograms of dL/dW and W, and the exploding net's grad_norm.",
        s.tensorboard.string()));
  }
  const ExplodeRun& plain = explode[0];
  const ExplodeRun& clipped = explode[1];
  if (plain.failed_step >= 0) {
    report.text(fmt::format(
        "Without clipping, the engine's NaN check stopped step {} (counting from 0): the first non-finite value "
        "appeared in the {} op of {} (\"{}\"). The gradient's global norm was {:.3g} at step 0{}.",
        plain.failed_step, plain.op, plain.layer.empty() ? "no layer" : plain.layer, plain.error,
        plain.norm.empty() ? std::nan("") : plain.norm.front(),
        plain.norm.empty() ? "" : fmt::format(" and {:.3g} just before the overflow", plain.norm.back())));
  } else {
    report.text(fmt::format("Without clipping, all {} steps stayed finite in this run (final loss {:.3g}).",
                            s.explode_steps, plain.loss.back()));
  }
  if (clipped.failed_step >= 0) {
    report.text(fmt::format("With clipping to norm {:g}, the NaN check still stopped step {} in the {} op of {}.",
                            s.clip_norm, clipped.failed_step, clipped.op, clipped.layer));
  } else {
    report.text(fmt::format(
        "With clipping to global norm {:g} (same seed, same SGD), all {} steps stayed finite: "
        "loss {:.3g} at step 0, {:.3g} at the last step; test accuracy {:.1f}%.",
        s.clip_norm, s.explode_steps, clipped.loss.front(), clipped.loss.back(), 100 * clipped.test_accuracy));
  }
  {
    fig::Figure f;
    f.name = "exploding";
    f.title = fmt::format("784 -> {} x{} -> 10, ReLU, N(0, 1) weights, SGD lr {:g}, seed {}", s.explode_width,
                          s.explode_depth, s.explode_lr, s.first_seed);
    f.caption =
        "Left: the global gradient norm per step (before clipping). Right: the training loss. The unclipped "
        "run ends where the NaN check fired.";
    for (int panel = 0; panel < 2; ++panel) {
      fig::Panel& p = f.panels.emplace_back();
      p.title = panel == 0 ? "global gradient norm ||g||" : "training loss";
      p.x_label = "SGD step";
      p.y_label = panel == 0 ? "||g||" : "loss";
      p.log_y = true;
      p.legend = panel == 0 ? "center right" : "";
      for (const ExplodeRun* r : {&plain, &clipped}) {
        fig::Series series;
        series.title = r->clipped ? fmt::format("clipped to {:g}", s.clip_norm) : "no clipping";
        series.color = r->clipped ? "#009E73" : "#D55E00";
        series.style = r->clipped ? fig::Style::lines : fig::Style::linespoints;
        const auto& v = panel == 0 ? r->norm : r->loss;
        for (std::size_t k = 0; k < v.size(); ++k) {
          series.x.push_back(static_cast<double>(k));
          series.y.push_back(v[k] > 0 ? v[k] : std::nan(""));
        }
        p.series.push_back(std::move(series));
      }
    }
    f.footnote = plain.failed_step >= 0 ? fmt::format("no clipping: the NaN check stopped step {} ({} in {})",
                                                      plain.failed_step, plain.op, plain.layer)
                                        : "no clipping: finite for every step";
    report.figure(f);
  }
  report.value("exploding", {{"unclipped",
                              {{"first_non_finite_step", plain.failed_step},
                               {"op", plain.op},
                               {"layer", plain.layer},
                               {"error", plain.error},
                               {"norm", plain.norm},
                               {"loss", plain.loss}}},
                             {"clipped",
                              {{"clip_norm", s.clip_norm},
                               {"first_non_finite_step", clipped.failed_step},
                               {"norm_before_clipping", clipped.norm},
                               {"loss", clipped.loss},
                               {"test_accuracy", clipped.test_accuracy}}}});
  {
    report.section("4. The claim about clipping");
    gl::Claim c{"clipping_keeps_loss_finite",
                "Clipping the gradient by its global norm keeps the loss finite where the same run without it "
                "overflows.",
                "",
                "",
                gl::Verdict::not_tested,
                explode_note};
    c.rule =
        "same seed and SGD: holds if the unclipped run hit a non-finite value and the clipped run stayed "
        "finite for every step; fails if the clipped run also hit one; not tested if the unclipped run never "
        "overflowed (nothing to fix)";
    const std::string clipped_text =
        clipped.failed_step >= 0
            ? fmt::format("clipped: non-finite at step {} ({} in {})", clipped.failed_step, clipped.op, clipped.layer)
            : fmt::format("clipped: finite for all {} steps, final loss {:.3g}", s.explode_steps, clipped.loss.back());
    if (plain.failed_step < 0) {
      c.measured = fmt::format("unclipped: finite for all {} steps; {}", s.explode_steps, clipped_text);
    } else {
      c.measured = fmt::format("unclipped: non-finite at step {} ({} in {}); {}", plain.failed_step, plain.op,
                               plain.layer, clipped_text);
      c.verdict = clipped.failed_step < 0 ? gl::Verdict::holds : gl::Verdict::fails;
    }
    report.claim(c);
  }
  return report.finish();
}

}  // namespace

int main(int argc, char** argv) { return gl::run_main(argc, argv, lesson); }
