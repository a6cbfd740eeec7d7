// Lesson 05: the vanishing gradient problem, measured.
//
// GOAL. Train the same deep, narrow network (784 -> 10 x 5 -> 10) on MNIST with sigmoid, ReLU
// and leaky ReLU, several seeds each, and measure how much gradient reaches each layer. This
// repeats the experiment of Andy Thomas's post "The vanishing gradient problem and ReLUs - a
// TensorFlow investigation" (Adventures in Machine Learning,
// https://adventuresinmachinelearning.com/vanishing-gradient-problem-tensorflow/) and judges its
// three claims on our numbers, each with the rule that decided it.
//
// RUN IT (the defaults are the post's settings):
//   build/bin/lesson05_vanishing_gradients                  # writes out/lesson05_vanishing_gradients
//   build/bin/lesson05_vanishing_gradients --seeds 5 --alpha 0.01 --activations sigmoid,relu
//   build/bin/lesson05_vanishing_gradients --optimizer sgd --lr 0.05   # not the post's Adam: the page says so
//   build/bin/lesson05_vanishing_gradients --tensorboard runs/lesson05 # + TensorBoard event files
// then open out/lesson05_vanishing_gradients/index.html (docs/lessons/05-vanishing-gradients.md
// explains every figure).
//
// WHAT TO LOOK FOR. Backward multiplies the error by W^T and by the activation's slope f'(z)
// once per layer. Sigmoid's slope is at most 1/4, so with sigmoid the error reaching layer 1 is
// much smaller than at the output; ReLU's slope is exactly 1 where a unit is active. And the
// kernel gradient dL/dW_l = a_(l-1)^T delta_l scales with the layer's INPUT too: step 5 measures
// both factors, so the page can tell "the error vanished" from "the input was small".
//
// The steps: 1 settings, 2 data, 3 one training run (the loop), 4 all runs in parallel,
// 5 summaries over seeds, 6 the post's claims, 7 the page. Figure specs: lesson05_figures.hpp.

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "lessons/lesson05_figures.hpp"
#include "lessons/runtime/lesson_runtime.hpp"
#include "lessons/runtime/optimizer_flags.hpp"
#include "mnist/dataset.hpp"

namespace gl = gradflow::lessons;
namespace nn = gradflow::nn;
using gl::Stats;
using lesson05::LogPoint;
using lesson05::Run;
using lesson05::Summary;

namespace {

// The post, named once: every page sentence about it uses these.
constexpr std::string_view kPostTitle = "The vanishing gradient problem and ReLUs - a TensorFlow investigation";
constexpr std::string_view kPostAuthor = "Andy Thomas";
constexpr std::string_view kPostSite = "Adventures in Machine Learning";
constexpr std::string_view kPostUrl = "https://adventuresinmachinelearning.com/vanishing-gradient-problem-tensorflow/";

// ---- Step 1: the settings (the post's, unless a flag changes them) ----------------------------
struct Settings {
  std::vector<std::string> activations = {"sigmoid", "relu", "leaky_relu"};
  int seeds = 3;  // runs per activation, seeds first_seed, first_seed + 1, ...
  std::uint64_t first_seed = 1;
  int iterations = 2500;
  int batch = 30;
  int hidden = 10;  // units per hidden layer
  int layers = 6;   // weight layers: layers - 1 hidden ones and the output layer
  int log_every = 200;
  // leaky_relu's slope: TensorFlow's default, which the post's code ran (a float, like the op's
  // parameter, so that --help and every page print 0.2 and --alpha 1e-50 is refused, not 0).
  float alpha = nn::kLeakyReluAlpha;
  bool alpha_given = false;  // --alpha given: it then sets every activation's alpha (elu's too)
  nn::Init init = nn::Init::glorot_uniform;
  int validation = 5000;
  int histogram_bins = 30;
  int histogram_layer = 4;            // the post showed layer 4
  std::filesystem::path tensorboard;  // --tensorboard DIR: also TensorBoard event files (empty: none)
  gl::OptimizerFlags optimizer;       // --optimizer, --lr: the post ran Adam at 0.001
};
const Settings kPost;                // the post's settings, to say when a run differs from them
constexpr int kMaxDrawnLayers = 12;  // deeper computation graphs are not drawn: unreadable and slow to lay out

// ---- Step 3: one training run ------------------------------------------------------------------
// The loop the whole lesson is about: sample a batch, one Adam step, and at every log_every-th
// step record per layer mean |dL/dW|, |dL/db|, |W| (the monitor's hooks) and the two factors
// of the kernel gradient, mean |input| and mean |dL/dz|.
Run train(const Settings& s, const gradflow::mnist::DataSets& data, const std::string& scenario, std::uint64_t seed,
          bool keep_model) {
  const auto start = std::chrono::steady_clock::now();
  Run run{scenario, seed, {}, 0, 0, 0, nullptr};

  nn::MlpSpec spec;
  spec.inputs = 784;
  spec.hidden.assign(static_cast<std::size_t>(s.layers - 1), s.hidden);
  spec.outputs = 10;
  spec.activation = nn::parse_activation(scenario);
  // leaky_relu's alpha is always the lesson's (0.2 unless --alpha); another activation with an
  // alpha (elu, coursework exercise 01) keeps its own default unless --alpha was given.
  if (scenario == "leaky_relu" || s.alpha_given) spec.alpha = s.alpha;
  spec.init = s.init;
  nn::TrainingOptions options;  // Adam with TensorFlow 1.x's defaults unless --optimizer / --lr
  gl::apply(s.optimizer, options);
  options.batch_size = s.batch;
  options.seed = seed;
  auto model = std::make_shared<nn::Classifier>(spec, options);
  nn::GradientMonitor monitor(model->mlp(), s.histogram_bins);
  // The batches get their own stream, so changing the network does not change the data order.
  gradflow::mnist::BatchSampler sampler(data.train, static_cast<std::size_t>(s.batch), seed ^ 0x9e3779b97f4a7c15ULL);
  std::vector<std::uint8_t> labels(static_cast<std::size_t>(s.batch));

  for (int step = 0; step < s.iterations; ++step) {
    const std::span<float> images = model->input_batch(s.batch);  // the batch goes straight into the graph
    sampler.next_batch(images, labels);
    const bool logged = step % s.log_every == 0;
    if (logged) monitor.arm(step);
    std::vector<std::vector<float>> kernels;  // W as this step's forward pass uses it, for TensorBoard
    if (logged && !s.tensorboard.empty())
      for (const auto& layer : model->mlp().layers())
        kernels.emplace_back(layer.kernel().value().values().begin(), layer.kernel().value().values().end());
    nn::StepResult r;
    try {
      r = model->train_step(images, labels);
    } catch (const gradflow::autodiff::NonFiniteError& e) {
      throw std::runtime_error(
          fmt::format("training diverged ({} scenario, seed {}, step {}): {}", scenario, seed, step, e.what()));
    }
    if (!logged) continue;
    LogPoint p{step, r.loss, r.accuracy, monitor.history().back(), {}, {}, std::move(kernels), {}};
    // The graph still holds this step's forward values and backward gradients.
    const auto& layers = model->mlp().layers();
    for (std::size_t l = 0; l < layers.size(); ++l) {
      const auto& input = l == 0 ? model->input().value() : layers[l - 1].output().value();
      p.mean_abs_input.push_back(gradflow::autodiff::mean_abs(input));
      p.mean_abs_delta.push_back(gradflow::autodiff::mean_abs(layers[l].pre_activation().grad()));
      if (!s.tensorboard.empty()) {
        const auto grad = layers[l].kernel().grad().values();
        p.kernel_grads.emplace_back(grad.begin(), grad.end());
      }
    }
    run.log.push_back(std::move(p));
  }
  if (data.validation.size() > 0)
    run.validation_accuracy = gradflow::mnist::evaluate_split(*model, data.validation);  // chunk by chunk
  run.test_accuracy = gradflow::mnist::evaluate_split(*model, data.test);
  if (keep_model) {
    // Leave the graph holding one training step's values and gradients (evaluation replaced
    // the values with a test chunk's), without applying it, so that it can be drawn.
    const std::span<float> images = model->input_batch(s.batch);
    sampler.next_batch(images, labels);
    model->compute_gradients(images, labels);
    run.model = model;
  }
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return run;
}

// ---- Step 5: a scenario over its seeds -----------------------------------------------------------
Summary summarise(const std::string& scenario, const std::vector<Run>& runs) {
  Summary sum;
  sum.scenario = scenario;
  std::vector<double> test, train, ratio, ratio2, bias_ratio;
  std::vector<std::vector<double>> kernel, bias, weight, input, delta, inactive;  // [layer][run]
  auto add = [](std::vector<std::vector<double>>& to, const std::vector<double>& v) {
    to.resize(std::max(to.size(), v.size()));
    for (std::size_t l = 0; l < v.size(); ++l) to[l].push_back(v[l]);
  };
  for (const Run& run : runs) {
    if (run.scenario != scenario || run.log.empty()) continue;
    ++sum.runs;
    test.push_back(run.test_accuracy);
    train.push_back(run.log.back().accuracy);
    const auto k = lesson05::time_average(run, lesson05::kernel_grad);
    const auto b = lesson05::time_average(run, lesson05::bias_grad);
    add(kernel, k);
    add(bias, b);
    add(weight, lesson05::time_average(run, lesson05::weight_size));
    add(input, lesson05::time_average(run, [](const LogPoint& p) { return p.mean_abs_input; }));
    add(delta, lesson05::time_average(run, [](const LogPoint& p) { return p.mean_abs_delta; }));
    add(inactive, lesson05::time_average(run, [](const LogPoint& p) {
          std::vector<double> v;
          for (const auto& l : p.gradients.layers) {
            if (l.dead_fraction) v.push_back(*l.dead_fraction);
            if (l.saturated_fraction) v.push_back(*l.saturated_fraction);
          }
          return v;
        }));
    // A ratio of averages: one vanishing step does not dominate the way a mean of ratios would.
    // A layer-1 mean of exactly 0 (underflow) gives inf, which Stats counts apart.
    ratio.push_back(k.back() / k.front());
    if (k.size() > 1) ratio2.push_back(k.back() / k[1]);
    bias_ratio.push_back(b.back() / b.front());
  }
  sum.test_accuracy = Stats::of(test);
  sum.final_train_accuracy = Stats::of(train);
  sum.kernel_ratio = Stats::of(ratio);
  sum.kernel_ratio_layer2 = Stats::of(ratio2);
  sum.bias_ratio = Stats::of(bias_ratio);
  for (auto [to, from] : {std::pair{&sum.kernel_grad, &kernel},
                          {&sum.bias_grad, &bias},
                          {&sum.weight, &weight},
                          {&sum.input, &input},
                          {&sum.delta, &delta},
                          {&sum.inactive, &inactive}}) {
    for (const auto& per_run : *from) to->push_back(Stats::of(per_run));
  }
  return sum;
}

// ---- Step 6: the post's claims, judged on this run ----------------------------------------------
std::string pct(const Stats& s) { return gl::format_stats(s, 1, 100.0, "%"); }
std::string times(const Stats& s) {
  return gl::format_stats(s, 1, 1.0, "x", "not finite (a layer-1 mean underflowed to 0)");
}
// "Clearly below": the gap exceeds one percentage point and the two spreads over seeds together.
double clear_margin(const Stats& a, const Stats& b) { return std::max(0.01, a.std + b.std); }
bool clearly_below(const Stats& a, const Stats& b) { return b.mean - a.mean > clear_margin(a, b); }
constexpr int kSeedsForNoDifference = 5;

std::vector<gl::Claim> judge(const std::vector<Summary>& all, const std::string& settings_note) {
  auto find = [&](std::string_view name) -> const Summary* {
    for (const Summary& s : all) {
      if (s.scenario == name && s.runs > 0) return &s;
    }
    return nullptr;
  };
  const Summary* sig = find("sigmoid");
  const Summary* relu = find("relu");
  const Summary* leaky = find("leaky_relu");
  std::vector<gl::Claim> claims;

  gl::Claim c1{"sigmoid_underperforms",
               "sigmoid clearly under-performs ReLU and leaky ReLU (test accuracy)",
               "",
               "holds if sigmoid's mean test accuracy is below each of the others' by more than max(1 point, sd_a + "
               "sd_b); mixed if below only one of them that clearly; fails if it is not below either; inconclusive "
               "if it is below both but not clearly",
               gl::Verdict::not_tested,
               settings_note};
  if (sig && relu && leaky) {
    c1.measured = fmt::format("test accuracy: sigmoid {}, relu {}, leaky_relu {} (± = sd over seeds)",
                              pct(sig->test_accuracy), pct(relu->test_accuracy), pct(leaky->test_accuracy));
    const bool below_relu = clearly_below(sig->test_accuracy, relu->test_accuracy);
    const bool below_leaky = clearly_below(sig->test_accuracy, leaky->test_accuracy);
    if (below_relu && below_leaky) {
      c1.verdict = gl::Verdict::holds;
    } else if (below_relu || below_leaky) {
      c1.verdict = gl::Verdict::mixed;
    } else if (sig->test_accuracy.mean < relu->test_accuracy.mean &&
               sig->test_accuracy.mean < leaky->test_accuracy.mean) {
      c1.verdict = gl::Verdict::inconclusive;
    } else {
      c1.verdict = gl::Verdict::fails;
    }
  } else {
    c1.measured = "the run lacks sigmoid, relu or leaky_relu";
  }
  claims.push_back(c1);

  gl::Claim c2{"gradient_decay",
               "mean |dL/dW| shrinks about 30x from the last layer to layer 1 with sigmoid, about 6x with leaky ReLU",
               "",
               "\"about\" = within a factor of 3: holds if sigmoid's ratio (mean over seeds) is in [10, 90] and leaky "
               "ReLU's in [2, 18] with sigmoid's the larger; mixed if sigmoid's is the larger but a size is outside "
               "its range; fails if sigmoid's is not the larger; not tested if a ratio is not finite",
               gl::Verdict::not_tested,
               settings_note};
  if (sig && leaky) {
    const Stats& rs = sig->kernel_ratio;
    const Stats& rl = leaky->kernel_ratio;
    c2.measured = fmt::format(
        "layer {0} / layer 1: sigmoid {1} (seeds {2:.1f}x to {3:.1f}x), leaky_relu {4} (seeds "
        "{5:.1f}x to {6:.1f}x); the bias gradient dL/db: sigmoid {7}, leaky_relu {8}",
        sig->kernel_grad.size(), times(rs), rs.min, rs.max, times(rl), rl.min, rl.max, times(sig->bias_ratio),
        times(leaky->bias_ratio));
    if (!rs.ok() || !rl.ok()) {
      c2.verdict = gl::Verdict::not_tested;
    } else if (rs.mean <= rl.mean) {
      c2.verdict = gl::Verdict::fails;
    } else {
      const bool near = rs.mean >= 10 && rs.mean <= 90 && rl.mean >= 2 && rl.mean <= 18;
      c2.verdict = near ? gl::Verdict::holds : gl::Verdict::mixed;
    }
  } else {
    c2.measured = "the run lacks sigmoid or leaky_relu";
  }
  claims.push_back(c2);

  gl::Claim c3{
      "leaky_no_benefit",
      "leaky ReLU shows no visible benefit over plain ReLU",
      "",
      fmt::format("fails if leaky ReLU's mean test accuracy is above ReLU's by more than max(1 point, sd_a + "
                  "sd_b); holds if it is clearly below ReLU's by that margin, or if neither is clearly above the "
                  "other with at least {} seeds each (absence of a difference from fewer seeds is not "
                  "evidence of none); otherwise inconclusive",
                  kSeedsForNoDifference),
      gl::Verdict::not_tested,
      settings_note};
  if (relu && leaky) {
    c3.measured = fmt::format("test accuracy: relu {}, leaky_relu {} over {} and {} seeds", pct(relu->test_accuracy),
                              pct(leaky->test_accuracy), relu->runs, leaky->runs);
    if (clearly_below(relu->test_accuracy, leaky->test_accuracy)) {
      c3.verdict = gl::Verdict::fails;
    } else if (clearly_below(leaky->test_accuracy, relu->test_accuracy) ||
               (relu->runs >= kSeedsForNoDifference && leaky->runs >= kSeedsForNoDifference)) {
      c3.verdict = gl::Verdict::holds;  // clearly worse, or no clear gap over enough seeds
    } else {
      c3.verdict = gl::Verdict::inconclusive;
    }
  } else {
    c3.measured = "the run lacks relu or leaky_relu";
  }
  claims.push_back(c3);
  return claims;
}

nlohmann::json stats_json(const Stats& s) {
  if (!s.ok()) return {{"mean", nullptr}, {"std", nullptr}, {"n", s.n}, {"non_finite", s.non_finite}};
  return {{"mean", s.mean}, {"std", s.std}, {"min", s.min}, {"max", s.max}, {"n", s.n}};
}
nlohmann::json stats_json(const std::vector<Stats>& v) {
  nlohmann::json a = nlohmann::json::array();
  for (const Stats& s : v) a.push_back(stats_json(s));
  return a;
}

// ---- The lesson ----------------------------------------------------------------------------------
int lesson(int argc, char** argv) {
  // Step 1: settings.
  Settings s;
  gl::CommonOptions common;
  std::string init = "glorot_uniform";
  int jobs = gl::default_jobs();
  gl::Flags flags("lesson05_vanishing_gradients",
                  "Trains 784 -> 10 x5 -> 10 on MNIST with sigmoid, ReLU and leaky ReLU and measures how the "
                  "gradient shrinks from the last layer to the first.");
  gl::add_common_flags(flags, common, "lesson05_vanishing_gradients", /*uses_data=*/true);
  // Every row of nn/'s activation table is a scenario (a student's new activation included).
  flags.add_list("activations", &s.activations, "scenarios to run, comma-separated", nn::hidden_activation_names());
  flags.add_int("seeds", &s.seeds, "runs per scenario (seeds --seed, --seed + 1, ...)", 1, 1000);
  flags.add_int("iterations", &s.iterations, "training steps per run", 1, 10'000'000);
  flags.add_int("batch", &s.batch, "mini-batch size", 1, 55'000);
  flags.add_int("hidden", &s.hidden, "units per hidden layer", 1, 100'000);
  flags.add_int("layers", &s.layers, "weight layers (hidden layers + the output layer)", 2, 1000);
  flags.add_int("log-every", &s.log_every, "log gradients and accuracy every N steps", 1, 10'000'000);
  flags.add_float(
      "alpha", &s.alpha,
      fmt::format("leaky_relu slope for x < 0 (TensorFlow's default {}; the post says 0.01)", nn::kLeakyReluAlpha),
      0.0F, 1.0F);
  flags.add_string("init", &init, "kernel initialiser: glorot_uniform (tf.layers.dense) or he_uniform");
  flags.add_int("validation", &s.validation, "training images held out for validation (TensorFlow: 5000)", 0,
                1'000'000);
  flags.add_int("jobs", &jobs,
                fmt::format("training runs in parallel (default: one per core, at most {}); results do not depend "
                            "on it",
                            gl::kMaxJobs),
                1, gl::kMaxJobs);
  flags.add_path("tensorboard", &s.tensorboard,
                 "also write TensorBoard event files, one run folder per scenario and seed (DIR/sigmoid/seed1/...); "
                 "view them with tensorboard --logdir DIR",
                 "DIR");
  gl::add_optimizer_flags(flags, s.optimizer, "every run's");
  if (!flags.parse(argc, argv)) return 0;
  gl::resolve_optimizer_flags(flags, s.optimizer);
  s.alpha_given = flags.given("alpha");
  s.first_seed = common.seed;
  try {
    s.init = nn::parse_init(init);
  } catch (const std::invalid_argument& e) {
    throw gl::UsageError(fmt::format("--init: {}", e.what()), flags.usage());
  }
  if (common.quick) {  // a short run for the smoke test: a few steps of everything
    s.iterations = std::min(s.iterations, 60);
    s.log_every = std::min(s.log_every, 20);
    s.seeds = std::min(s.seeds, 2);
    s.validation = std::min(s.validation, 50);
  }
  gl::check_logged_steps(s.iterations, s.log_every);
  // A scenario named twice would be trained and counted twice: keep the first.
  std::vector<std::string> unique;
  for (const auto& a : s.activations) {
    if (std::find(unique.begin(), unique.end(), a) == unique.end()) unique.push_back(a);
  }
  const bool had_duplicates = unique.size() != s.activations.size();
  s.activations = unique;
  s.histogram_layer = std::clamp(s.histogram_layer, 1, s.layers);

  // How this run differs from the post's settings: the claims are about those.
  std::vector<std::string> differences;
  auto differs = [&](bool d, std::string what) {
    if (d) differences.push_back(std::move(what));
    return d;
  };
  // Fail before anything is allocated if the flags ask for more memory than there is.
  std::vector<std::uint64_t> widths{784};
  widths.insert(widths.end(), static_cast<std::size_t>(s.layers - 1), static_cast<std::uint64_t>(s.hidden));
  widths.push_back(10);
  const auto parallel_runs = static_cast<std::uint64_t>(
      std::min<std::size_t>(static_cast<std::size_t>(jobs), s.activations.size() * static_cast<std::size_t>(s.seeds)));
  gl::require_memory(fmt::format("--hidden {} with --layers {}, --batch {} and {} runs in parallel (--jobs)", s.hidden,
                                 s.layers, s.batch, parallel_runs),
                     gradflow::support::saturating_product({gl::dense_training_bytes(widths, s.batch), parallel_runs}),
                     "lower --hidden, --layers, --batch or --jobs");

  gl::Report report({"05_vanishing_gradients", "Lesson 05: the vanishing gradient problem, measured",
                     "A deep, narrow network trained with sigmoid, ReLU and leaky ReLU: how much gradient reaches "
                     "each layer, and the founding post's claims judged on this run."},
                    common);
  report.setting("activations", s.activations, s.activations != kPost.activations);
  report.setting("seeds", s.seeds, s.seeds != kPost.seeds);
  report.setting("first_seed", s.first_seed, s.first_seed != kPost.first_seed);
  report.setting("iterations", s.iterations,
                 differs(s.iterations != kPost.iterations,
                         fmt::format("{} iterations (the post: {})", s.iterations, kPost.iterations)));
  report.setting("batch", s.batch,
                 differs(s.batch != kPost.batch, fmt::format("batch {} (the post: {})", s.batch, kPost.batch)));
  report.setting(
      "hidden", s.hidden,
      differs(s.hidden != kPost.hidden, fmt::format("{} hidden units (the post: {})", s.hidden, kPost.hidden)));
  report.setting("layers", s.layers,
                 differs(s.layers != kPost.layers, fmt::format("--layers {} (the post: {})", s.layers, kPost.layers)));
  report.setting("log_every", s.log_every, s.log_every != kPost.log_every);
  report.setting("leaky_relu_alpha", s.alpha,
                 differs(s.alpha != kPost.alpha,
                         fmt::format("--alpha {} (the post's code: TensorFlow's default {})", s.alpha, kPost.alpha)));
  report.setting(
      "init", std::string(nn::to_string(s.init)),
      differs(s.init != kPost.init, fmt::format("--init {} (the post: glorot_uniform)", nn::to_string(s.init))));
  report.setting("validation", s.validation, s.validation != kPost.validation);
  report.setting("optimizer", s.optimizer.describe(), differs(!s.optimizer.is_default(), s.optimizer.difference()));
  const bool default_data = common.data == gl::default_data_dir();
  differs(!default_data, fmt::format("data from {} (the post: MNIST)", common.data.string()));
  differs(common.quick, "--quick (a short smoke-test run)");
  const std::string settings_note = differences.empty()
                                        ? std::string()
                                        : fmt::format(
                                              "this run differs from the post's settings: {}. The claims are about the "
                                              "post's settings, so these verdicts describe this run only.",
                                              fmt::join(differences, "; "));
  report.text(fmt::format("leaky_relu alpha = {} ({})", s.alpha,
                          s.alpha == kPost.alpha ? "TensorFlow's tf.nn.leaky_relu default, which the post's code "
                                                   "ran; its text says 0.01"
                                                 : "set by --alpha; the post's code ran 0.2, its text says 0.01"));
  if (had_duplicates) report.text("--activations named a scenario twice; each scenario runs once.");

  // Step 2: the data, read before training so that a bad folder fails at once.
  const auto data = gradflow::mnist::read_data_sets(common.data, static_cast<std::size_t>(s.validation),
                                                    gradflow::mnist::ImageShape{28, 28, "the network has 784 inputs"});
  const std::string data_text =
      fmt::format("IDX files from {}: {} training, {} validation, {} test images", common.data.string(),
                  data.train.size(), data.validation.size(), data.test.size());
  report.setting("data", data_text, !default_data);
  report.phase("data read");
  // Integer counts over the bytes (they vectorise; 43 million double additions took 0.1 s), then
  // the mean of byte / 255, the value the network sees.
  std::uint64_t zero_count = 0, byte_sum = 0;
  for (const std::uint8_t byte : data.train.pixels) {
    zero_count += byte == 0 ? 1U : 0U;
    byte_sum += byte;
  }
  const double zero_pixels = static_cast<double>(zero_count);
  const double pixel_sum = static_cast<double>(byte_sum) / 255.0;
  const double n_pixels = static_cast<double>(std::max<std::size_t>(1, data.train.pixels.size()));

  // Step 4: every scenario x seed, in parallel, reported (and logged) in order.
  struct Job {
    std::string scenario;
    std::uint64_t seed;
  };
  std::vector<Job> queue;
  for (const auto& a : s.activations) {
    for (int k = 0; k < s.seeds; ++k) queue.push_back({a, s.first_seed + static_cast<std::uint64_t>(k)});
  }
  gl::TrainingLog log(report.path("scalars.csv"), report.path("histograms.csv"));
  if (!s.tensorboard.empty()) log.set_sink(gl::make_tensorboard_sink(s.tensorboard));
  std::vector<Run> runs;
  // Each scenario's first seed keeps its trained network, drawn as a computation graph on one
  // colour scale shared by all of them. Those drawings start as soon as the last of these runs is
  // in, while the remaining runs still train (drawing is the slowest part of the page).
  std::size_t last_kept = 0;
  for (std::size_t i = 0; i < queue.size(); ++i)
    if (queue[i].seed == s.first_seed) last_kept = i;
  std::vector<std::pair<std::string, gl::Report::DiagramHandle>> graph_drawings;  // scenario, drawing
  auto start_graph_drawings = [&] {
    if (s.layers > kMaxDrawnLayers) return;
    std::optional<gradflow::autodiff::viz::ColorScale> shared;
    for (const Run& r : runs) {
      if (!r.model) continue;
      const auto scale = gradflow::autodiff::viz::gradient_scale(r.model->graph());
      shared = shared ? gradflow::autodiff::viz::merge(*shared, scale) : scale;
    }
    for (const Run& r : runs) {
      if (!r.model) continue;
      gradflow::autodiff::viz::DotOptions options;
      options.title = fmt::format(
          "{}: one training step (seed {}, batch of {}); colour = mean |dL/d(node)| for the batch-mean loss, one "
          "scale for all scenarios",
          r.scenario, r.seed, s.batch);
      options.scale = shared;
      graph_drawings.emplace_back(
          r.scenario,
          report.start_diagram("graph_" + r.scenario, gradflow::autodiff::viz::to_dot(r.model->graph(), options)));
    }
  };
  report.console("\nTraining:\n");
  const auto start = std::chrono::steady_clock::now();
  gl::run_parallel<Run>(
      queue.size(), jobs,
      [&](std::size_t i) { return train(s, data, queue[i].scenario, queue[i].seed, queue[i].seed == s.first_seed); },
      [&](std::size_t, Run& run) {
        std::string text = fmt::format("Scenario {}, seed {}:\n", run.scenario, run.seed);
        for (const LogPoint& p : run.log) {
          text += fmt::format("  Iteration {} of {}, loss: {:.3f}, train accuracy: {:.2f}%\n", p.step, s.iterations,
                              p.loss, 100 * p.accuracy);
          // scalars.csv: the post's tags (loss, acc, mean_l) and ours, in this order.
          const auto& layers = p.gradients.layers;
          log.scalar(run.scenario, run.seed, p.step, "loss", p.loss);
          log.scalar(run.scenario, run.seed, p.step, "acc", p.accuracy);
          for (std::size_t l = 0; l < layers.size(); ++l)
            log.scalar(run.scenario, run.seed, p.step, fmt::format("mean_{}", l + 1), layers[l].mean_abs_kernel_grad);
          for (std::size_t l = 0; l < layers.size(); ++l)
            log.scalar(run.scenario, run.seed, p.step, fmt::format("bias_mean_{}", l + 1),
                       layers[l].mean_abs_bias_grad);
          for (std::size_t l = 0; l < layers.size(); ++l)
            log.scalar(run.scenario, run.seed, p.step, fmt::format("weight_mean_{}", l + 1), layers[l].mean_abs_kernel);
          for (std::size_t l = 0; l < layers.size(); ++l) {
            if (layers[l].dead_fraction)
              log.scalar(run.scenario, run.seed, p.step, fmt::format("dead_{}", l + 1), *layers[l].dead_fraction);
            if (layers[l].saturated_fraction)
              log.scalar(run.scenario, run.seed, p.step, fmt::format("saturated_{}", l + 1),
                         *layers[l].saturated_fraction);
          }
          for (std::size_t l = 0; l < layers.size(); ++l) {
            // The raw values (kept only with --tensorboard) go to TensorBoard, which bins them itself.
            log.histogram(
                run.scenario, run.seed, p.step, static_cast<int>(l + 1), "kernel_grad", layers[l].kernel_grad.lo,
                layers[l].kernel_grad.hi, layers[l].kernel_grad.counts,
                l < p.kernel_grads.size() ? std::span<const float>(p.kernel_grads[l]) : std::span<const float>());
            log.histogram(
                run.scenario, run.seed, p.step, static_cast<int>(l + 1), "kernel_value", layers[l].kernel_value.lo,
                layers[l].kernel_value.hi, layers[l].kernel_value.counts,
                l < p.kernel_values.size() ? std::span<const float>(p.kernel_values[l]) : std::span<const float>());
          }
        }
        text += fmt::format("  -> test accuracy {:.2f}%, {}, {:.2f} s\n", 100 * run.test_accuracy,
                            run.validation_accuracy ? fmt::format("validation {:.2f}%", 100 * *run.validation_accuracy)
                                                    : std::string("no validation split (--validation 0)"),
                            run.seconds);
        report.console(text);
        runs.push_back(std::move(run));
        if (runs.size() == last_kept + 1) start_graph_drawings();
      });
  log.close();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  report.phase("training finished");
  report.describe_file("scalars.csv",
                       "every logged number, scenario,seed,step,tag,value; tags loss, acc, mean_l (mean |dL/dW|, the "
                       "post's names), bias_mean_l, weight_mean_l (mean |W|), dead_l (ReLU family: units at or below "
                       "0 on the whole batch), saturated_l (sigmoid: outputs with slope below 0.05)");
  report.describe_file("histograms.csv",
                       "kernel value and gradient histograms, scenario,seed,step,layer,kind,bin,lo,hi,count");
  if (!s.tensorboard.empty())
    report.text(
        fmt::format("TensorBoard event files of every run are in {0}/<scenario>/seed<N>/ (outside this "
                    "folder, so a later run adds new files beside them): tensorboard --logdir {0} shows "
                    "loss, accuracy, per-layer mean |dL/dW| (layerN/kernel_grad_mean) and |dL/db| "
                    "(layerN/bias_grad_mean), and histograms of dL/dW and W at the logged steps.",
                    s.tensorboard.string()));

  // Step 5: summaries over seeds.
  std::vector<Summary> summaries;
  for (const auto& a : s.activations) summaries.push_back(summarise(a, runs));
  const int L = s.layers;

  // ---- Step 7: the page ----------------------------------------------------------------------------
  report.section("What this is");
  report.html(
      fmt::format("<p>This lesson repeats the experiment of <a href=\"{0}\">&ldquo;{1}&rdquo;</a> by {2} ({3}): a "
                  "784 &rarr; {4} &times; {5} &rarr; 10 network trained once per activation ({6}) and seed, with the "
                  "mean |gradient| of every layer recorded every {7} steps. If the gradient <i>vanishes</i>, "
                  "layer&nbsp;1 hears little of the error and learns slowly.</p>",
                  kPostUrl, gl::html_escape(kPostTitle), kPostAuthor, kPostSite, s.hidden, L - 1,
                  gl::html_escape(fmt::format("{}", fmt::join(s.activations, ", "))), s.log_every),
      fmt::format("The post: \"{}\" by {} ({}), {}", kPostTitle, kPostAuthor, kPostSite, kPostUrl));
  report.text(fmt::format(
      "Why it can happen: backward multiplies the error by W^T and by the activation's slope f'(z) once per layer. "
      "The sigmoid's slope s(1-s) is at most 1/4, so the slopes of {} sigmoid layers alone multiply the error by at "
      "most (1/4)^{} = 1/{:.0f}; only larger weights can make up for that. ReLU's slope is exactly 1 where a unit is "
      "active.",
      L - 1, L - 1, std::pow(4.0, L - 1)));
  if (!settings_note.empty()) {
    report.html(fmt::format("<p class=\"claim verdict-mixed\"><b>Not the post's settings.</b> {}</p>",
                            gl::html_escape(settings_note)),
                "note: " + settings_note);
  }

  report.section("Results and the post's claims");
  report.text(fmt::format(
      "Training took {:.1f} s for {} runs. Mean ± standard deviation over the seeds (the ± everywhere on this page is "
      "a standard deviation; the bands and bars in the figures span min to max). The ratios divide a layer's mean "
      "gradient (averaged over the logged steps) by another's: last/1 is layer {} over layer 1.",
      seconds, runs.size(), L));
  {
    gl::Table t{
        {"scenario", "runs", "test accuracy", "|dL/dW| last/1", "|dL/dW| last/2", "|dL/db| last/1"}, {}, "", false};
    for (const Summary& m : summaries) {
      t.rows.push_back({m.scenario, fmt::format("{}", m.runs), gl::format_stats(m.test_accuracy, 2, 100.0, "%"),
                        times(m.kernel_ratio), times(m.kernel_ratio_layer2), times(m.bias_ratio)});
    }
    report.table(t);
  }
  const std::vector<gl::Claim> claims = judge(summaries, settings_note);
  for (const gl::Claim& c : claims) report.claim(c);
  // Where the post's numbers sit in ours (they are one unseeded run each).
  for (const auto& [name, post_ratio] : {std::pair<std::string, double>{"sigmoid", 30.0}, {"leaky_relu", 6.0}}) {
    for (const Summary& m : summaries) {
      if (m.scenario != name || !m.kernel_ratio.ok()) continue;
      const bool inside = post_ratio >= m.kernel_ratio.min && post_ratio <= m.kernel_ratio.max;
      report.text(fmt::format("{}: the post's {:.0f}x is {} our seeds' range of {:.1f}x to {:.1f}x.", name, post_ratio,
                              inside ? "inside" : (post_ratio < m.kernel_ratio.min ? "below" : "above"),
                              m.kernel_ratio.min, m.kernel_ratio.max));
    }
  }

  report.section("Why layer 1's kernel gradient is small: input times error");
  report.text(fmt::format(
      "dL/dW_l = a_(l-1)^T delta_l: the kernel gradient is the layer's input times the error that reached it. The "
      "table shows both factors per layer (averaged over the logged steps and seeds). In this data {:.0f}% of the "
      "training pixels are exactly 0 and their mean is {:.3f}.",
      100 * zero_pixels / n_pixels, pixel_sum / n_pixels));
  report.html("<details><summary>Mean |input| and mean |dL/dz| per layer</summary>");
  {
    gl::Table t{{"layer"}, {}, "", false};
    for (const Summary& m : summaries) {
      t.headers.push_back(m.scenario + " |input|");
      t.headers.push_back(m.scenario + " |dL/dz|");
    }
    for (int l = L; l >= 1; --l) {
      std::vector<std::string> row{fmt::format("layer{}{}", l, l == L ? " (output)" : "")};
      for (const Summary& m : summaries) {
        const auto i = static_cast<std::size_t>(l - 1);
        row.push_back(i < m.input.size() ? lesson05::sci(m.input[i].mean) : "-");
        row.push_back(i < m.delta.size() ? lesson05::sci(m.delta[i].mean) : "-");
      }
      t.rows.push_back(std::move(row));
    }
    report.table(t);
  }
  report.html("</details>");
  for (const Summary& m : summaries) {
    if (m.input.size() < 2 || m.delta.size() < 2 || !m.input[0].ok() || !m.delta[0].ok()) continue;
    if (!(m.delta[0].mean > 0) || !(m.kernel_grad[0].mean > 0) || !(m.delta[1].mean > 0)) {
      report.text(
          fmt::format("{}: the error reaching layer 1 underflowed to 0 in float32 (mean |dL/dz| {}), so "
                      "layer 1's kernel gradient is 0 whatever its input.",
                      m.scenario, lesson05::sci(m.delta[0].mean)));
      continue;
    }
    const double input_ratio = m.input[1].mean / m.input[0].mean;  // layer 2's input over layer 1's
    const double delta_ratio = m.delta[1].mean / m.delta[0].mean;  // layer 2's error over layer 1's
    const double kernel_ratio = m.kernel_grad[1].mean / m.kernel_grad[0].mean;
    report.text(fmt::format(
        "{}: from layer 2 to layer 1 the kernel gradient falls {:.1f}x. The input falls {:.1f}x (mean |input| {} -> "
        "{}) and the error {} ({} -> {}), so {}.",
        m.scenario, kernel_ratio, input_ratio, lesson05::sci(m.input[1].mean), lesson05::sci(m.input[0].mean),
        delta_ratio >= 1 ? fmt::format("falls {:.1f}x", delta_ratio) : fmt::format("grows {:.1f}x", 1 / delta_ratio),
        lesson05::sci(m.delta[1].mean), lesson05::sci(m.delta[0].mean),
        std::abs(std::log(input_ratio)) > std::abs(std::log(delta_ratio))
            ? "the smaller input explains more of the drop than the error does"
            : "the shrinking error explains more of the drop than the input does"));
  }

  report.section("Layer by layer");
  // Only activations the monitor measures this for (ReLU family: dead units; sigmoid: saturation).
  const bool any_inactive =
      std::any_of(summaries.begin(), summaries.end(), [](const Summary& m) { return !m.inactive.empty(); });
  if (any_inactive) {
    report.text(
        "Units that pass back little or nothing, per hidden layer (averaged over the logged steps and seeds): for ReLU "
        "the fraction of units dead on the whole batch (z <= 0 for every sample, so no gradient at all); for leaky "
        "ReLU "
        "the fraction below zero on the whole batch, which is not dead (such a unit still passes alpha times the "
        "error); for sigmoid the fraction of outputs that are saturated (slope below 0.05, a fifth of its best).");
    {
      gl::Table t{{"layer"}, {}, "", false};
      for (const Summary& m : summaries) {
        t.headers.push_back(m.scenario == "sigmoid"      ? "sigmoid: saturated"
                            : m.scenario == "leaky_relu" ? "leaky_relu: below 0 on the batch"
                            : m.scenario == "relu"       ? "relu: dead"
                                                         : m.scenario + ": not measured");
      }
      for (int l = L - 1; l >= 1; --l) {
        const auto i = static_cast<std::size_t>(l - 1);
        std::vector<std::string> row{fmt::format("layer{}", l)};
        for (const Summary& m : summaries)
          row.push_back(i < m.inactive.size() ? fmt::format("{:.1f}%", 100 * m.inactive[i].mean) : "-");
        t.rows.push_back(std::move(row));
      }
      report.table(t);
    }
  }
  report.html(
      "<details><summary>Mean |dL/dW|, |dL/db| and |W| per layer</summary><p>Each number is averaged over the "
      "logged steps, then over the seeds. mean |W| is the size of the matrix the backward pass multiplies by "
      "(dL/dx = dL/dz W<sup>T</sup>): the size of the weights, not their sign, sets how much error passes.</p>",
      "Mean |dL/dW|, |dL/db| and |W| per layer (averaged over the logged steps, then the seeds):");
  {
    gl::Table t{{"layer"}, {}, "", false};
    for (const char* q : {"|dL/dW|", "|dL/db|", "|W|"}) {
      for (const Summary& m : summaries) t.headers.push_back(fmt::format("{} {}", m.scenario, q));
    }
    for (int l = L; l >= 1; --l) {
      const auto i = static_cast<std::size_t>(l - 1);
      std::vector<std::string> row{fmt::format("layer{}{}", l, l == L ? " (output)" : "")};
      for (auto field : {&Summary::kernel_grad, &Summary::bias_grad}) {
        for (const Summary& m : summaries)
          row.push_back(i < (m.*field).size() ? lesson05::sci((m.*field)[i].mean) : "-");
      }
      for (const Summary& m : summaries)
        row.push_back(i < m.weight.size() ? fmt::format("{:.3f}", m.weight[i].mean) : "-");
      t.rows.push_back(std::move(row));
    }
    report.table(t);
  }
  report.html("</details>");

  report.section("The vanishing gradient in pictures");
  {
    auto f = lesson05::layer_profile_figure(summaries);
    f.caption = fmt::format(
        "x walks down the network from layer 1 (next to the pixels) to layer {}; follow a line right to left for the "
        "backward pass. Top: the kernel and bias gradients. Bottom: the two factors of the kernel gradient, the "
        "layer's input and the error dL/dz reaching it.",
        L);
    report.figure(f);
  }
  const int logged = static_cast<int>(gl::logged_steps(s.iterations, s.log_every));
  report.diagram(
      "gradient_flow", lesson05::gradient_flow_dot(summaries, logged, s.seeds),
      "Gradient flow, one row per activation: the backward pass runs left to right from the loss to layer 1; "
      "dark boxes and thin arrows mean little gradient arrives. One colour scale for all rows.");
  {
    auto f = lesson05::accuracy_figure(runs, summaries, s.batch, s.seeds);
    f.caption = fmt::format(
        "Left: accuracy on each training batch (the post's plot); the legend gives the test accuracy at the end. "
        "Right: the batch loss. A batch of {} is noisy (one image is {:.1f} points): read the trend.",
        s.batch, 100.0 / s.batch);
    report.figure(f);
  }
  {
    auto f =
        lesson05::layer_lines_figure(runs, summaries, "gradients", "|dL/dW|", &nn::LayerRecord::mean_abs_kernel_grad);
    f.caption =
        "One panel per activation on one log y range, one line per layer: the vertical gap between the "
        "brightest and darkest lines is the decay.";
    report.figure(f);
    auto b = lesson05::layer_lines_figure(runs, summaries, "bias_gradients", "|dL/db|",
                                          &nn::LayerRecord::mean_abs_bias_grad);
    b.caption = "The error itself as it arrives at each layer, free of the input's size.";
    report.figure(b, /*folded=*/true);
  }
  for (const Summary& m : summaries) {
    const auto rs = lesson05::runs_of(runs, m.scenario);
    if (rs.empty()) continue;
    auto f = lesson05::histogram_figure(*rs.front(), s.histogram_layer);
    // The post read its histogram as "the weights are consistently < 0": measure it.
    const auto& h =
        rs.front()->log.back().gradients.layers[static_cast<std::size_t>(s.histogram_layer - 1)].kernel_value;
    double below = 0, total = 0;
    for (std::size_t b = 0; b < h.counts.size(); ++b) {
      const double lo = h.lo + (h.hi - h.lo) * static_cast<double>(b) / static_cast<double>(h.counts.size());
      const double hi = h.lo + (h.hi - h.lo) * static_cast<double>(b + 1) / static_cast<double>(h.counts.size());
      total += h.counts[b];
      below += hi <= 0 ? h.counts[b] : (lo < 0 ? 0.5 * h.counts[b] : 0.0);
    }
    f.caption = fmt::format(
        "Left the kernel values W of layer {0}, right its gradient. At the last logged step about {1:.0f}% of the "
        "weights are negative (read off the histogram; a bin across 0 counts half).",
        s.histogram_layer, total > 0 ? 100 * below / total : 0.0);
    report.figure(f, /*folded=*/true);
  }

  report.subsection("The computation graph of one training step");
  report.text(fmt::format(
      "The whole graph of one more training step of the trained network (seed {}), the update not applied. What "
      "sets a node's colour: the mean |gradient| of the loss with respect to that node's output, on one log scale "
      "shared by all activations. The loss is the MEAN over the batch of {}, so every per-sample gradient carries a "
      "factor 1/{} (op nodes sit near 1e-3); a bias gradient sums its column over the batch, so it looks brighter "
      "than the op it feeds. Hover a node for its exact values.",
      s.first_seed, s.batch, s.batch));
  if (L > kMaxDrawnLayers) {
    report.text(
        fmt::format("Not drawn: a {}-layer graph has too many nodes to lay out or read (at most {} layers "
                    "are drawn).",
                    L, kMaxDrawnLayers));
  }
  for (const auto& [scenario, drawing] : graph_drawings)  // started while the last runs trained (step 4)
    report.diagram(drawing, fmt::format("Computation graph, {}", scenario), /*folded=*/true);

  report.section("Every run");
  {
    gl::Table t{{"scenario", "seed", "test acc (%)", "validation acc (%)", "last batch acc (%)", "|dL/dW| last/1",
                 "|dL/db| last/1", "seconds"},
                {},
                "",
                false};
    for (const Run& run : runs) {
      const auto k = lesson05::time_average(run, lesson05::kernel_grad);
      const auto b = lesson05::time_average(run, lesson05::bias_grad);
      t.rows.push_back({run.scenario, fmt::format("{}", run.seed), fmt::format("{:.2f}", 100 * run.test_accuracy),
                        run.validation_accuracy ? fmt::format("{:.2f}", 100 * *run.validation_accuracy) : "-",
                        fmt::format("{:.1f}", 100 * run.log.back().accuracy),
                        k.front() > 0 ? fmt::format("{:.1f}", k.back() / k.front()) : "-",
                        b.front() > 0 ? fmt::format("{:.1f}", b.back() / b.front()) : "-",
                        fmt::format("{:.2f}", run.seconds)});
    }
    report.html("<details><summary>One row per scenario and seed</summary>");
    report.table(t);
    report.html("</details>");
  }

  report.section("What to try next");
  report.html(
      "<ul><li><code>--alpha 0.01</code>: the leaky ReLU the post's text describes.</li>"
      "<li><code>--init he_uniform</code>: weights scaled for ReLU. Does the decay shrink?</li>"
      "<li><code>--layers 10</code> or <code>--layers 3</code>: deeper or shallower.</li>"
      "<li><code>--activations tanh</code>: tanh'(0) = 1, four times sigmoid's best slope.</li>"
      "<li><code>--iterations 20000</code>: does sigmoid catch up given time?</li>"
      "<li><code>--seeds 10</code>: more seeds make the means (and the ± standard deviations) more certain and can "
      "turn an inconclusive verdict into a decided one; the min-max bands usually get wider.</li></ul>");

  // summary.json: the keys the docs and checks read.
  nlohmann::json scenarios = nlohmann::json::object();
  for (const Summary& m : summaries) {
    nlohmann::json per_seed = nlohmann::json::array();
    for (const Run& run : runs) {
      if (run.scenario == m.scenario)
        per_seed.push_back({{"seed", run.seed},
                            {"test_acc", run.test_accuracy},
                            {"validation_acc", run.validation_accuracy ? nlohmann::json(*run.validation_accuracy)
                                                                       : nlohmann::json(nullptr)},
                            {"seconds", run.seconds}});
    }
    scenarios[m.scenario] = {
        {"runs", m.runs},
        {"test_acc", stats_json(m.test_accuracy)},
        {"final_train_batch_acc", stats_json(m.final_train_accuracy)},
        {"grad_ratio", stats_json(m.kernel_ratio)},
        {"grad_ratio_last_over_layer2", stats_json(m.kernel_ratio_layer2)},
        {"bias_grad_ratio", stats_json(m.bias_ratio)},
        {"mean_abs_grad", stats_json(m.kernel_grad)},
        {"mean_abs_bias_grad", stats_json(m.bias_grad)},
        {"mean_abs_weight", stats_json(m.weight)},
        {"mean_abs_input", stats_json(m.input)},
        {"mean_abs_delta", stats_json(m.delta)},
        {m.scenario == "sigmoid" || m.scenario == "tanh" ? "saturated_fraction" : "inactive_fraction",
         stats_json(m.inactive)},
        {"per_seed", per_seed}};
  }
  // The course page's headline numbers (lessons/course/course_page.hpp): a list, to keep this order.
  nlohmann::json headline = nlohmann::json::array();
  for (const Summary& m : summaries)
    headline.push_back({{"label", fmt::format("test accuracy, {}", m.scenario)},
                        {"value", fmt::format("{:.1f}% ± {:.1f} ({} seeds)", 100 * m.test_accuracy.mean,
                                              100 * m.test_accuracy.std, m.runs)}});
  for (const Summary& m : summaries)
    headline.push_back({{"label", fmt::format("|dL/dW| last layer / layer 1, {}", m.scenario)},
                        {"value", fmt::format("{:.1f}x ± {:.1f}", m.kernel_ratio.mean, m.kernel_ratio.std)}});
  report.value("headline", headline);
  report.value("data", data_text);
  report.value("training_seconds", seconds);
  report.value("scenarios", scenarios);
  report.value("post", {{"title", kPostTitle}, {"author", kPostAuthor}, {"site", kPostSite}, {"url", kPostUrl}});
  return report.finish();
}

}  // namespace

int main(int argc, char** argv) { return gl::run_main(argc, argv, lesson); }
