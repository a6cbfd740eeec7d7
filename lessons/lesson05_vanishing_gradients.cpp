// Lesson 05: the vanishing gradient problem, measured.
//
// Goal: train the same deep, narrow network (784 -> 10 x 5 -> 10) on MNIST three times, with
// sigmoid, ReLU and leaky ReLU activations, and watch how much gradient reaches each layer.
// With sigmoid, every layer multiplies the backward signal by sigmoid'(z) <= 1/4, so the early
// layers hear almost nothing and the network learns slowly; ReLU passes the signal through
// unchanged where a unit is active.
//
// Run it (the defaults are the founding post's settings, on the full MNIST):
//   build/bin/lesson05_vanishing_gradients                 # writes out/lesson05_vanishing_gradients
//   build/bin/lesson05_vanishing_gradients --seeds 5 --alpha 0.01 --activations sigmoid,relu
// Then open out/lesson05_vanishing_gradients/index.html. docs/lessons/05-vanishing-gradients.md
// explains every figure.

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "lessons/lesson05/experiment.hpp"
#include "lessons/lesson05/report.hpp"
#include "lessons/runtime/lesson_runtime.hpp"

namespace gl = gradflow::lessons;
namespace l5 = gradflow::lessons::lesson05;

namespace {

int lesson(int argc, char** argv) {
  l5::Settings s;
  gl::CommonOptions common;
  std::string init = "glorot_uniform";
  int validation = 5000;
  int jobs = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
  gl::Flags flags("lesson05_vanishing_gradients",
                  "Trains 784 -> 10 x5 -> 10 on MNIST with sigmoid, ReLU and leaky ReLU and measures how the "
                  "gradient shrinks from the last layer to the first.");
  gl::add_common_flags(flags, common, "lesson05_vanishing_gradients", /*uses_data=*/true);
  flags.add_list("activations", &s.activations, "scenarios to run, comma-separated",
                 {"sigmoid", "relu", "leaky_relu", "tanh"});
  flags.add_int("seeds", &s.seeds, "runs per scenario (seeds --seed, --seed + 1, ...)", 1, 1000);
  flags.add_int("iterations", &s.iterations, "training steps per run", 1, 10'000'000);
  flags.add_int("batch", &s.batch, "mini-batch size", 1, 55'000);
  flags.add_int("hidden", &s.hidden, "units per hidden layer", 1, 100'000);
  flags.add_int("layers", &s.layers, "weight layers (hidden layers + the output layer)", 2, 1000);
  flags.add_int("log-every", &s.log_every, "log gradients and accuracy every N steps", 1, 10'000'000);
  flags.add_float("alpha", &s.alpha, "leaky_relu slope for x < 0 (TensorFlow's default 0.2; the post says 0.01)", 0.0F,
                  1.0F);
  flags.add_string("init", &init, "kernel initialiser: glorot_uniform (tf.layers.dense) or he_uniform");
  flags.add_int("validation", &validation, "training images held out for validation (TensorFlow: 5000)", 0, 1'000'000);
  flags.add_int("jobs", &jobs, "training runs in parallel (default: one per core); results do not depend on it", 1,
                256);
  if (!flags.parse(argc, argv)) return 0;
  s.first_seed = common.seed;
  try {
    s.init = gradflow::nn::parse_init(init);
  } catch (const std::invalid_argument& e) {
    throw gl::UsageError(fmt::format("--init: {}", e.what()), flags.usage());
  }
  if (common.quick) {
    // A short run for the smoke test: a few steps of everything, so every output is exercised.
    s.iterations = std::min(s.iterations, 60);
    s.log_every = std::min(s.log_every, 20);
    s.seeds = std::min(s.seeds, 2);
    validation = std::min(validation, 50);
  }

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

  // Fail before training, not after it, if the results cannot be written or the data does not fit.
  gl::OutputDir out(common.out);
  const auto data = gradflow::mnist::read_data_sets(common.data, static_cast<std::size_t>(validation),
                                                    gradflow::mnist::ImageShape{28, 28, "the network has 784 inputs"});

  l5::Results results;
  results.settings = s;
  results.data_description =
      fmt::format("IDX files from {}: {} training, {} validation, {} test images", common.data.string(),
                  data.train.size(), data.validation.size(), data.test.size());
  fmt::print("Lesson 05: the vanishing gradient problem\n");
  fmt::print("data: {}\n", results.data_description);
  fmt::print("network: 784 -> {} x{} -> 10, {} init, Adam (lr 0.001), batch {}, {} iterations, log every {}\n",
             s.hidden, s.layers - 1, gradflow::nn::to_string(s.init), s.batch, s.iterations, s.log_every);
  fmt::print("leaky_relu alpha = {} ({})\n\n", s.alpha,
             s.alpha == 0.2F ? "TensorFlow's tf.nn.leaky_relu default, which the post's code used; its text says 0.01"
                             : "set by --alpha");

  const auto start = std::chrono::steady_clock::now();
  results.runs = l5::run_all(s, data, jobs, [&](l5::Run& run, const std::string& log) {
    fmt::print("Scenario {}, seed {}:\n{}", run.scenario, run.seed, log);
    fmt::print("  -> test accuracy {:.2f}%, validation {:.2f}%, {:.2f} s\n", 100 * run.test_accuracy,
               100 * run.validation_accuracy, run.seconds);
    // Keep the first seed's trained model of each scenario for the computation-graph diagrams.
    if (!results.final_models.contains(run.scenario)) results.final_models[run.scenario] = run.model;
    run.model.reset();
  });
  results.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (const std::string& scenario : s.activations) results.summaries.push_back(l5::summarise(scenario, results.runs));
  results.verdicts = l5::judge_claims(results.summaries);

  fmt::print(
      "\nSummary over {} seed(s) per scenario (ratios: layer {} over layer 1 or 2, each averaged over the "
      "logged steps):\n",
      s.seeds, s.layers);
  fmt::print("{}\n", gl::format_table(l5::summary_headers(), l5::summary_rows(results)));
  fmt::print("The post's claims, as measured in this run:\n");
  for (const auto& v : results.verdicts) {
    fmt::print("  - {}\n    measured: {}\n    verdict: {}\n", v.claim, v.measured.empty() ? "-" : v.measured,
               v.verdict);
  }

  l5::write_report(results, out);
  out.commit();
  fmt::print("\ntraining took {:.2f} s; wrote {}/index.html\n", results.seconds, out.final_path().string());
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return gl::run_main(argc, argv, lesson); }
