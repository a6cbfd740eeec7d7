// gradflow_bench: the gradflow side of the benchmark suite (bench/torch_bench.py is its
// PyTorch twin; bench/run.sh runs both, alternating, and prints the comparison table).
//
//   build/bin/gradflow_bench [--workload all|flagship|mlp|matmul|overhead|memory] [--quick]
//                            [--data DIR] [--seed N] [--threads N] [--json FILE]
//
// Workloads (the same five in both programs, with the same names):
//   flagship  784 -> 10 x5 -> 10 relu, batch 30, Adam, 2500 steps, gradient monitor armed every
//             200 steps; time per step including mini-batch sampling; RSS at step 100 and 2500.
//   mlp       784 -> 256 x5 -> 10 relu, batch 128, Adam; time per step.
//   matmul    GFLOP/s of kernels::gemm, kernels::gemm_reference (small shapes) and raw
//             cblas_sgemm at 1024^3 and at the flagship's shapes.
//   overhead  a chain of 1000 ops (tanh, scale, add, ...) on [1 x 4] tensors: microseconds per op
//             forward and backward, for a replayed graph and for a graph rebuilt every iteration.
//   memory    the lesson-05-like run: 3 activations x 3 seeds x 2500 steps with the monitor, plus
//             test accuracy; wall time and peak RSS.
//
// gradflow also counts its C++ heap allocations (a counting operator new, below) per step and per
// op. Every measurement is printed as a line "<workload> <metric> = <value> <unit>" and, with
// --json FILE, appended to FILE as one JSON object per line for bench/report.py.
//
// A benchmark, not a test: it checks nothing but that the engine runs. The timer is
// std::chrono::steady_clock; repeated measurements are summarised by their median.

#include <cblas.h>
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <new>
#include <optional>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "autodiff/graph.hpp"
#include "autodiff/kernels/gemm.hpp"
#include "autodiff/ops/add.hpp"
#include "autodiff/ops/scale.hpp"
#include "autodiff/ops/sum.hpp"
#include "autodiff/ops/tanh.hpp"
#include "mnist/dataset.hpp"
#include "nn/classifier.hpp"
#include "nn/monitor.hpp"

// Counts every C++ heap allocation (operator new) so that the benchmark can report allocations
// per training step and per op: the engine promises that a replayed step allocates nothing new.
// (OpenBLAS's own malloc calls are not C++ allocations and are not counted.)
namespace {
std::atomic<std::uint64_t> g_allocations{0};
}  // namespace

void* operator new(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
// The replaced operator new above allocates with malloc, so free is the matching release.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t /*size*/) noexcept { std::free(p); }
#pragma GCC diagnostic pop

namespace {

using Clock = std::chrono::steady_clock;
namespace ad = gradflow::autodiff;
namespace nn = gradflow::nn;
namespace mnist = gradflow::mnist;

// ---------------------------------------------------------------------------------------------
// Options and output

struct Options {
  std::string workload = "all";
  bool quick = false;
  std::filesystem::path data_dir = "data/mnist";
  std::uint64_t seed = 1;
  int threads = 0;  // 0: leave OpenBLAS as the environment configured it
  std::optional<std::filesystem::path> json;
};

[[noreturn]] void usage(std::string_view error) {
  std::cerr << "gradflow_bench: " << error << "\n"
            << "usage: gradflow_bench [--workload all|flagship|mlp|matmul|overhead|memory] [--quick]\n"
            << "                      [--data DIR] [--seed N] [--threads N] [--json FILE]\n";
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  auto value = [&](int& i) -> std::string {
    if (i + 1 >= argc) usage(fmt::format("{} needs a value", argv[i]));
    return argv[++i];
  };
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    try {
      if (a == "--workload") {
        o.workload = value(i);
      } else if (a == "--quick") {
        o.quick = true;
      } else if (a == "--data") {
        o.data_dir = value(i);
      } else if (a == "--seed") {
        o.seed = std::stoull(value(i));
      } else if (a == "--threads") {
        o.threads = std::stoi(value(i));
      } else if (a == "--json") {
        o.json = value(i);
      } else if (a == "--help" || a == "-h") {
        usage("help");
      } else {
        usage(fmt::format("unknown flag '{}'", a));
      }
    } catch (const std::logic_error&) {  // stoull / stoi
      usage(fmt::format("bad value for {}", a));
    }
  }
  static const std::vector<std::string> known = {"all", "flagship", "mlp", "matmul", "overhead", "memory"};
  if (std::find(known.begin(), known.end(), o.workload) == known.end()) {
    usage(fmt::format("unknown workload '{}'", o.workload));
  }
  return o;
}

std::string json_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

class Reporter {
 public:
  explicit Reporter(const Options& o) : threads_(o.threads) {
    if (o.json) {
      json_.open(*o.json, std::ios::app);
      if (!json_) throw std::runtime_error(fmt::format("cannot open {}", o.json->string()));
    }
  }
  // One measurement: "flagship ms_per_iter = 0.0123 ms".
  void result(std::string_view workload, std::string_view metric, double value, std::string_view unit,
              std::string_view note = {}) {
    fmt::print("{:<9} {:<40} = {:>12.5g} {}{}\n", workload, metric, value, unit,
               note.empty() ? "" : fmt::format("  ({})", note));
    std::fflush(stdout);
    if (json_) {
      json_
          << fmt::format(
                 R"({{"side":"gradflow","threads":{},"workload":"{}","metric":"{}","value":{:.9g},"unit":"{}","note":"{}"}})",
                 threads_, workload, json_escape(metric), value, unit, json_escape(note))
          << "\n";
      json_.flush();
    }
  }
  void info(std::string_view key, std::string_view value) {
    fmt::print("info      {:<40} = {}\n", key, value);
    if (json_) {
      json_ << fmt::format(R"({{"side":"gradflow","threads":{},"info":"{}","value":"{}"}})", threads_, json_escape(key),
                           json_escape(value))
            << "\n";
    }
  }

 private:
  int threads_;
  std::ofstream json_;
};

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// VmRSS / VmHWM from /proc/self/status, in KiB (0 where unavailable).
long proc_status_kib(std::string_view key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with(key) && line.size() > key.size() && line[key.size()] == ':') {
      return std::strtol(line.c_str() + key.size() + 1, nullptr, 10);
    }
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Data: real MNIST when --data holds it, else seeded synthetic digits-like data.

struct Data {
  mnist::DataSplit train, test;
  bool real = false;
  long rss_after_load_kib = 0;   // VmRSS once the data is in memory
  long peak_after_load_kib = 0;  // VmHWM then: what reading the files cost at its peak
};

// Synthetic stand-in for MNIST: about 80% zero pixels, the rest uniform bytes in 1..255, random labels.
mnist::DataSplit synthetic_split(std::size_t n, std::mt19937_64& rng) {
  mnist::DataSplit s;
  s.pixels.resize(n * 784);
  s.labels.resize(n);
  std::uniform_real_distribution<float> u(0.0F, 1.0F);
  for (std::uint8_t& p : s.pixels) {
    const float r = u(rng);
    p = r < 0.8F ? 0 : static_cast<std::uint8_t>(1.0F + (r - 0.8F) * 5.0F * 254.0F);
  }
  for (auto& l : s.labels) l = static_cast<std::uint8_t>(rng() % 10);
  return s;
}

Data load_data(const Options& o, Reporter& rep) {
  Data d;
  std::error_code ec;
  if (std::filesystem::is_directory(o.data_dir, ec)) {
    try {
      auto sets = mnist::read_data_sets(o.data_dir);
      d.train = std::move(sets.train);
      d.test = std::move(sets.test);
      d.real = true;
    } catch (const std::exception& e) {
      std::cerr << "gradflow_bench: could not read MNIST from " << o.data_dir << " (" << e.what()
                << "), using synthetic data\n";
    }
  }
  if (!d.real) {
    std::mt19937_64 rng(o.seed);
    d.train = synthetic_split(o.quick ? 2000 : 55000, rng);
    d.test = synthetic_split(o.quick ? 1000 : 10000, rng);
  }
  d.rss_after_load_kib = proc_status_kib("VmRSS");
  d.peak_after_load_kib = proc_status_kib("VmHWM");
  rep.info("data",
           d.real ? fmt::format("MNIST from {} ({} train, {} test)", o.data_dir.string(), d.train.size(), d.test.size())
                  : fmt::format("synthetic ({} train, {} test)", d.train.size(), d.test.size()));
  return d;
}

// ---------------------------------------------------------------------------------------------
// (a) flagship and (e) memory

struct TrainRun {
  double seconds = 0;             // the training loop only
  std::uint64_t allocations = 0;  // C++ heap allocations in the training loop
  std::vector<double> step_seconds;
  long rss_at_100_kib = 0;
  long rss_at_end_kib = 0;
  float test_accuracy = 0;
};

nn::MlpSpec flagship_spec(nn::Activation activation) {
  nn::MlpSpec spec;
  spec.inputs = 784;
  spec.hidden = {10, 10, 10, 10, 10};
  spec.outputs = 10;
  spec.activation = activation;
  spec.alpha = nn::kLeakyReluAlpha;
  spec.init = nn::Init::glorot_uniform;
  return spec;
}

// One lesson-05-style training run: batch 30, Adam, monitor armed every 200 steps.
TrainRun train_flagship(const Data& data, nn::Activation activation, std::uint64_t seed, int steps, bool evaluate) {
  nn::TrainingOptions options;
  options.batch_size = 30;
  options.seed = seed;
  options.optimizer = nn::OptimizerKind::adam;
  nn::Classifier classifier(flagship_spec(activation), options);
  nn::GradientMonitor monitor(classifier.mlp());
  mnist::BatchSampler sampler(data.train, 30, seed);
  std::vector<std::uint8_t> labels(30);

  TrainRun run;
  run.step_seconds.reserve(static_cast<std::size_t>(steps));
  const std::uint64_t allocations0 = g_allocations.load();
  const auto t0 = Clock::now();
  for (int step = 0; step < steps; ++step) {
    const auto ts = Clock::now();
    if (step % 200 == 0) monitor.arm(step);
    const std::span<float> images = classifier.input_batch(30);  // as lesson 05 does: no copy
    sampler.next_batch(images, labels);
    classifier.train_step(images, labels);
    run.step_seconds.push_back(seconds_since(ts));
    if (step + 1 == std::min(100, steps / 2)) run.rss_at_100_kib = proc_status_kib("VmRSS");
  }
  run.seconds = seconds_since(t0);
  run.allocations = g_allocations.load() - allocations0;
  run.rss_at_end_kib = proc_status_kib("VmRSS");
  if (monitor.history().size() != static_cast<std::size_t>((steps + 199) / 200)) {
    throw std::runtime_error("flagship: the gradient monitor did not record every armed step");
  }
  if (evaluate) run.test_accuracy = mnist::evaluate_split(classifier, data.test);
  return run;
}

void bench_flagship(const Options& o, const Data& data, Reporter& rep) {
  const int steps = o.quick ? 120 : 2500;
  // A short warm-up run so that page faults of the first touch and lazy initialisation
  // (OpenBLAS's buffers) are not charged to the measured run.
  train_flagship(data, nn::Activation::relu, o.seed + 1000, o.quick ? 5 : 100, false);
  const TrainRun run = train_flagship(data, nn::Activation::relu, o.seed, steps, false);
  const std::string note = data.real ? "MNIST" : "synthetic data";
  rep.result("flagship", "ms_per_iter", 1e3 * run.seconds / steps, "ms", note);
  rep.result("flagship", "ms_per_iter_median", 1e3 * median(run.step_seconds), "ms", note);
  rep.result("flagship", "allocations_per_iter", static_cast<double>(run.allocations) / steps, "",
             "C++ heap allocations per step, monitor included");
  rep.result("flagship", "rss_growth_100_to_end", static_cast<double>(run.rss_at_end_kib - run.rss_at_100_kib), "KiB",
             fmt::format("VmRSS after step {} and after step {}", std::min(100, steps / 2), steps));
}

void bench_memory(const Options& o, const Data& data, Reporter& rep) {
  const int steps = o.quick ? 50 : 2500;
  const std::vector<nn::Activation> activations = {nn::Activation::sigmoid, nn::Activation::relu,
                                                   nn::Activation::leaky_relu};
  const int seeds = o.quick ? 1 : 3;
  const auto t0 = Clock::now();
  long growth_max = 0;
  for (auto a : activations) {
    for (int s = 0; s < seeds; ++s) {
      const TrainRun run = train_flagship(data, a, o.seed + static_cast<std::uint64_t>(s), steps, true);
      growth_max = std::max(growth_max, run.rss_at_end_kib - run.rss_at_100_kib);
    }
  }
  const double wall = seconds_since(t0);
  rep.result("memory", "lesson05_like_seconds", wall, "s",
             fmt::format("{} activations x {} seeds x {} steps + test accuracy", activations.size(), seeds, steps));
  rep.result("memory", "peak_rss", static_cast<double>(proc_status_kib("VmHWM")) / 1024.0, "MiB",
             "VmHWM, whole process incl. data");
  rep.result("memory", "rss_after_loading_data", static_cast<double>(data.rss_after_load_kib) / 1024.0, "MiB",
             "VmRSS once the data sets are in memory");
  rep.result("memory", "peak_rss_while_loading_data", static_cast<double>(data.peak_after_load_kib) / 1024.0, "MiB",
             "VmHWM right after reading the data sets");
  rep.result("memory", "rss_growth_100_to_end_max", static_cast<double>(growth_max), "KiB", "worst of the runs");
}

// ---------------------------------------------------------------------------------------------
// (b) a bigger MLP

void bench_mlp(const Options& o, const Data& data, Reporter& rep) {
  nn::MlpSpec spec;
  spec.inputs = 784;
  spec.hidden = {256, 256, 256, 256, 256};
  spec.outputs = 10;
  spec.activation = nn::Activation::relu;
  nn::TrainingOptions options;
  options.batch_size = 128;
  options.seed = o.seed;
  nn::Classifier classifier(spec, options);
  mnist::BatchSampler sampler(data.train, 128, o.seed);
  std::vector<std::uint8_t> labels(128);
  auto step = [&] {
    const std::span<float> images = classifier.input_batch(128);
    sampler.next_batch(images, labels);
    classifier.train_step(images, labels);
  };
  const int warmup = o.quick ? 1 : 10;
  const int steps = o.quick ? 3 : 200;
  for (int i = 0; i < warmup; ++i) step();
  std::vector<double> times;
  times.reserve(static_cast<std::size_t>(steps));
  const std::uint64_t allocations0 = g_allocations.load();
  const auto t0 = Clock::now();
  for (int i = 0; i < steps; ++i) {
    const auto ts = Clock::now();
    step();
    times.push_back(seconds_since(ts));
  }
  const double total = seconds_since(t0);
  const auto allocations = static_cast<double>(g_allocations.load() - allocations0);
  rep.result("mlp", "ms_per_iter", 1e3 * total / steps, "ms", data.real ? "MNIST" : "synthetic data");
  rep.result("mlp", "ms_per_iter_median", 1e3 * median(times), "ms");
  rep.result("mlp", "allocations_per_iter", allocations / steps, "", "C++ heap allocations per step");
}

// ---------------------------------------------------------------------------------------------
// (c) matmul

struct GemmShape {
  std::string label;
  int m, n, k;
  ad::kernels::Transpose ta = ad::kernels::Transpose::no;
  ad::kernels::Transpose tb = ad::kernels::Transpose::no;
  bool small = true;
};

// Median GFLOP/s of each of `count` implementations of one C = op(A) op(B): call(i) runs
// implementation i once. Batches of calls sized to take ~2 ms; the implementations' batches are
// interleaved so that a busy phase of the machine hits all of them alike.
template <class Call>
std::vector<double> gflops(const GemmShape& s, bool quick, int count, Call call) {
  const double flop = 2.0 * s.m * s.n * s.k;
  for (int i = 0; i < count; ++i) call(i);  // warm-up (and OpenBLAS's lazy initialisation)
  int per_batch = 1;
  for (;;) {  // grow the batch until it takes long enough to time
    const auto t0 = Clock::now();
    for (int r = 0; r < per_batch; ++r) call(0);
    if (seconds_since(t0) > (quick ? 2e-4 : 2e-3) || per_batch >= (1 << 20)) break;
    per_batch *= 2;
  }
  std::vector<std::vector<double>> rates(static_cast<std::size_t>(count));
  const int samples = quick ? 3 : (s.small ? 25 : 9);
  for (int r = 0; r < samples; ++r) {
    for (int i = 0; i < count; ++i) {
      const auto t0 = Clock::now();
      for (int b = 0; b < per_batch; ++b) call(i);
      rates[static_cast<std::size_t>(i)].push_back(flop * per_batch / seconds_since(t0) / 1e9);
    }
  }
  std::vector<double> result;
  for (auto& r : rates) result.push_back(median(r));
  return result;
}

void bench_matmul(const Options& o, Reporter& rep) {
  using ad::kernels::Transpose;
  std::vector<GemmShape> shapes = {
      {"1024x1024_by_1024x1024", 1024, 1024, 1024, Transpose::no, Transpose::no, false},
      {"30x784_by_784x10", 30, 10, 784},                 // layer 1 forward: x W
      {"30x10_by_10x10", 30, 10, 10},                    // layers 2-6 forward
      {"784x30_by_30x10", 784, 10, 30, Transpose::yes},  // layer 1 backward: dW = x^T dz
  };
  if (o.quick) shapes[0] = {"256x256_by_256x256", 256, 256, 256, Transpose::no, Transpose::no, false};
  std::mt19937_64 rng(o.seed);
  std::uniform_real_distribution<float> u(-1.0F, 1.0F);
  for (const auto& s : shapes) {
    std::vector<float> a(static_cast<std::size_t>(s.m) * s.k), b(static_cast<std::size_t>(s.k) * s.n),
        c(static_cast<std::size_t>(s.m) * s.n);
    for (float& v : a) v = u(rng);
    for (float& v : b) v = u(rng);
    const bool ta = s.ta == Transpose::yes, tb = s.tb == Transpose::yes;
    // gradflow's gemm and raw cblas_sgemm, interleaved; gemm_reference (small shapes only) on its
    // own, so that its long scalar batches do not sit between the two being compared.
    const auto g = gflops(s, o.quick, 2, [&](int which) {
      if (which == 0) {
        ad::kernels::gemm(s.ta, s.tb, s.m, s.n, s.k, 1.0F, a.data(), b.data(), 0.0F, c.data());
      } else {
        cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, s.m, s.n, s.k, 1.0F,
                    a.data(), ta ? s.m : s.k, b.data(), tb ? s.k : s.n, 0.0F, c.data(), s.n);
      }
    });
    rep.result("matmul", fmt::format("gemm_gflops[{}]", s.label), g[0], "GFLOP/s");
    rep.result("matmul", fmt::format("cblas_sgemm_gflops[{}]", s.label), g[1], "GFLOP/s");
    rep.result("matmul", fmt::format("gemm_vs_cblas[{}]", s.label), g[0] / g[1], "ratio",
               "gradflow gemm / raw cblas_sgemm, same process, interleaved");
    if (s.small) {
      const auto ref = gflops(s, o.quick, 1, [&](int /*which*/) {
        ad::kernels::gemm_reference(s.ta, s.tb, s.m, s.n, s.k, 1.0F, a.data(), b.data(), 0.0F, c.data());
      });
      rep.result("matmul", fmt::format("gemm_reference_gflops[{}]", s.label), ref[0], "GFLOP/s");
    }
  }
}

// ---------------------------------------------------------------------------------------------
// (d) per-op overhead

constexpr int kChainOps = 1000;

// w -> tanh -> scale(0.5) -> add(c) -> tanh -> ... (kChainOps ops) -> sum: the loss.
ad::Var build_chain(ad::Graph& g) {
  auto w = g.parameter("w", ad::Tensor::from_rows({{0.1F, -0.2F, 0.3F, -0.4F}}));
  auto c = g.parameter("c", ad::Tensor::from_rows({{0.05F, 0.1F, -0.05F, -0.1F}}));
  ad::Var x = w;
  for (int i = 0; i < kChainOps; ++i) {
    switch (i % 3) {
      case 0: x = ad::ops::tanh(x); break;
      case 1: x = ad::ops::scale(x, 0.5F); break;
      default: x = ad::ops::add(x, c); break;
    }
  }
  return ad::ops::sum(x);
}

// Reports one way of running the op chain: median microseconds per op forward, backward and
// both, and heap allocations per op.
void report_chain(Reporter& rep, std::string_view way, const std::vector<double>& fwd, const std::vector<double>& bwd,
                  std::uint64_t allocations, std::string_view allocations_note, std::string_view total_note) {
  const double f = 1e6 * median(fwd) / kChainOps, b = 1e6 * median(bwd) / kChainOps;
  rep.result("overhead", fmt::format("{}_allocations_per_op", way),
             static_cast<double>(allocations) / static_cast<double>(fwd.size()) / kChainOps, "", allocations_note);
  rep.result("overhead", fmt::format("{}_fwd_us_per_op", way), f, "us");
  rep.result("overhead", fmt::format("{}_bwd_us_per_op", way), b, "us");
  rep.result("overhead", fmt::format("{}_fwd_bwd_us_per_op", way), f + b, "us", total_note);
}

void bench_overhead(const Options& o, Reporter& rep) {
  const double min_seconds = o.quick ? 0.02 : 0.5;
  const int min_iters = o.quick ? 2 : 20;
  // Replayed: built once, then forward() and backward() as a training loop does.
  {
    ad::Graph g;
    const ad::Var loss = build_chain(g);
    g.forward();
    g.backward(loss);  // warm-up: sizes the gradients
    std::vector<double> fwd, bwd;
    fwd.reserve(1 << 16);
    bwd.reserve(1 << 16);
    const std::uint64_t allocations0 = g_allocations.load();
    const auto t0 = Clock::now();
    while (static_cast<int>(fwd.size()) < min_iters || seconds_since(t0) < min_seconds) {
      const auto t1 = Clock::now();
      g.forward();
      const auto t2 = Clock::now();
      g.backward(loss);
      fwd.push_back(std::chrono::duration<double>(t2 - t1).count());
      bwd.push_back(seconds_since(t2));
    }
    report_chain(rep, "replayed", fwd, bwd, g_allocations.load() - allocations0,
                 "C++ heap allocations per op, forward + backward", "chain of 1000 ops on [1 x 4]");
  }
  // Rebuilt: a fresh graph every iteration (building it computes the forward values).
  {
    std::vector<double> fwd, bwd;
    fwd.reserve(1024);
    bwd.reserve(1024);
    const std::uint64_t allocations0 = g_allocations.load();
    const auto t0 = Clock::now();
    const int iters_cap = o.quick ? 2 : 1000;
    while (static_cast<int>(fwd.size()) < std::min(min_iters, iters_cap) ||
           (seconds_since(t0) < min_seconds && static_cast<int>(fwd.size()) < iters_cap)) {
      const auto t1 = Clock::now();
      ad::Graph g;
      const ad::Var loss = build_chain(g);
      const auto t2 = Clock::now();
      g.backward(loss);
      fwd.push_back(std::chrono::duration<double>(t2 - t1).count());
      bwd.push_back(seconds_since(t2));
    }
    report_chain(rep, "rebuilt", fwd, bwd, g_allocations.load() - allocations0,
                 "C++ heap allocations per op, build + forward + backward", "build + forward + backward per iteration");
  }
}

// ---------------------------------------------------------------------------------------------

void environment(const Options& o, Reporter& rep) {
  if (o.threads > 0) openblas_set_num_threads(o.threads);
  rep.info("compiler", fmt::format("g++ {}", __VERSION__));
  rep.info("openblas_config", openblas_get_config());
  rep.info("openblas_corename", openblas_get_corename());
  rep.info("openblas_num_threads", std::to_string(openblas_get_num_threads()));
#ifdef NDEBUG
  rep.info("build", "release (NDEBUG)");
#else
  rep.info("build", "debug (assertions on)");
#endif
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  try {
    Reporter rep(o);
    environment(o, rep);
    auto want = [&](std::string_view w) { return o.workload == "all" || o.workload == w; };
    std::optional<Data> data;
    auto get_data = [&]() -> const Data& {
      if (!data) data = load_data(o, rep);
      return *data;
    };
    if (want("flagship")) bench_flagship(o, get_data(), rep);
    if (want("mlp")) bench_mlp(o, get_data(), rep);
    if (want("matmul")) bench_matmul(o, rep);
    if (want("overhead")) bench_overhead(o, rep);
    if (want("memory")) bench_memory(o, get_data(), rep);
  } catch (const std::exception& e) {
    std::cerr << "gradflow_bench: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
