// Lesson 06: initialisation sets the scale.
//
// Goal: see how the spread of the initial weights decides the scale of every layer of a deep
// network, before any training. The classic experiment (Glorot & Bengio 2010; He et al. 2015):
// a 784 -> 256 x20 -> 10 MLP (biases zero) looks at the first 1,000 MNIST training images once,
// forward and backward, with four initialisers and three activations, over five seeds:
//   normal_0.01     N(0, 0.01^2)                    too small: the signal dies out
//   normal_1        N(0, 1)                         too large: tanh saturates, ReLU explodes
//   glorot_uniform  U(+-sqrt(6 / (fan_in + fan_out)))  Var[W] = 2 / (fan_in + fan_out)
//   he_uniform      U(+-sqrt(6 / fan_in))           Var[W] = 2 / fan_in, for ReLU
// Why: a layer computes z = a W with fan_in terms, so Var[z] = fan_in Var[W] E[a^2]. With tanh
// near 0 (slope 1) Glorot's Var[W] = 1 / fan_in (for fan_in = fan_out) keeps Var[z] constant.
// ReLU zeroes half its inputs, E[a^2] = Var[z] / 2, so Glorot loses a factor 2 of variance,
// 1/sqrt(2) of standard deviation, per layer; He's 2 / fan_in gives it back. Backward multiplies
// by W^T and the activation's slope layer by layer, so the gradients follow the same scale.
// Then a short training run of a narrower net shows which combinations actually learn.
//
// Run it:
//   build/bin/lesson06_initialisation                # writes out/lesson06_initialisation
//   build/bin/lesson06_initialisation --seeds 10 --jobs 2
//   build/bin/lesson06_initialisation --depth 2      # too shallow: watch which claims fail
// Then open out/lesson06_initialisation/index.html; docs/lessons/06-initialisation.md explains it.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>

#include "lessons/runtime/lesson_runtime.hpp"
#include "lessons/runtime/parallel.hpp"
#include "lessons/runtime/report.hpp"
#include "lessons/runtime/seed_verdict.hpp"
#include "lessons/runtime/stats.hpp"
#include "mnist/dataset.hpp"
#include "nn/classifier.hpp"

namespace gl = gradflow::lessons;
namespace nn = gradflow::nn;
namespace fig = gradflow::lessons::figures;
using gradflow::autodiff::Tensor;

namespace {

const std::vector<std::string> kInits = {"normal_0.01", "normal_1", "glorot_uniform", "he_uniform"};
const std::vector<std::string> kActivations = {"tanh", "sigmoid", "relu"};
// One colour per initialiser in every figure (Okabe-Ito: orange, sky blue, black, bluish green).
const std::vector<std::string> kInitColors = {"#E69F00", "#56B4E9", "#000000", "#009E73"};

struct Settings {
  int images = 1000;  // the first N training images
  int depth = 20;     // hidden layers
  int width = 256;    // units per hidden layer
  int seeds = 5;
  std::uint64_t first_seed = 1;
  int train_steps = 300;  // the training part: Adam steps on the narrow net
  int train_width = 32;
  int train_batch = 32;
  int test_images = 10000;
  int jobs = gl::default_jobs();
};

// What one forward + backward at initialisation shows, layer by layer.
struct Scales {
  std::string init, activation;
  std::uint64_t seed = 0;
  std::vector<double> act_std;                // per hidden layer: std of its output a_l over images and units
  std::vector<double> saturated;              // per hidden layer: fraction of a_l at the flat ends (tanh, sigmoid)
  std::vector<double> grad_std;               // per weight layer (hidden + output): std of dL/dW_l
  std::vector<double> grad_mean_abs;          // per weight layer: mean |dL/dW_l|
  std::map<int, std::vector<float>> samples;  // layer -> its activations (kept for a few cases)
  std::string error;                          // the engine's NaN check, if it fired
};

double std_of(const Tensor& t) {
  double sum = 0, sum_sq = 0;
  for (float v : t.values()) {
    sum += v;
    sum_sq += static_cast<double>(v) * v;
  }
  const double n = static_cast<double>(t.size());
  return std::sqrt(std::max(0.0, sum_sq / n - (sum / n) * (sum / n)));
}

// The flat ends of a squashing activation, where its slope is under 2% of its maximum: tanh
// |a| > 0.99 (slope 1 - a^2 < 0.02), sigmoid a < 0.005 or a > 0.995 (slope a(1 - a) < 0.005).
double saturated_fraction(const std::string& activation, const Tensor& a) {
  if (activation == "relu") return 0.0;
  std::size_t n = 0;
  for (float v : a.values()) {
    n += activation == "tanh" ? (std::abs(v) > 0.99F) : (v < 0.005F || v > 0.995F);
  }
  return static_cast<double>(n) / static_cast<double>(a.size());
}

// The histograms on the page: tanh + N(0, 1), relu + Glorot, relu + He.
bool keeps_samples(const std::string& init, const std::string& activation) {
  return (activation == "tanh" && init == "normal_1") ||
         (activation == "relu" && (init == "glorot_uniform" || init == "he_uniform"));
}
std::vector<int> histogram_depths(int depth) {
  std::vector<int> d;
  for (int l : {1, 5, 10, 20}) d.push_back(std::min(l, depth));
  d.erase(std::unique(d.begin(), d.end()), d.end());
  return d;
}

// ---- Step 2: one forward and one backward at initialisation --------------------------------
Scales measure_at_init(const Settings& s, const std::string& init, const std::string& activation, std::uint64_t seed,
                       const gradflow::mnist::DataSplit& data, bool keep) {
  nn::MlpSpec spec{784,          std::vector<int>(static_cast<std::size_t>(s.depth), s.width),
                   10,           nn::parse_activation(activation),
                   std::nullopt, nn::parse_init(init)};
  nn::TrainingOptions options;
  options.batch_size = 1;  // the graph is built on one image; compute_gradients resizes it
  options.seed = seed;
  nn::Classifier net(spec, options);
  const auto n = static_cast<std::size_t>(s.images);
  Scales r;
  r.init = init;
  r.activation = activation;
  r.seed = seed;
  try {
    const std::vector<float> x = data.images_as_floats(0, n);  // bytes / 255
    net.compute_gradients(x, std::span(data.labels).first(n));
  } catch (const gradflow::autodiff::NonFiniteError& e) {
    r.error = e.what();  // reported as "not finite"; the statistics skip this seed
    return r;
  }
  const auto& layers = net.mlp().layers();
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const Tensor& dW = layers[l].kernel().grad();
    r.grad_std.push_back(std_of(dW));
    r.grad_mean_abs.push_back(gradflow::autodiff::mean_abs(dW));
    if (l + 1 == layers.size()) break;  // the output layer has no activation
    const Tensor& a = layers[l].output().value();
    r.act_std.push_back(std_of(a));
    r.saturated.push_back(saturated_fraction(activation, a));
  }
  if (keep) {
    for (int l : histogram_depths(s.depth)) {
      const auto v = layers[static_cast<std::size_t>(l - 1)].output().value().values();
      r.samples[l] = std::vector<float>(v.begin(), v.end());
    }
  }
  return r;
}

// ---- Step 4: which of them train? ---------------------------------------------------------
struct Trained {
  std::string init, activation;
  double test_accuracy = 0;
  double final_loss = 0;  // mean train-batch loss over the last 10% of steps
};

Trained train_briefly(const Settings& s, const std::string& init, const std::string& activation,
                      const gradflow::mnist::DataSets& data) {
  nn::MlpSpec spec{784,          std::vector<int>(static_cast<std::size_t>(s.depth), s.train_width),
                   10,           nn::parse_activation(activation),
                   std::nullopt, nn::parse_init(init)};
  nn::TrainingOptions options;
  options.batch_size = s.train_batch;
  options.seed = s.first_seed;
  nn::Classifier net(spec, options);
  net.graph().set_check_finite(false);  // a diverging run is a result here, not an error
  gradflow::mnist::BatchSampler batches(data.train, static_cast<std::size_t>(s.train_batch), s.first_seed);
  std::vector<std::uint8_t> labels(static_cast<std::size_t>(s.train_batch));
  double tail_loss = 0;
  int tail = 0;
  for (int step = 0; step < s.train_steps; ++step) {
    batches.next_batch(net.input_batch(s.train_batch), labels);
    const auto result = net.train_step(net.input().value().values(), labels);
    if (step >= s.train_steps - std::max(1, s.train_steps / 10)) {
      tail_loss += result.loss;
      ++tail;
    }
  }
  const auto n = std::min(data.test.size(), static_cast<std::size_t>(s.test_images));
  const std::span<float> x = net.input_batch(static_cast<int>(n));  // the images go straight into the graph
  data.test.images_as_floats(0, x);
  const double acc = net.evaluate(x, std::span(data.test.labels).first(n), static_cast<int>(n));
  return {init, activation, acc, tail_loss / tail};
}

// "0.354 ± 0.005" in significant digits: the scales in this lesson span 40 orders of magnitude.
std::string scale_text(const gl::Stats& st) {
  if (!st.ok()) return "not finite";
  return st.n > 1 ? fmt::format("{:.3g} ± {:.2g}", st.mean, st.std) : fmt::format("{:.3g}", st.mean);
}

// Mean and std over seeds of one per-layer curve, layer by layer.
std::vector<gl::Stats> per_layer(const std::vector<const Scales*>& runs, std::vector<double> Scales::*curve) {
  std::vector<gl::Stats> out;
  const Scales* first = nullptr;
  for (const Scales* r : runs) {
    if (r->error.empty()) first = r;
  }
  if (first == nullptr) return out;
  for (std::size_t l = 0; l < (first->*curve).size(); ++l) {
    std::vector<double> v;
    for (const Scales* r : runs) v.push_back(r->error.empty() ? (r->*curve)[l] : std::nan(""));
    out.push_back(gl::Stats::of(v));
  }
  return out;
}

nlohmann::json to_json(const std::vector<gl::Stats>& s) {
  auto j = nlohmann::json::array();
  for (const auto& x : s) j.push_back({x.n ? nlohmann::json(x.mean) : nullptr, x.n ? nlohmann::json(x.std) : nullptr});
  return j;
}

int lesson(int argc, char** argv) {
  Settings s;
  gl::CommonOptions common;
  gl::Flags flags("lesson06_initialisation",
                  "One forward and backward pass of a 20-layer MLP at initialisation, with four initialisers and "
                  "three activations: how the initial weights set the scale of every layer.");
  gl::add_common_flags(flags, common, "lesson06_initialisation", /*uses_data=*/true);
  flags.add_int("seeds", &s.seeds, "networks per combination (seeds --seed, --seed + 1, ...)", 1, 100);
  flags.add_int("images", &s.images, "the first N training images for the forward/backward pass", 1, 60000);
  flags.add_int("depth", &s.depth, "hidden layers (the claims are about 20)", 1, 100);
  flags.add_int("width", &s.width, "units per hidden layer (the claims are about 256)", 1, 4096);
  flags.add_int("train-steps", &s.train_steps, "Adam steps of the short training run (0: skip it)", 0, 100000);
  flags.add_int("train-width", &s.train_width, "units per hidden layer of the trained net", 1, 4096);
  flags.add_int("jobs", &s.jobs, "runs in parallel (default: one per core); results do not depend on it", 1,
                gl::kMaxJobs);
  if (!flags.parse(argc, argv)) return 0;
  s.first_seed = common.seed;
  if (common.quick) {  // the smoke test: every step and output, on a few images
    s.images = std::min(s.images, 100);
    s.seeds = std::min(s.seeds, 2);
    s.train_steps = std::min(s.train_steps, 20);
    s.test_images = 500;
  }

  gl::Report report({"06_initialisation", "Lesson 06: initialisation sets the scale",
                     "How the spread of the initial weights decides the scale of every layer of a deep network."},
                    common);
  // The claims below are about the settings; the page says when a flag moved the run.
  const Settings defaults;
  report.setting("images", s.images, s.images != defaults.images);
  report.setting("network", fmt::format("784 -> {} x{} -> 10, biases zero", s.width, s.depth),
                 s.width != defaults.width || s.depth != defaults.depth);
  report.setting("seeds", fmt::format("{} ({} .. {})", s.seeds, s.first_seed, s.first_seed + s.seeds - 1),
                 s.seeds != defaults.seeds);
  report.setting("training",
                 fmt::format("784 -> {} x{} -> 10, Adam lr 0.001, batch {}, {} steps, seed {}", s.train_width, s.depth,
                             s.train_batch, s.train_steps, s.first_seed),
                 s.train_steps != defaults.train_steps || s.train_width != defaults.train_width);
  std::vector<std::string> moved;
  if (s.images != defaults.images) moved.push_back(fmt::format("{} images (the claims: 1,000)", s.images));
  if (s.depth != defaults.depth) moved.push_back(fmt::format("{} hidden layers (the claims: 20)", s.depth));
  if (s.width != defaults.width) moved.push_back(fmt::format("width {} (the claims: 256)", s.width));
  if (s.seeds != defaults.seeds) moved.push_back(fmt::format("{} seeds (the issue: 5)", s.seeds));
  const std::string settings_note = moved.empty() ? "" : fmt::format("this run used {}", fmt::join(moved, ", "));

  // ---- Step 1: the data -------------------------------------------------------------------
  report.section("1. The data: the first images of the training file");
  const auto data = gradflow::mnist::read_data_sets(common.data, 0);
  if (data.train.size() < static_cast<std::size_t>(s.images)) {
    throw std::runtime_error(fmt::format("--images {}: {} holds only {} training images", s.images,
                                         common.data.string(), data.train.size()));
  }
  report.text(fmt::format("{} images of {}, pixels / 255, labels one-hot; softmax cross-entropy averaged over them.",
                          s.images, common.data.string()));

  // ---- Step 2: every combination, one forward and one backward ------------------------------
  report.section("2. One forward and one backward pass at initialisation");
  struct Job {
    std::string init, activation;
    std::uint64_t seed;
  };
  std::vector<Job> jobs;
  for (const auto& act : kActivations) {
    for (const auto& init : kInits) {
      for (int k = 0; k < s.seeds; ++k) jobs.push_back({init, act, s.first_seed + static_cast<std::uint64_t>(k)});
    }
  }
  std::vector<Scales> runs;
  gl::run_parallel<Scales>(
      jobs.size(), s.jobs,
      [&](std::size_t i) {
        const Job& j = jobs[i];
        return measure_at_init(s, j.init, j.activation, j.seed, data.train,
                               j.seed == s.first_seed && keeps_samples(j.init, j.activation));
      },
      [&](std::size_t, Scales& r) { runs.push_back(std::move(r)); });
  auto runs_of = [&](const std::string& init, const std::string& act) {
    std::vector<const Scales*> v;
    for (const auto& r : runs) {
      if (r.init == init && r.activation == act) v.push_back(&r);
    }
    return v;
  };
  int non_finite = 0;
  for (const auto& r : runs) non_finite += r.error.empty() ? 0 : 1;
  report.text(
      fmt::format("{} networks ({} initialisers x {} activations x {} seeds), each one forward and one "
                  "backward pass over the {} images; {} of them hit a non-finite value.",
                  runs.size(), kInits.size(), kActivations.size(), s.seeds, s.images, non_finite));
  for (const auto& r : runs) {
    if (!r.error.empty())
      report.text(fmt::format("{} + {}, seed {}: not finite: {}", r.init, r.activation, r.seed, r.error));
  }

  // The per-layer statistics over seeds: summary.json's init_stats.
  nlohmann::json init_stats;
  std::map<std::pair<std::string, std::string>, std::array<std::vector<gl::Stats>, 4>> stats;
  for (const auto& init : kInits) {
    for (const auto& act : kActivations) {
      const auto rs = runs_of(init, act);
      auto& st = stats[{init, act}];
      st = {per_layer(rs, &Scales::act_std), per_layer(rs, &Scales::grad_std), per_layer(rs, &Scales::grad_mean_abs),
            per_layer(rs, &Scales::saturated)};
      init_stats[init][act] = {{"act_std", to_json(st[0])},
                               {"grad_std", to_json(st[1])},
                               {"grad_mean_abs", to_json(st[2])},
                               {"saturated_fraction", to_json(st[3])}};
    }
  }
  report.value("init_stats", init_stats);

  // ---- Step 3: what the numbers show ----------------------------------------------------------
  report.section("3. The scale of every layer");
  auto layer_axis = [](std::size_t n) {
    std::vector<double> x;
    for (std::size_t l = 1; l <= n; ++l) x.push_back(static_cast<double>(l));
    return x;
  };
  auto curve_figure = [&](std::string name, std::string title, std::string y_label, int which, std::string caption) {
    fig::Figure f;
    f.name = std::move(name);
    f.title = std::move(title);
    f.caption = std::move(caption);
    f.columns = 3;
    f.panel_width = 460;
    for (const auto& act : kActivations) {
      fig::Panel& p = f.panels.emplace_back();
      p.title = act;
      p.x_label = "layer";
      p.y_label = y_label;
      p.log_y = true;
      // The legend goes where no curve runs: below tanh's activations, between ReLU's
      // exploding and healthy gradients.
      if (which == 0) p.legend = act == "tanh" ? "bottom left" : "";
      if (which != 0) p.legend = act == "relu" ? "at graph 0.98, graph 0.86 right top" : "";
      for (std::size_t i = 0; i < kInits.size(); ++i) {
        const auto& st = stats[{kInits[i], act}][static_cast<std::size_t>(which)];
        fig::Series series;
        series.title = kInits[i];
        series.x = layer_axis(st.size());
        series.color = kInitColors[i];
        series.style = fig::Style::linespoints;
        for (const auto& x : st) {
          // A log axis cannot show 0: a value that underflowed leaves a gap.
          series.y.push_back(x.n && x.mean > 0 ? x.mean : std::nan(""));
          series.lo.push_back(x.n && x.min > 0 ? x.min : std::nan(""));
          series.hi.push_back(x.n && x.max > 0 ? x.max : std::nan(""));
        }
        p.series.push_back(std::move(series));
      }
    }
    f.footnote = fmt::format("mean over {} seed(s); band: min to max", s.seeds);
    report.figure(f);
  };
  curve_figure("activation_std", "Standard deviation of each hidden layer's output at initialisation", "std of a_l", 0,
               "How to read it: a flat line keeps the scale; a falling one collapses it, a rising one explodes "
               "it. The theory predicts, for relu, a constant factor 1/sqrt 2 = 0.707 per layer with Glorot "
               "and none with He; the claims below say what this run measured.");
  curve_figure("gradient_mean_abs",
               "Mean |dL/dW| of each weight layer at initialisation (the last is the output layer)", "mean |dL/dW_l|",
               2,
               "Backward multiplies by W^T and the activation's slope at every layer, so the gradients inherit "
               "the scale the forward pass set.");

  // The numbers behind the claims, in one table: first and last hidden layer.
  gl::Table table{{"init", "activation", "act std layer 1", fmt::format("act std layer {}", s.depth),
                   fmt::format("saturated layer {}", s.depth), "mean |dL/dW| layer 1",
                   fmt::format("mean |dL/dW| layer {}", s.depth + 1)},
                  {},
                  fmt::format("Mean over {} seed(s) (± std over seeds)", s.seeds)};
  for (const auto& act : kActivations) {
    for (const auto& init : kInits) {
      const auto& st = stats[{init, act}];
      if (st[0].empty()) {
        table.rows.push_back({init, act, "not finite", "", "", "", ""});
        continue;
      }
      table.rows.push_back({init, act, scale_text(st[0].front()), scale_text(st[0].back()),
                            act == "relu" ? "-" : gl::format_stats(st[3].back(), 2, 100, "%"),
                            fmt::format("{:.3g}", st[2].front().mean), fmt::format("{:.3g}", st[2].back().mean)});
    }
  }
  report.table(table);

  // Histograms of the activations at a few depths, for the three telling cases.
  {
    fig::Figure f;
    f.name = "activation_histograms";
    f.title = "Activations at a few depths (seed " + std::to_string(s.first_seed) + ")";
    f.caption =
        "The three cases the theory singles out: tanh with N(0, 1) (saturation would pile the values at "
        "-1 and +1, where the slope is near 0), and ReLU with Glorot and with He, whose positive outputs "
        "are shown on a log axis, where shrinking by 1/sqrt 2 per layer is a shift of 0.15 to the left. "
        "ReLU's exact zeros are left out.";
    f.columns = 3;
    f.panel_width = 460;
    struct Case {
      std::string init, act, title;
    };
    for (const Case& c :
         {Case{"normal_1", "tanh", "tanh, normal_1"}, Case{"glorot_uniform", "relu", "relu, glorot_uniform"},
          Case{"he_uniform", "relu", "relu, he_uniform"}}) {
      const Scales* r = nullptr;
      for (const auto& run : runs) {
        if (run.init == c.init && run.activation == c.act && run.seed == s.first_seed) r = &run;
      }
      fig::Panel& p = f.panels.emplace_back();
      p.title = c.title;
      p.x_label = c.act == "tanh" ? "a" : "log10(a), a > 0";
      p.y_label = "fraction of values";
      p.legend = "top left";
      if (c.act == "tanh") p.x_tic_step = 0.5;
      if (r == nullptr || !r->error.empty()) continue;
      const auto depths = histogram_depths(s.depth);
      for (std::size_t k = 0; k < depths.size(); ++k) {
        const auto& v = r->samples.at(depths[k]);
        const bool relu = c.act == "relu";
        const double lo = relu ? -6.0 : -1.0, hi = relu ? 2.0 : 1.0;
        const int bins = 40;
        std::vector<double> counts(bins, 0.0);
        for (float a : v) {
          if (relu && a <= 0) continue;
          const double x = relu ? std::log10(a) : a;
          counts[static_cast<std::size_t>(std::clamp(static_cast<int>((x - lo) / (hi - lo) * bins), 0, bins - 1))] += 1;
        }
        fig::Series series;
        series.title = fmt::format("layer {}", depths[k]);
        series.color = gl::figures::sequential_color(k, depths.size());
        for (int b = 0; b < bins; ++b) {
          series.x.push_back(lo + (b + 0.5) * (hi - lo) / bins);
          series.y.push_back(counts[static_cast<std::size_t>(b)] / static_cast<double>(v.size()));
        }
        p.series.push_back(std::move(series));
      }
    }
    report.figure(f);
  }

  // ---- The claims, judged from the numbers above ------------------------------------------
  // Each claim is judged seed by seed; it holds when every seed agrees, fails when none does,
  // and is inconclusive when the seeds disagree (the data cannot decide).
  const std::size_t last = static_cast<std::size_t>(s.depth) - 1;  // index of the last hidden layer
  auto seeds_of = [&](const std::string& init, const std::string& act) { return runs_of(init, act); };
  report.section("4. The claims");
  {
    // Glorot keeps tanh's scale: neither collapsed nor saturated at the last hidden layer.
    std::vector<gl::SeedTest> tests;
    auto kept = [&](const Scales& r) { return r.act_std[last] > 0.1 * r.act_std[0] && r.saturated[last] < 0.05; };
    std::string measured;
    for (const auto& init : kInits) {
      if (init == "he_uniform") continue;
      for (const Scales* r : seeds_of(init, "tanh")) {
        if (!r->error.empty()) continue;
        if (r->seed == s.first_seed) {
          measured += fmt::format("{}: std ratio layer {}/1 = {:.3g}, saturated {:.1f}%; ", init, s.depth,
                                  r->act_std[last] / r->act_std[0], 100 * r->saturated[last]);
        }
      }
    }
    for (int k = 0; k < s.seeds; ++k) {
      const auto seed = s.first_seed + static_cast<std::uint64_t>(k);
      auto find = [&](const std::string& init) -> const Scales* {
        for (const Scales* r : seeds_of(init, "tanh")) {
          if (r->seed == seed && r->error.empty()) return r;
        }
        return nullptr;
      };
      const Scales *g = find("glorot_uniform"), *a = find("normal_0.01"), *b = find("normal_1");
      tests.push_back(g && a && b ? gl::SeedTest{kept(*g) && !kept(*a) && !kept(*b)} : gl::SeedTest{});
    }
    report.claim(gl::judge_over_seeds(
        "glorot_keeps_tanh_scale", "Glorot keeps tanh's activation scale better than both normals.",
        measured + fmt::format("(seed {})", s.first_seed),
        fmt::format("per seed: the scale is kept when the last hidden layer's std is over 1/10 of layer 1's and "
                    "under 5% of its outputs have |a| > 0.99; the claim holds for a seed when Glorot keeps it "
                    "and neither normal does"),
        tests, settings_note));
  }
  {
    // ReLU: He flat, Glorot geometric shrinkage (from layer 2 on, where fan_in = fan_out).
    std::vector<gl::SeedTest> tests;
    std::string measured;
    for (int k = 0; k < s.seeds; ++k) {
      const auto seed = s.first_seed + static_cast<std::uint64_t>(k);
      const Scales *he = nullptr, *glorot = nullptr;
      for (const Scales* r : seeds_of("he_uniform", "relu")) he = r->seed == seed && r->error.empty() ? r : he;
      for (const Scales* r : seeds_of("glorot_uniform", "relu"))
        glorot = r->seed == seed && r->error.empty() ? r : glorot;
      if (!he || !glorot || s.depth < 3) {
        tests.emplace_back();
        continue;
      }
      const double he_ratio = he->act_std[last] / he->act_std[1];
      const double steps = static_cast<double>(last - 1);
      const double factor = std::pow(glorot->act_std[last] / glorot->act_std[1], 1.0 / steps);
      bool every_step_shrinks = true;
      for (std::size_t l = 2; l <= last; ++l) every_step_shrinks &= glorot->act_std[l] < glorot->act_std[l - 1];
      if (k == 0) {
        measured = fmt::format(
            "seed {}: He's std layer {}/layer 2 = {:.3g}; Glorot's std layer {}/layer 2 = {:.3g}, a factor {:.3f} "
            "per layer (1/sqrt 2 = 0.707), every layer {}",
            seed, s.depth, he_ratio, s.depth, glorot->act_std[last] / glorot->act_std[1], factor,
            every_step_shrinks ? "smaller than the one before" : "not always smaller");
      }
      tests.push_back({he_ratio > 0.5 && he_ratio < 2.0 && factor < 0.85 && every_step_shrinks});
    }
    report.claim(gl::judge_over_seeds(
        "relu_he_holds_glorot_shrinks",
        "With ReLU, He holds the activation scale over 20 layers while Glorot lets it shrink geometrically.", measured,
        "per seed (layers 2..last, where fan_in = fan_out): He's last/layer-2 std ratio within [0.5, 2]; Glorot's "
        "geometric-mean factor per layer below 0.85 and every layer's std below the previous one's; needs 3+ layers",
        tests, settings_note));
  }
  {
    // N(0, 0.01): activations and gradients collapse. Judged per activation, since sigmoid
    // behaves differently: sigmoid(0) = 1/2, so its outputs collapse onto 0.5, not onto 0.
    std::string measured, rule_fails;
    int pass_all = 0, fail_all = 0, missing = 0;  // activations whose every seed passed / failed
    std::vector<std::string> passed_acts, failed_acts;
    for (const auto& act : kActivations) {
      int pass = 0, fail = 0;
      for (int k = 0; k < s.seeds; ++k) {
        const auto seed = s.first_seed + static_cast<std::uint64_t>(k);
        const Scales *r = nullptr, *glorot = nullptr;
        for (const Scales* x : seeds_of("normal_0.01", act)) r = x->seed == seed && x->error.empty() ? x : r;
        for (const Scales* x : seeds_of("glorot_uniform", act))
          glorot = x->seed == seed && x->error.empty() ? x : glorot;
        if (!r || !glorot) continue;
        const double act_ratio = r->act_std[last] / r->act_std[0];
        const double grad_ratio = r->grad_mean_abs.front() / glorot->grad_mean_abs.front();
        (act_ratio < 1e-3 && grad_ratio < 1e-3 ? pass : fail) += 1;
        if (k == 0) {
          measured += fmt::format("{}: act std layer {}/layer 1 = {:.2g}, layer 1's mean |dL/dW| = {:.2g} x Glorot's; ",
                                  act, s.depth, act_ratio, grad_ratio);
        }
      }
      if (pass + fail < s.seeds) ++missing;
      if (pass == s.seeds) {
        ++pass_all;
        passed_acts.push_back(act);
      } else if (fail == s.seeds) {
        ++fail_all;
        failed_acts.push_back(act);
      }
    }
    const int n_acts = static_cast<int>(kActivations.size());
    gl::Verdict v = gl::Verdict::inconclusive;  // some activation's seeds disagree
    if (missing == n_acts) {
      v = gl::Verdict::not_tested;
    } else if (missing == 0 && pass_all == n_acts) {
      v = gl::Verdict::holds;
    } else if (missing == 0 && fail_all == n_acts) {
      v = gl::Verdict::fails;
    } else if (missing == 0 && pass_all + fail_all == n_acts) {
      v = gl::Verdict::mixed;
    }
    measured += fmt::format("(seed {}); every seed passed for: {}; every seed failed for: {}", s.first_seed,
                            passed_acts.empty() ? "none" : fmt::format("{}", fmt::join(passed_acts, ", ")),
                            failed_acts.empty() ? "none" : fmt::format("{}", fmt::join(failed_acts, ", ")));
    report.claim({"normal_0.01_collapses", "N(0, 0.01) collapses activations and gradients toward zero.", measured,
                  "per activation and seed: the last hidden layer's std below 1/1000 of layer 1's, and layer 1's mean "
                  "|dL/dW| below 1/1000 of Glorot's at the same seed; holds if every activation passes on every "
                  "seed, fails if none does, mixed if some activations pass on every seed and the others fail on "
                  "every seed, inconclusive if seeds disagree",
                  v, settings_note});
  }
  {
    // N(0, 1): tanh saturates, relu explodes.
    std::vector<gl::SeedTest> tests;
    std::string measured;
    for (int k = 0; k < s.seeds; ++k) {
      const auto seed = s.first_seed + static_cast<std::uint64_t>(k);
      const Scales *t = nullptr, *r = nullptr;
      for (const Scales* x : seeds_of("normal_1", "tanh")) t = x->seed == seed && x->error.empty() ? x : t;
      for (const Scales* x : seeds_of("normal_1", "relu")) r = x->seed == seed && x->error.empty() ? x : r;
      if (!t || !r) {
        tests.emplace_back();
        continue;
      }
      const double growth = r->act_std[last] / r->act_std[0];
      if (k == 0) {
        measured = fmt::format("seed {}: tanh saturated at layer {}: {:.1f}%; relu std layer {}/1 = {:.3g}", seed,
                               s.depth, 100 * t->saturated[last], s.depth, growth);
      }
      tests.push_back({t->saturated[last] > 0.5 && growth > 1e3});
    }
    report.claim(gl::judge_over_seeds(
        "normal_1_saturates_tanh_explodes_relu", "N(0, 1) saturates tanh and explodes ReLU.", measured,
        "per seed: over half of tanh's last-layer outputs have |a| > 0.99, and ReLU's last-layer std is over 1000 "
        "times layer 1's",
        tests, settings_note));
  }

  // ---- Step 4: which of them train? ---------------------------------------------------------
  if (s.train_steps > 0) {
    report.section("5. Which of them train?");
    std::vector<Job> train_jobs;
    for (const auto& act : kActivations) {
      for (const auto& init : kInits) train_jobs.push_back({init, act, s.first_seed});
    }
    std::vector<Trained> trained;
    gl::run_parallel<Trained>(
        train_jobs.size(), s.jobs,
        [&](std::size_t i) { return train_briefly(s, train_jobs[i].init, train_jobs[i].activation, data); },
        [&](std::size_t, Trained& t) { trained.push_back(t); });
    const auto n_test = std::min(data.test.size(), static_cast<std::size_t>(s.test_images));
    gl::Table t{{"init", "activation", "test accuracy", "train loss (last 10% of steps)"},
                {},
                fmt::format("784 -> {} x{} -> 10, Adam (lr 0.001), batch {}, {} steps, seed {}; {} test images",
                            s.train_width, s.depth, s.train_batch, s.train_steps, s.first_seed, n_test)};
    fig::Figure f;
    f.name = "trained_accuracy";
    f.title =
        fmt::format("Test accuracy after {} Adam steps (784 -> {} x{} -> 10)", s.train_steps, s.train_width, s.depth);
    f.caption = "One group of points per activation, one colour per initialiser; chance level is 10%.";
    fig::Panel& p = f.panels.emplace_back();
    p.x_label = "activation";
    p.y_label = "test accuracy (%)";
    p.y_min = 0;
    p.y_max = 100;
    p.x_tic_labels = kActivations;
    p.x_min = 0.5;
    p.x_max = static_cast<double>(kActivations.size()) + 0.5;
    p.legend = "outside right top";
    f.panel_width = 760;
    for (std::size_t i = 0; i < kInits.size(); ++i) {
      fig::Series series;
      series.title = kInits[i];
      series.style = fig::Style::points;
      series.color = kInitColors[i];
      for (std::size_t a = 0; a < kActivations.size(); ++a) {
        for (const auto& tr : trained) {
          if (tr.init == kInits[i] && tr.activation == kActivations[a]) {
            series.x.push_back(static_cast<double>(a + 1) + (static_cast<double>(i) - 1.5) * 0.12);
            series.y.push_back(100 * tr.test_accuracy);
          }
        }
      }
      p.series.push_back(std::move(series));
    }
    nlohmann::json tj;
    for (const auto& tr : trained) {
      t.rows.push_back({tr.init, tr.activation, fmt::format("{:.1f}%", 100 * tr.test_accuracy),
                        std::isfinite(tr.final_loss) ? fmt::format("{:.3g}", tr.final_loss) : "not finite"});
      tj[tr.init][tr.activation] = {
          {"test_accuracy", tr.test_accuracy},
          {"final_loss", std::isfinite(tr.final_loss) ? nlohmann::json(tr.final_loss) : nullptr}};
    }
    report.table(t);
    report.figure(f);
    report.value("training", tj);
    const auto best = std::max_element(trained.begin(), trained.end(), [](const Trained& a, const Trained& b) {
      return a.test_accuracy < b.test_accuracy;
    });
    const auto worst = std::min_element(trained.begin(), trained.end(), [](const Trained& a, const Trained& b) {
      return a.test_accuracy < b.test_accuracy;
    });
    report.text(
        fmt::format("In this run the best combination was {} + {} ({:.1f}% test accuracy), the worst {} + {} "
                    "({:.1f}%).",
                    best->init, best->activation, 100 * best->test_accuracy, worst->init, worst->activation,
                    100 * worst->test_accuracy));
  }
  return report.finish();
}

}  // namespace

int main(int argc, char** argv) { return gl::run_main(argc, argv, lesson); }
