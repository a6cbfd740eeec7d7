#include "lessons/lesson05/experiment.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace gradflow::lessons::lesson05 {

nn::MlpSpec network_spec(const Settings& s, nn::Activation activation) {
  nn::MlpSpec spec;
  spec.inputs = 784;
  spec.hidden.assign(static_cast<std::size_t>(s.layers - 1), s.hidden);
  spec.outputs = 10;
  spec.activation = activation;
  spec.alpha = s.alpha;
  spec.init = s.init;
  return spec;
}

Run run_one(const Settings& s, const mnist::DataSets& data, const std::string& scenario, std::uint64_t seed,
            const std::function<void(const Run&, const LogPoint&)>& on_log) {
  const auto start = std::chrono::steady_clock::now();
  Run run;
  run.scenario = scenario;
  run.seed = seed;

  nn::TrainingOptions options;  // Adam with TensorFlow 1.x's defaults
  options.batch_size = s.batch;
  options.seed = seed;
  run.model = std::make_shared<nn::Classifier>(network_spec(s, nn::parse_activation(scenario)), options);
  nn::Classifier& model = *run.model;
  nn::GradientMonitor monitor(model.mlp(), s.histogram_bins);
  // The batches get their own stream, so changing the network does not change the data order.
  mnist::BatchSampler sampler(data.train, static_cast<std::size_t>(s.batch), seed ^ 0x9e3779b97f4a7c15ULL);

  std::vector<std::uint8_t> labels;
  labels.resize(static_cast<std::size_t>(s.batch));
  for (int step = 0; step < s.iterations; ++step) {
    // Gather the batch straight into the graph's input node: no second copy.
    const std::span<float> images = model.input_batch(s.batch);
    sampler.next_batch(images, labels);
    const bool logged = step % s.log_every == 0;
    if (logged) monitor.arm(step);
    nn::StepResult r;
    try {
      r = model.train_step(images, labels);
    } catch (const autodiff::NonFiniteError& e) {
      throw std::runtime_error(
          fmt::format("training diverged ({} scenario, seed {}, step {}): {}", scenario, seed, step, e.what()));
    }
    if (logged) {
      run.log.push_back(LogPoint{step, r.loss, r.accuracy, monitor.history().back()});
      if (on_log) on_log(run, run.log.back());
    }
  }
  run.validation_accuracy = model.evaluate(data.validation.images, data.validation.labels);
  run.test_accuracy = model.evaluate(data.test.images, data.test.labels);
  // Leave the graph holding one training step's values and gradients (evaluation replaced the
  // values with a test chunk's) so that it can be drawn.
  const std::span<float> images = model.input_batch(s.batch);
  sampler.next_batch(images, labels);
  model.compute_gradients(images, labels);
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return run;
}

std::vector<Run> run_all(const Settings& s, const mnist::DataSets& data, int jobs,
                         const std::function<void(Run& run, const std::string& log)>& report) {
  struct Job {
    std::string scenario;
    std::uint64_t seed;
    Run run;
    std::string log;
    std::exception_ptr error;
    bool done = false;
  };
  std::vector<Job> queue;
  for (const std::string& scenario : s.activations) {
    for (int k = 0; k < s.seeds; ++k)
      queue.push_back({scenario, s.first_seed + static_cast<std::uint64_t>(k), {}, {}, {}, false});
  }

  std::mutex mutex;
  std::condition_variable finished;
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false};
  auto worker = [&] {
    for (std::size_t i = next++; i < queue.size() && !stop; i = next++) {
      Job& job = queue[i];
      try {
        job.run = run_one(s, data, job.scenario, job.seed, [&job, &s](const Run&, const LogPoint& p) {
          job.log += fmt::format("  Iteration {} of {}, loss: {:.3f}, train accuracy: {:.2f}%\n", p.step, s.iterations,
                                 p.loss, 100 * p.accuracy);
        });
      } catch (...) {
        job.error = std::current_exception();
        stop = true;  // no point starting more runs
      }
      const std::lock_guard lock(mutex);
      job.done = true;
      finished.notify_all();
    }
  };
  const auto n_threads = static_cast<std::size_t>(std::max(1, jobs));
  std::vector<std::jthread> threads;
  for (std::size_t t = 0; t < std::min(n_threads, queue.size()); ++t) threads.emplace_back(worker);

  // Report in order as runs finish, so the console reads as if they had run one by one.
  std::vector<Run> runs;
  std::exception_ptr first_error;
  for (Job& job : queue) {
    {
      // Every job before a failed one was taken before it, so it finishes: this never hangs.
      std::unique_lock lock(mutex);
      finished.wait(lock, [&] { return job.done; });
    }
    if (job.error) {
      first_error = job.error;
      break;
    }
    report(job.run, job.log);
    runs.push_back(std::move(job.run));
  }
  threads.clear();  // joins
  if (first_error) std::rethrow_exception(first_error);
  return runs;
}

Stat stat_of(const std::vector<double>& values) {
  Stat st;
  if (values.empty()) return st;
  for (double v : values) st.mean += v;
  st.mean /= static_cast<double>(values.size());
  if (values.size() > 1) {
    double ss = 0;
    for (double v : values) ss += (v - st.mean) * (v - st.mean);
    st.std = std::sqrt(ss / static_cast<double>(values.size() - 1));
  }
  return st;
}

ScenarioSummary summarise(const std::string& scenario, const std::vector<Run>& runs) {
  ScenarioSummary sum;
  sum.scenario = scenario;
  std::vector<double> test_acc, train_acc, ratio_lf, ratio_ls, bias_lf;
  std::vector<std::vector<double>> kernel, bias, weight;  // [layer][run]
  for (const Run& run : runs) {
    if (run.scenario != scenario || run.log.empty()) continue;
    ++sum.runs;
    test_acc.push_back(run.test_accuracy);
    train_acc.push_back(run.log.back().accuracy);
    const std::size_t n_layers = run.log.front().gradients.layers.size();
    kernel.resize(n_layers);
    bias.resize(n_layers);
    weight.resize(n_layers);
    std::vector<double> k(n_layers, 0.0), b(n_layers, 0.0), w(n_layers, 0.0);
    for (const LogPoint& p : run.log) {
      for (std::size_t l = 0; l < n_layers; ++l) {
        k[l] += p.gradients.layers[l].mean_abs_kernel_grad;
        b[l] += p.gradients.layers[l].mean_abs_bias_grad;
        w[l] += p.gradients.layers[l].mean_abs_kernel;
      }
    }
    const auto steps = static_cast<double>(run.log.size());
    for (std::size_t l = 0; l < n_layers; ++l) {
      kernel[l].push_back(k[l] / steps);
      bias[l].push_back(b[l] / steps);
      weight[l].push_back(w[l] / steps);
    }
    // A ratio of averages: one vanishing step does not dominate the way a mean of ratios would.
    ratio_lf.push_back(k.back() / k.front());
    if (n_layers > 1) ratio_ls.push_back(k.back() / k[1]);
    bias_lf.push_back(b.back() / b.front());
  }
  sum.test_accuracy = stat_of(test_acc);
  sum.final_train_accuracy = stat_of(train_acc);
  sum.kernel_ratio_last_first = stat_of(ratio_lf);
  sum.kernel_ratio_last_second = stat_of(ratio_ls);
  sum.bias_ratio_last_first = stat_of(bias_lf);
  for (std::size_t l = 0; l < kernel.size(); ++l) {
    sum.mean_abs_kernel_grad.push_back(stat_of(kernel[l]));
    sum.mean_abs_bias_grad.push_back(stat_of(bias[l]));
    sum.mean_abs_kernel.push_back(stat_of(weight[l]));
  }
  return sum;
}

namespace {
const ScenarioSummary* find(const std::vector<ScenarioSummary>& all, std::string_view name) {
  for (const auto& s : all) {
    if (s.scenario == name && s.runs > 0) return &s;
  }
  return nullptr;
}

std::string pct(const Stat& s) { return fmt::format("{:.1f} ± {:.1f}%", 100 * s.mean, 100 * s.std); }

// Two accuracies differ "clearly" when the gap exceeds both one percentage point and the sum
// of their spreads over seeds.
bool clearly_below(const Stat& a, const Stat& b) { return b.mean - a.mean > std::max(0.01, a.std + b.std); }
}  // namespace

std::vector<Verdict> judge_claims(const std::vector<ScenarioSummary>& all) {
  const auto* sig = find(all, "sigmoid");
  const auto* relu = find(all, "relu");
  const auto* leaky = find(all, "leaky_relu");
  std::vector<Verdict> out;

  Verdict v1{"sigmoid clearly under-performs ReLU and leaky ReLU (test accuracy)", "", ""};
  if (sig && relu && leaky) {
    v1.measured = fmt::format("sigmoid {}, relu {}, leaky_relu {}", pct(sig->test_accuracy), pct(relu->test_accuracy),
                              pct(leaky->test_accuracy));
    v1.verdict = clearly_below(sig->test_accuracy, relu->test_accuracy) &&
                         clearly_below(sig->test_accuracy, leaky->test_accuracy)
                     ? "holds"
                     : "does not hold";
  } else {
    v1.verdict = "not tested (needs sigmoid, relu and leaky_relu)";
  }
  out.push_back(v1);

  Verdict v2{"mean |dL/dW| shrinks about 30x from the last layer to layer 1 with sigmoid, about 6x with leaky ReLU", "",
             ""};
  if (sig && leaky) {
    const double rs = sig->kernel_ratio_last_first.mean, rl = leaky->kernel_ratio_last_first.mean;
    v2.measured = fmt::format("sigmoid {:.1f}x ± {:.1f}, leaky_relu {:.1f}x ± {:.1f} (dL/db: {:.1f}x vs {:.1f}x)", rs,
                              sig->kernel_ratio_last_first.std, rl, leaky->kernel_ratio_last_first.std,
                              sig->bias_ratio_last_first.mean, leaky->bias_ratio_last_first.mean);
    // "About" 30x and 6x: within a factor of 3 of each, and sigmoid's decay the larger.
    const bool near = rs >= 10 && rs <= 90 && rl >= 2 && rl <= 18;
    v2.verdict = rs > rl ? (near ? "holds" : "holds in direction; the sizes differ from the post's") : "does not hold";
  } else {
    v2.verdict = "not tested (needs sigmoid and leaky_relu)";
  }
  out.push_back(v2);

  Verdict v3{"leaky ReLU shows no visible benefit over plain ReLU", "", ""};
  if (relu && leaky) {
    v3.measured = fmt::format("relu {}, leaky_relu {}", pct(relu->test_accuracy), pct(leaky->test_accuracy));
    v3.verdict = clearly_below(relu->test_accuracy, leaky->test_accuracy) ? "does not hold" : "holds";
  } else {
    v3.verdict = "not tested (needs relu and leaky_relu)";
  }
  out.push_back(v3);
  return out;
}

}  // namespace gradflow::lessons::lesson05
