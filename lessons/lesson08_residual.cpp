// Lesson 08: depth and skip connections.
//
// Goal: see why a skip connection lets a deep network train. Two MLPs of the same depth,
//   plain:     784 -> 64, then 20 layers h <- f(h), then -> 10
//   residual:  784 -> 64, then 20 blocks h <- h + f(h), then -> 10
// with f a 64 -> 64 dense layer and its activation (sigmoid, then ReLU), are trained with Adam
// on MNIST. At a block y = h + f(h), backward hands dL/dy to h twice:
//   dL/dh = dL/dy  (through the skip: unchanged)  +  (dL/dy * f'(z)) W^T  (through f).
// In the plain net only the second term exists: 20 sigmoid layers multiply the gradient by
// sigmoid'(z) W^T <= 1/4 |W| twenty times, and the first layers hear almost nothing (lesson 05).
// With the skip, the first term carries the gradient from the loss to the first block undamped.
// We measure, per block and over training, the mean |dL/dW| of f's kernel and the mean |dL/dh|
// arriving at the block's input, split into the skip share and the f share, and draw both paths
// in a layer-level gradient-flow diagram.
//
// Run it:
//   build/bin/lesson08_residual               # writes out/lesson08_residual
//   build/bin/lesson08_residual --blocks 40 --seeds 2
//   build/bin/lesson08_residual --blocks 2    # too shallow for the claims: see them fail
//   build/bin/lesson08_residual --optimizer sgd --lr 0.05   # another optimizer: the page says so
//   build/bin/lesson08_residual --tensorboard runs/lesson08  # + TensorBoard event files
// Then open out/lesson08_residual/index.html; docs/lessons/08-residual.md explains every figure.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>

#include "autodiff/autodiff.hpp"
#include "autodiff/errors.hpp"
#include "lessons/runtime/lesson_runtime.hpp"
#include "lessons/runtime/optimizer_flags.hpp"
#include "lessons/runtime/parallel.hpp"
#include "lessons/runtime/report.hpp"
#include "lessons/runtime/seed_verdict.hpp"
#include "lessons/runtime/stats.hpp"
#include "lessons/runtime/training_log.hpp"
#include "mnist/dataset.hpp"
#include "nn/metrics.hpp"
#include "nn/optimizer.hpp"
#include "nn/residual.hpp"

namespace gl = gradflow::lessons;
namespace nn = gradflow::nn;
namespace fig = gradflow::lessons::figures;
namespace ad = gradflow::autodiff;

namespace {

struct Settings {
  int width = 64;
  int blocks = 20;
  int steps = 800;
  int batch = 50;
  int log_every = 100;
  int seeds = 2;
  std::uint64_t first_seed = 1;
  int test_images = 10000;
  std::vector<std::string> activations = {"sigmoid", "relu"};
  int jobs = gl::default_jobs();
  gl::OptimizerFlags optimizer;       // --optimizer, --lr (the claims: Adam, lr 0.001)
  std::filesystem::path tensorboard;  // --tensorboard DIR (empty: none)
};

// What one logged backward pass shows at each block.
struct BlockFlow {
  double kernel_grad = 0;  // mean |dL/dW| of f's kernel
  double input_grad = 0;   // mean |dL/dh| at the block's input (both paths together)
  double skip_share = 0;   // mean |dL/dy|: what the skip hands to h (0 without a skip)
  double f_share = 0;      // mean |dL/dh - dL/dy| (or |dL/dh| without a skip): what comes back through f
};

// One weight layer at a logged step (stem = layer 1, block b = layer b + 1, head = the last), for
// scalars.csv and TensorBoard; the raw values only with --tensorboard.
struct LayerLog {
  double kernel_grad = 0, bias_grad = 0;  // mean |dL/dW|, mean |dL/db|
  std::vector<float> kernel_grads, kernel_values;
};

struct Run {
  std::string activation;
  bool skip = false;
  std::uint64_t seed = 0;
  std::vector<long> steps;                    // logged steps
  std::vector<double> loss;                   // train-batch loss at the logged steps
  std::vector<double> accuracy;               // train-batch accuracy at the logged steps
  std::vector<std::vector<LayerLog>> layers;  // per logged step, per weight layer
  std::vector<std::vector<BlockFlow>> flow;   // per logged step, per block
  double stem_grad = 0, head_grad = 0;        // mean |dL/dW| at the last logged step
  double test_accuracy = 0;
};

std::string net_name(bool skip) { return skip ? "residual" : "plain"; }

double mean_abs_difference(const ad::Tensor& a, const ad::Tensor& b) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += std::abs(static_cast<double>(a[i]) - b[i]);
  return a.size() ? s / static_cast<double>(a.size()) : 0.0;
}

Run train(const Settings& s, const std::string& activation, bool skip, std::uint64_t seed,
          const gradflow::mnist::DataSets& data) {
  // ---- Step 1: the network, built from engine ops (nn/residual.hpp) -------------------------
  ad::Graph g;
  nn::Rng rng(seed);
  nn::ResidualMlpSpec spec;
  spec.width = s.width;
  spec.blocks = s.blocks;
  spec.hidden.activation = nn::parse_activation(activation);
  spec.skip = skip;
  nn::ResidualMlp net(g, spec, rng);
  ad::Var x = g.input("x", ad::Tensor({s.batch, 784}));
  ad::Var labels = g.input("labels", ad::Tensor({s.batch, 10}));
  ad::Var logits = net(x);
  ad::Var loss = ad::softmax_cross_entropy(logits, labels);
  const auto optimizer = gl::make_optimizer(s.optimizer, net.parameters());  // Adam 0.001 unless flags

  // ---- Step 2: train, and look at every block's gradients on the logged steps ---------------
  gradflow::mnist::BatchSampler batches(data.train, static_cast<std::size_t>(s.batch), seed);
  std::vector<std::uint8_t> y(static_cast<std::size_t>(s.batch));
  Run run;
  run.activation = activation;
  run.skip = skip;
  run.seed = seed;
  for (int step = 0; step < s.steps; ++step) {
    batches.next_batch(g.input_value(x).values(), y);
    g.input_value(labels) = nn::one_hot(y, 10);
    try {
      g.forward();
      g.backward(loss);
    } catch (const ad::NonFiniteError& e) {
      // Too large a --lr (or plain SGD on a deep net) can overflow: say which run, and when.
      throw std::runtime_error(
          fmt::format("training diverged ({} {} net, seed {}, step {}, {}): {}; try a smaller --lr", net_name(skip),
                      activation, seed, step, s.optimizer.describe(), e.what()));
    }
    if (step % s.log_every == 0 || step == s.steps - 1) {
      run.steps.push_back(step);
      run.loss.push_back(loss.value().item());
      const auto predicted = nn::argmax_rows(logits.value());
      int right = 0;
      for (std::size_t r = 0; r < y.size(); ++r) right += predicted[r] == y[r];
      run.accuracy.push_back(static_cast<double>(right) / static_cast<double>(y.size()));
      auto& layers = run.layers.emplace_back();
      auto log_layer = [&](const nn::Dense& d) {
        LayerLog l{ad::mean_abs(d.kernel().grad()), ad::mean_abs(d.bias().grad()), {}, {}};
        if (!s.tensorboard.empty()) {
          const auto grad = d.kernel().grad().values();
          const auto value = d.kernel().value().values();
          l.kernel_grads.assign(grad.begin(), grad.end());
          l.kernel_values.assign(value.begin(), value.end());
        }
        layers.push_back(std::move(l));
      };
      log_layer(net.stem());
      for (const nn::ResidualBlock& b : net.blocks()) log_layer(b.f());
      log_layer(net.head());
      auto& flow = run.flow.emplace_back();
      for (const nn::ResidualBlock& b : net.blocks()) {
        // After backward every node holds its gradient: h's is the sum of both paths' shares,
        // y's is what arrived at the block's output (= the skip's share of h's).
        const ad::Tensor& dh = b.input().grad();
        const ad::Tensor& dy = b.output().grad();
        BlockFlow f;
        f.kernel_grad = ad::mean_abs(b.f().kernel().grad());
        f.input_grad = ad::mean_abs(dh);
        f.skip_share = skip ? ad::mean_abs(dy) : 0.0;
        f.f_share = skip ? mean_abs_difference(dh, dy) : f.input_grad;
        flow.push_back(f);
      }
      run.stem_grad = ad::mean_abs(net.stem().kernel().grad());
      run.head_grad = ad::mean_abs(net.head().kernel().grad());
    }
    optimizer->step();
  }

  // ---- Step 3: test accuracy, a batch at a time ---------------------------------------------
  const auto n = std::min(data.test.size(), static_cast<std::size_t>(s.test_images));
  std::size_t correct = 0, seen = 0;
  for (std::size_t start = 0; start + static_cast<std::size_t>(s.batch) <= n;
       start += static_cast<std::size_t>(s.batch)) {
    data.test.images_as_floats(start, g.input_value(x).values());  // the batch straight into the graph
    g.forward();
    const auto predicted = nn::argmax_rows(logits.value());
    for (int r = 0; r < s.batch; ++r)
      correct += predicted[static_cast<std::size_t>(r)] == data.test.labels[start + static_cast<std::size_t>(r)];
    seen += static_cast<std::size_t>(s.batch);
  }
  run.test_accuracy = seen ? static_cast<double>(correct) / static_cast<double>(seen) : 0.0;
  return run;
}

// Averages over the logged steps (skipping step 0, the untrained net) of one per-block number.
std::vector<double> over_training(const Run& r, double BlockFlow::*field) {
  std::vector<double> out(r.flow.front().size(), 0.0);
  const std::size_t first = r.flow.size() > 1 ? 1 : 0;
  for (std::size_t k = first; k < r.flow.size(); ++k) {
    for (std::size_t b = 0; b < out.size(); ++b) out[b] += r.flow[k][b].*field;
  }
  for (double& v : out) v /= static_cast<double>(r.flow.size() - first);
  return out;
}

// ---- The layer-level gradient-flow diagram -------------------------------------------------
// One row per block: the block's input h, f (dense + activation) and the sum. Edges point the
// way the data flows; their labels and widths are the mean |gradient| flowing back along them.
// Graphviz "group"s keep the skip path one straight column with the f boxes beside it (without
// them every block drifts one box to the right and 20 blocks become an unreadable staircase).
std::string flow_dot(const Run& r, const Settings& s) {
  const auto kernel = over_training(r, &BlockFlow::kernel_grad);
  const auto skip = over_training(r, &BlockFlow::skip_share);
  const auto through_f = over_training(r, &BlockFlow::f_share);
  auto width = [](double g) { return std::clamp(1.0 + 0.6 * (std::log10(std::max(g, 1e-30)) + 8.0), 0.5, 6.0); };
  std::string dot = fmt::format(
      "digraph flow {{\n  rankdir=TB; nodesep=0.35; ranksep=0.22; bgcolor=white;\n"
      "  label=\"{} {} net: mean |gradient| flowing back along each edge, averaged over training\"; labelloc=t; "
      "fontname=\"Helvetica\"; fontsize=16;\n"
      "  node [fontname=\"Helvetica\", fontsize=12, shape=box, style=\"rounded,filled\", fillcolor=\"#F2F2F2\"];\n"
      "  edge [fontname=\"Helvetica\", fontsize=11, arrowsize=0.6];\n"
      "  x [label=\"x  (784 pixels)\", shape=plain, style=\"\"];\n"
      "  stem [group=skip, label=\"stem: dense 784 -> {} + {}\"];\n  x -> stem;\n",
      net_name(r.skip), r.activation, s.width, r.activation);
  std::string prev = "stem";
  for (std::size_t b = 0; b < kernel.size(); ++b) {
    const std::string f = fmt::format("f{}", b + 1), add = fmt::format("add{}", b + 1);
    dot += fmt::format(
        "  {} [group=f, label=\"block {}: f = dense + {}\\nmean |dL/dW| = {:.2g}\", fillcolor=\"#FCE4D6\"];\n", f,
        b + 1, r.activation, kernel[b]);
    dot += fmt::format(
        "  {} -> {} [color=\"#D55E00\", penwidth={:.2f}, label=\" via f: {:.2g}\", fontcolor=\"#D55E00\"];\n", prev, f,
        width(through_f[b]), through_f[b]);
    if (r.skip) {
      dot += fmt::format("  {} [group=skip, label=\"+\", shape=circle, width=0.3, fixedsize=true, fillcolor=white];\n",
                         add);
      dot += fmt::format("  {{rank=same; {}; {};}}\n", f, add);
      dot += fmt::format("  {} -> {};\n", f, add);
      dot += fmt::format(
          "  {} -> {} [color=\"#0072B2\", style=dashed, penwidth={:.2f}, label=\" skip: {:.2g}\", "
          "fontcolor=\"#0072B2\"];\n",
          prev, add, width(skip[b]), skip[b]);
      prev = add;
    } else {
      prev = f;
    }
  }
  dot += fmt::format(
      "  head [group=skip, label=\"head: dense {} -> 10\"];\n  loss [label=\"softmax cross-entropy\", shape=plain, "
      "style=\"\"];\n  {} -> head;\n  head -> loss;\n",
      s.width, prev);
  dot +=
      "  subgraph cluster_legend { label=\"legend\"; fontsize=12; style=dashed; color=gray;\n"
      "    l1 [label=\"orange edge: gradient back through f\", shape=plain, style=\"\", fontcolor=\"#D55E00\"];\n";
  if (r.skip) {
    dot +=
        "    l2 [label=\"blue dashed edge: gradient back through the skip\", shape=plain, style=\"\", "
        "fontcolor=\"#0072B2\"];\n    l1 -> l2 [style=invis];\n";
  }
  dot += "  }\n}\n";
  return dot;
}

int lesson(int argc, char** argv) {
  Settings s;
  gl::CommonOptions common;
  gl::Flags flags("lesson08_residual",
                  "Plain against residual MLPs of the same depth (20 blocks of 64 units), with sigmoid and ReLU: how "
                  "a skip connection carries the gradient to the first block.");
  gl::add_common_flags(flags, common, "lesson08_residual", /*uses_data=*/true);
  flags.add_int("blocks", &s.blocks, "blocks (hidden 64 -> 64 layers) between stem and head", 1, 200);
  flags.add_int("width", &s.width, "units per block", 1, 4096);
  flags.add_int("steps", &s.steps, "Adam steps per run", 1, 1'000'000);
  flags.add_int("batch", &s.batch, "mini-batch size", 1, 10000);
  flags.add_int("log-every", &s.log_every, "record the blocks' gradients every N steps", 1, 1'000'000);
  flags.add_int("seeds", &s.seeds, "runs per net and activation (seeds --seed, --seed + 1, ...)", 1, 100);
  flags.add_list("activations", &s.activations, "activations of f", nn::hidden_activation_names());
  flags.add_int("jobs", &s.jobs, "runs in parallel (default: one per core); results do not depend on it", 1,
                gl::kMaxJobs);
  flags.add_path("tensorboard", &s.tensorboard,
                 "also write TensorBoard event files, one run folder per net and activation and seed "
                 "(DIR/residual_relu/seed1/...); view them with tensorboard --logdir DIR",
                 "DIR");
  gl::add_optimizer_flags(flags, s.optimizer, "every run's");
  if (!flags.parse(argc, argv)) return 0;
  gl::resolve_optimizer_flags(flags, s.optimizer);
  s.first_seed = common.seed;
  if (common.quick) {
    s.steps = std::min(s.steps, 60);
    s.log_every = std::min(s.log_every, 20);
    s.test_images = 500;
  }
  const Settings defaults;

  gl::Report report(
      {"08_residual", "Lesson 08: depth and skip connections",
       "Plain and residual MLPs of the same depth: the skip path carries the gradient to the first block."},
      common);
  report.setting("network", fmt::format("784 -> {}, {} blocks of {} -> {}, -> 10", s.width, s.blocks, s.width, s.width),
                 s.blocks != defaults.blocks || s.width != defaults.width);
  report.setting("training",
                 fmt::format("{}, batch {}, {} steps, gradients logged every {}", s.optimizer.describe(), s.batch,
                             s.steps, s.log_every),
                 s.steps != defaults.steps || s.batch != defaults.batch || !s.optimizer.is_default());
  report.setting("activations", fmt::format("{}", fmt::join(s.activations, ", ")),
                 s.activations != defaults.activations);
  report.setting("seeds", fmt::format("{} ({} .. {})", s.seeds, s.first_seed, s.first_seed + s.seeds - 1),
                 s.seeds != defaults.seeds);
  std::string note;
  if (s.blocks != defaults.blocks || s.width != defaults.width || s.steps != defaults.steps ||
      s.batch != defaults.batch) {
    note = fmt::format(
        "this run: {} blocks of {}, {} steps of batch {}; the claims are about 20 blocks of 64, 800 "
        "steps of batch 50",
        s.blocks, s.width, s.steps, s.batch);
  }
  if (!s.optimizer.is_default())
    note += fmt::format("{}this run: {}", note.empty() ? "" : "; ", s.optimizer.difference());

  const auto data = gradflow::mnist::read_data_sets(common.data, 0);  // no validation split needed

  report.section("1. Train plain and residual nets of the same depth");
  struct Job {
    std::string activation;
    bool skip;
    std::uint64_t seed;
  };
  std::vector<Job> jobs;
  for (const auto& act : s.activations) {
    for (bool skip : {false, true}) {
      for (int k = 0; k < s.seeds; ++k) jobs.push_back({act, skip, s.first_seed + static_cast<std::uint64_t>(k)});
    }
  }
  // scalars.csv (and TensorBoard with --tensorboard): one scenario per net and activation.
  // Histograms need each layer's raw values, kept only with --tensorboard.
  gl::TrainingLog log(report.path("scalars.csv"),
                      s.tensorboard.empty() ? std::filesystem::path() : report.path("histograms.csv"));
  if (!s.tensorboard.empty()) log.set_sink(gl::make_tensorboard_sink(s.tensorboard));
  std::vector<Run> runs;
  gl::run_parallel<Run>(
      jobs.size(), s.jobs,
      [&](std::size_t i) { return train(s, jobs[i].activation, jobs[i].skip, jobs[i].seed, data); },
      [&](std::size_t, Run& r) {
        const std::string scenario = net_name(r.skip) + "_" + r.activation;
        for (std::size_t k = 0; k < r.steps.size(); ++k) {
          log.scalar(scenario, r.seed, r.steps[k], "loss", r.loss[k]);
          log.scalar(scenario, r.seed, r.steps[k], "acc", r.accuracy[k]);
          for (std::size_t l = 0; l < r.layers[k].size(); ++l) {
            const LayerLog& layer = r.layers[k][l];
            const int n = static_cast<int>(l) + 1;
            log.scalar(scenario, r.seed, r.steps[k], fmt::format("mean_{}", n), layer.kernel_grad);
            log.scalar(scenario, r.seed, r.steps[k], fmt::format("bias_mean_{}", n), layer.bias_grad);
            if (!s.tensorboard.empty()) {
              log.histogram_of(scenario, r.seed, r.steps[k], n, "kernel_grad", layer.kernel_grads);
              log.histogram_of(scenario, r.seed, r.steps[k], n, "kernel_value", layer.kernel_values);
            }
          }
        }
        for (auto& step : r.layers) {  // the raw values are logged; the summaries keep the means
          for (auto& layer : step) {
            layer.kernel_grads = {};
            layer.kernel_values = {};
          }
        }
        runs.push_back(std::move(r));
      });
  log.close();
  report.describe_file("scalars.csv",
                       "scenario,seed,step,tag,value; scenarios plain_<activation> and residual_<activation>; tags "
                       "loss, acc (the training batch), mean_l and bias_mean_l (mean |dL/dW|, |dL/db| of weight "
                       "layer l: 1 the stem, 2 .. blocks + 1 the blocks, the last the head)");
  if (!s.tensorboard.empty()) {
    report.describe_file("histograms.csv",
                         "dL/dW and W per layer at the logged steps, scenario,seed,step,layer,kind,bin,lo,hi,count");
    report.text(fmt::format(
        "TensorBoard event files of every run are in {0}/<net>_<activation>/seed<N>/ (outside this folder): "
        "tensorboard --logdir {0} shows loss, accuracy, per-layer mean |dL/dW| (layerN/kernel_grad_mean) "
        "and |dL/db| (layerN/bias_grad_mean), and histograms of dL/dW and W at the logged steps.",
        s.tensorboard.string()));
  }

  auto runs_of = [&](const std::string& act, bool skip) {
    std::vector<const Run*> v;
    for (const auto& r : runs) {
      if (r.activation == act && r.skip == skip) v.push_back(&r);
    }
    return v;
  };
  // first-block / last-block ratio of mean |dL/dW|, averaged over training
  auto first_over_last = [](const Run& r) {
    const auto k = over_training(r, &BlockFlow::kernel_grad);
    return k.front() / k.back();
  };

  gl::Table table{{"activation", "net", "test accuracy", "mean |dL/dW| block 1", fmt::format("block {}", s.blocks),
                   "ratio block 1 / last", "final train loss"},
                  {},
                  fmt::format("Gradients averaged over the logged steps after step 0; mean over {} seed(s)", s.seeds)};
  nlohmann::json nets = nlohmann::json::array();
  for (const auto& act : s.activations) {
    for (bool skip : {false, true}) {
      std::vector<double> acc, first, lastb, ratio, final_loss;
      nlohmann::json per_seed = nlohmann::json::array();
      for (const Run* r : runs_of(act, skip)) {
        const auto k = over_training(*r, &BlockFlow::kernel_grad);
        acc.push_back(r->test_accuracy);
        first.push_back(k.front());
        lastb.push_back(k.back());
        ratio.push_back(k.front() / k.back());
        final_loss.push_back(r->loss.back());
        per_seed.push_back({{"seed", r->seed},
                            {"test_accuracy", r->test_accuracy},
                            {"kernel_grad_per_block", k},
                            {"input_grad_per_block", over_training(*r, &BlockFlow::input_grad)},
                            {"skip_share_per_block", over_training(*r, &BlockFlow::skip_share)},
                            {"f_share_per_block", over_training(*r, &BlockFlow::f_share)},
                            {"steps", r->steps},
                            {"kernel_grad_by_step",
                             [&] {
                               // [logged step][block]: how each block's gradient evolved in training
                               nlohmann::json by_step = nlohmann::json::array();
                               for (const auto& flow : r->flow) {
                                 nlohmann::json row = nlohmann::json::array();
                                 for (const BlockFlow& b : flow) row.push_back(b.kernel_grad);
                                 by_step.push_back(row);
                               }
                               return by_step;
                             }()},
                            {"loss", r->loss}});
      }
      const auto a = gl::Stats::of(acc);
      table.rows.push_back(
          {act, net_name(skip), gl::format_stats(a, 1, 100, "%"), fmt::format("{:.3g}", gl::Stats::of(first).mean),
           fmt::format("{:.3g}", gl::Stats::of(lastb).mean), fmt::format("{:.3g}", gl::Stats::of(ratio).mean),
           fmt::format("{:.3g}", gl::Stats::of(final_loss).mean)});
      nets.push_back({{"activation", act}, {"net", net_name(skip)}, {"runs", per_seed}});
    }
  }
  report.table(table);
  report.value("nets", nets);

  // ---- Step 4: figures ----------------------------------------------------------------------
  report.section("2. Gradients per block");
  auto per_block_figure = [&](std::string name, std::string title, double BlockFlow::*field, std::string y_label,
                              std::string caption) {
    fig::Figure f;
    f.name = std::move(name);
    f.title = std::move(title);
    f.caption = std::move(caption);
    for (const auto& act : s.activations) {
      fig::Panel& p = f.panels.emplace_back();
      p.title = act;
      p.x_label = "block";
      p.y_label = y_label;
      p.log_y = true;
      p.legend = "bottom right";
      for (bool skip : {false, true}) {
        const auto rs = runs_of(act, skip);
        fig::Series series;
        series.title = net_name(skip);
        series.color = skip ? "#0072B2" : "#D55E00";
        series.style = fig::Style::linespoints;
        for (std::size_t b = 0; b < static_cast<std::size_t>(s.blocks); ++b) {
          std::vector<double> v;
          for (const Run* r : rs) v.push_back(over_training(*r, field)[b]);
          const auto st = gl::Stats::of(v);
          series.x.push_back(static_cast<double>(b + 1));
          series.y.push_back(st.n && st.mean > 0 ? st.mean : std::nan(""));
          series.lo.push_back(st.n && st.min > 0 ? st.min : std::nan(""));
          series.hi.push_back(st.n && st.max > 0 ? st.max : std::nan(""));
        }
        p.series.push_back(std::move(series));
      }
    }
    f.footnote = fmt::format("averaged over the logged steps after step 0; {} seed(s), band: min to max", s.seeds);
    report.figure(f);
  };
  per_block_figure("kernel_grad_per_block", "Mean |dL/dW| of each block's f", &BlockFlow::kernel_grad, "mean |dL/dW|",
                   "A line that falls to the left means the first blocks hear less than the last: compare its "
                   "slope for the plain net (f's factor at every block) and the residual net (the skip adds "
                   "dL/dy undamped at every block).");
  per_block_figure("input_grad_per_block", "Mean |dL/dh| arriving at each block's input", &BlockFlow::input_grad,
                   "mean |dL/dh|", "The gradient that reaches a block's input is what every block before it hears.");
  {
    fig::Figure f;
    f.name = "loss";
    f.title = "Train-batch loss at the logged steps";
    f.caption = "A net whose loss stays near ln 10 = 2.3 has not learnt anything.";
    for (const auto& act : s.activations) {
      fig::Panel& p = f.panels.emplace_back();
      p.title = act;
      p.x_label = "training step";
      p.y_label = "loss";
      p.log_y = true;
      p.legend = "top right";
      for (bool skip : {false, true}) {
        for (const Run* r : runs_of(act, skip)) {
          fig::Series series;
          series.title = r->seed == s.first_seed ? net_name(skip) : "";
          series.color = skip ? "#0072B2" : "#D55E00";
          for (std::size_t k = 0; k < r->steps.size(); ++k) {
            series.x.push_back(static_cast<double>(r->steps[k]));
            series.y.push_back(r->loss[k]);
          }
          p.series.push_back(std::move(series));
        }
      }
    }
    report.figure(f);
  }

  report.section("3. The gradient flow, layer by layer");
  report.text(
      "Each row is one block. The orange edge is the path through f; in the residual net the blue dashed "
      "edge is the skip. The numbers on the edges are the mean |gradient| that flowed back along them "
      "(averaged over the logged steps after step 0, first seed); wider edges carry more.");
  for (const auto& act : s.activations) {
    for (bool skip : {true, false}) {
      const auto rs = runs_of(act, skip);
      if (rs.empty()) continue;
      report.diagram(
          fmt::format("flow_{}_{}", net_name(skip), act), flow_dot(*rs.front(), s),
          fmt::format("Gradient flow through the {} {} net (seed {})", net_name(skip), act, rs.front()->seed),
          /*folded=*/act != s.activations.front());
    }
  }

  // ---- The claims -----------------------------------------------------------------------------
  report.section("4. The claims");
  const bool has_sigmoid = !runs_of("sigmoid", false).empty() && !runs_of("sigmoid", true).empty();
  {
    std::vector<gl::SeedTest> tests;
    std::string measured;
    for (int k = 0; k < s.seeds && has_sigmoid; ++k) {
      const Run* plain = runs_of("sigmoid", false)[static_cast<std::size_t>(k)];
      const Run* res = runs_of("sigmoid", true)[static_cast<std::size_t>(k)];
      const double rp = first_over_last(*plain), rr = first_over_last(*res);
      if (k == 0) {
        measured = fmt::format("seed {}: block 1 / block {} mean |dL/dW|: plain {:.2g}, residual {:.2g}", plain->seed,
                               s.blocks, rp, rr);
      }
      tests.push_back({rp < 1e-2 && rr > 0.1 && rr < 10.0});
    }
    report.claim(gl::judge_over_seeds(
        "skip_keeps_first_block_gradient",
        "Without skips the sigmoid net's first-block gradient is orders of magnitude below its last block's; with "
        "skips it is within a small factor.",
        has_sigmoid ? measured : "this run has no sigmoid nets",
        "per seed, mean |dL/dW| averaged over training: plain ratio block 1 / last below 1/100, residual ratio "
        "between 1/10 and 10",
        tests, note));
  }
  {
    std::vector<gl::SeedTest> tests;
    std::string measured;
    for (int k = 0; k < s.seeds && has_sigmoid; ++k) {
      const Run* plain = runs_of("sigmoid", false)[static_cast<std::size_t>(k)];
      const Run* res = runs_of("sigmoid", true)[static_cast<std::size_t>(k)];
      if (k == 0) {
        measured = fmt::format("seed {}: test accuracy plain {:.1f}%, residual {:.1f}%", plain->seed,
                               100 * plain->test_accuracy, 100 * res->test_accuracy);
      }
      tests.push_back({plain->test_accuracy < 0.2 && res->test_accuracy >= 0.5});
    }
    report.claim(gl::judge_over_seeds(
        "residual_sigmoid_trains", "The residual sigmoid net trains where the plain one does not.",
        has_sigmoid ? measured : "this run has no sigmoid nets",
        "per seed: the plain net's test accuracy below 20% (chance is 10%) and the residual net's at least 50%", tests,
        note));
  }
  return report.finish();
}

}  // namespace

int main(int argc, char** argv) { return gl::run_main(argc, argv, lesson); }
