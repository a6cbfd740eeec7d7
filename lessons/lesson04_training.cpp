// Lesson 04: training a classifier.
//
// Goal: put forward, backward and an optimizer together and train something real. On MNIST
// (TensorFlow's split: 55,000 training, 5,000 validation, 10,000 test images) we train
//   1. softmax regression, 784 -> 10: one dense layer, SGD, learning rate 0.5, batch 100,
//      2,000 steps (TensorFlow's classic "MNIST for beginners");
//   2. one hidden layer, 784 -> 128 -> 10, ReLU, Glorot-uniform kernels and zero biases,
//      Adam with learning rate 1e-3, batch 100, 2,000 steps,
// and look at what they learned: the loss and validation accuracy as training goes on, the ten
// 28x28 weight templates of softmax regression, the confusion matrix on the test set, and the
// test digits the network gets wrong.
//
// Run it:
//   build/bin/lesson04_training --out out/lesson04_training
// then open out/lesson04_training/index.html. The matching text is docs/lessons/04-training.md.
// Flags --steps, --batch apply to both models; --hidden, --optimizer and --lr to the second.
// scalars.csv holds the curves (scenario,seed,step,tag,value).

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <string>
#include <vector>

#include "autodiff/autodiff.hpp"
#include "lessons/runtime/lesson_runtime.hpp"
#include "lessons/runtime/parallel.hpp"
#include "lessons/runtime/report.hpp"
#include "lessons/runtime/training_log.hpp"
#include "mnist/dataset.hpp"
#include "nn/classifier.hpp"

// Claims, figures and series are written with designated initialisers that name only the fields
// this lesson sets; the others keep their declared defaults. GCC's -Wextra would list each of
// those as "missing", which they are not.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace {

using namespace gradflow;
namespace lessons = gradflow::lessons;
namespace figures = gradflow::lessons::figures;
using lessons::Verdict;

struct Settings {
  int steps = 2000;
  int batch = 100;
  int hidden = 128;
  std::string optimizer = "adam";
  double lr = 0;  // 0: the optimizer's default below
  int log_every = 20;
  int validate_every = 200;
  std::size_t validation = 5000;
  std::filesystem::path tensorboard;  // --tensorboard DIR: also TensorBoard event files (empty: none)
};
constexpr double kSoftmaxLr = 0.5;  // softmax regression's SGD learning rate
constexpr double kAdamLr = 1e-3;    // Adam's default (TensorFlow 1.x)
constexpr double kSgdLr = 0.5;      // for --optimizer sgd without --lr

// What one training run leaves behind.
struct Curves {
  std::vector<double> step, loss, acc;    // every log_every steps (train batch)
  std::vector<double> val_step, val_acc;  // every validate_every steps and at the end
  double test_accuracy = 0;
  double late_batch_accuracy = 0;  // mean train-batch accuracy over the last 10% of the steps
};

// Predicted classes for a whole split: the largest logit of each row. Classifier::evaluate
// runs forward over one chunk, so afterwards logits() holds exactly that chunk's scores.
std::vector<int> predict(nn::Classifier& model, const mnist::DataSplit& split) {
  std::vector<int> predicted;
  for (std::size_t start = 0; start < split.size(); start += 1000) {
    const std::size_t n = std::min<std::size_t>(1000, split.size() - start);
    const std::span<float> x = model.input_batch(static_cast<int>(n));  // the chunk goes straight into the graph
    split.images_as_floats(start, x);
    model.evaluate(x, std::span(split.labels).subspan(start, n), static_cast<int>(n));
    const autodiff::Tensor& logits = model.logits().value();
    for (int r = 0; r < logits.rows(); ++r) {
      const float* row = logits.data() + static_cast<std::size_t>(r) * logits.cols();
      predicted.push_back(static_cast<int>(std::max_element(row, row + logits.cols()) - row));
    }
  }
  return predicted;
}

// The training loop, in plain sight: next batch, forward + backward + update, log.
// Returns the curves; the caller writes them to scalars.csv (see log_curves), so that the two
// models can train on two threads at once.
Curves train(nn::Classifier& model, const mnist::DataSets& data, const Settings& s, std::uint64_t seed) {
  Curves c;
  mnist::BatchSampler batches(data.train, static_cast<std::size_t>(s.batch), seed);
  std::vector<std::uint8_t> labels(static_cast<std::size_t>(s.batch));
  const int late_from = s.steps - std::max(1, s.steps / 10);
  double late_sum = 0;
  for (int step = 0; step <= s.steps; ++step) {
    if (step % s.validate_every == 0 || step == s.steps) {
      const double v = mnist::evaluate_split(model, data.validation);
      c.val_step.push_back(step);
      c.val_acc.push_back(v);
    }
    if (step == s.steps) break;
    std::span<float> images = model.input_batch(s.batch);  // the batch goes straight into the graph
    batches.next_batch(images, labels);
    const nn::StepResult r = model.train_step(images, labels);  // forward, backward, optimizer step
    if (step >= late_from) late_sum += r.accuracy;
    if (step % s.log_every == 0) {
      c.step.push_back(step);
      c.loss.push_back(r.loss);
      c.acc.push_back(r.accuracy);
    }
  }
  c.late_batch_accuracy = late_sum / (s.steps - late_from);
  c.test_accuracy = mnist::evaluate_split(model, data.test);
  return c;
}

void log_curves(lessons::TrainingLog& log, const std::string& scenario, std::uint64_t seed, const Curves& c,
                int steps) {
  for (std::size_t i = 0; i < c.step.size(); ++i) {
    log.scalar(scenario, seed, static_cast<long>(c.step[i]), "loss", c.loss[i]);
    log.scalar(scenario, seed, static_cast<long>(c.step[i]), "acc", c.acc[i]);
  }
  for (std::size_t i = 0; i < c.val_step.size(); ++i) {
    log.scalar(scenario, seed, static_cast<long>(c.val_step[i]), "val_acc", c.val_acc[i]);
  }
  log.scalar(scenario, seed, steps, "test_acc", c.test_accuracy);
}

double correlation(const std::vector<double>& a, const std::vector<double>& b) {
  const double n = static_cast<double>(a.size());
  const double ma = std::accumulate(a.begin(), a.end(), 0.0) / n, mb = std::accumulate(b.begin(), b.end(), 0.0) / n;
  double sab = 0, saa = 0, sbb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : 0.0;
}

// One blank tick label: pictures of digits need no pixel coordinates on their axes.
const std::vector<std::string> kNoTics = {""};

std::string pct(double v) { return fmt::format("{:.2f}%", 100 * v); }

int lesson(int argc, char** argv) {
  lessons::CommonOptions options;
  Settings s;
  const Settings defaults;
  lessons::Flags flags("lesson04_training",
                       "Lesson 04: trains softmax regression (784 -> 10, SGD 0.5) and a one-hidden-layer network\n"
                       "(784 -> 128 -> 10, ReLU, Adam 1e-3) on MNIST and shows what they learned: curves, weight\n"
                       "templates, the confusion matrix and misclassified digits.");
  lessons::add_common_flags(flags, options, "lesson04_training", /*uses_data=*/true);
  flags.add_int("steps", &s.steps, "training steps of each model", 1, 1'000'000);
  flags.add_int("batch", &s.batch, "mini-batch size of each model", 1, 55'000);
  flags.add_int("hidden", &s.hidden, "units in the second model's hidden layer", 1, 100'000);
  flags.add_string("optimizer", &s.optimizer, "the second model's optimizer: adam or sgd", "NAME");
  flags.add_double("lr", &s.lr, "the second model's learning rate (0: Adam 0.001, SGD 0.5)", 0.0, 100.0);
  flags.add_path("tensorboard", &s.tensorboard,
                 "also write TensorBoard event files of both models' curves, one run folder per model and seed "
                 "(DIR/softmax_regression/seed1/, DIR/mlp/seed2/); view them with tensorboard --logdir DIR",
                 "DIR");
  if (!flags.parse(argc, argv)) return 0;
  if (s.optimizer != "adam" && s.optimizer != "sgd") {
    throw lessons::UsageError(fmt::format("--optimizer: '{}' is not adam or sgd", s.optimizer), flags.usage());
  }
  if (s.lr == 0) s.lr = s.optimizer == "adam" ? kAdamLr : kSgdLr;
  if (options.quick) {  // a short run for the smoke test (the fixture has 200 training images)
    s.steps = std::min(s.steps, 60);
    s.log_every = 10;
    s.validate_every = 20;
    s.validation = 50;
  }
  s.log_every = std::min(s.log_every, s.steps);
  lessons::check_logged_steps(s.steps, s.log_every);
  // A claim's settings note: which flags moved this run away from the settings claims are about.
  std::vector<std::string> moved;
  if (options.quick) moved.push_back(fmt::format("--quick ({} steps, {} validation images)", s.steps, s.validation));
  if (!options.quick && s.steps != defaults.steps)
    moved.push_back(fmt::format("--steps {} (default {})", s.steps, defaults.steps));
  if (s.batch != defaults.batch) moved.push_back(fmt::format("--batch {} (default {})", s.batch, defaults.batch));
  if (s.hidden != defaults.hidden) moved.push_back(fmt::format("--hidden {} (default {})", s.hidden, defaults.hidden));
  if (s.optimizer != defaults.optimizer) moved.push_back(fmt::format("--optimizer {} (default adam)", s.optimizer));
  if (s.lr != (s.optimizer == "adam" ? kAdamLr : kSgdLr)) moved.push_back(fmt::format("--lr {}", s.lr));
  std::string note;
  for (const auto& m : moved) note += (note.empty() ? "this run used " : ", ") + m;
  if (!note.empty()) note += "; the claims are about the default settings";

  lessons::Report report({"04_training", "Lesson 04: training a classifier",
                          "Softmax regression and a one-hidden-layer network trained on MNIST: curves, templates, "
                          "confusion matrix, mistakes."},
                         options);
  report.setting("seed", options.seed);
  report.setting("steps", s.steps, s.steps != defaults.steps);
  report.setting("batch", s.batch, s.batch != defaults.batch);
  report.setting("softmax_regression", fmt::format("784 -> 10, SGD lr {}, zero init", kSoftmaxLr));
  report.setting("hidden", s.hidden, s.hidden != defaults.hidden);
  report.setting("optimizer", s.optimizer, s.optimizer != defaults.optimizer);
  report.setting("lr", s.lr, s.lr != kAdamLr);

  // ---------------------------------------------------------------------------------------
  // Step 1: the data, split as TensorFlow's read_data_sets did.
  // ---------------------------------------------------------------------------------------
  const mnist::DataSets data = mnist::read_data_sets(options.data, s.validation);
  report.section("Step 1: the data");
  report.text(fmt::format("MNIST from {}: {} training, {} validation and {} test images of 28 x 28 pixels in [0, 1].",
                          options.data.string(), data.train.size(), data.validation.size(), data.test.size()));
  lessons::TrainingLog log(report.path("scalars.csv"));
  if (!s.tensorboard.empty()) log.set_sink(lessons::make_tensorboard_sink(s.tensorboard));
  report.describe_file("scalars.csv", "the curves: scenario,seed,step,tag,value (loss, acc, val_acc, test_acc)");

  // ---------------------------------------------------------------------------------------
  // Step 2: softmax regression. One dense layer, logits = x W + b, softmax cross-entropy.
  // We start W at zero, as TensorFlow's tutorial does: with one layer there is no symmetry to
  // break, and a zero start leaves pixels no image ever lights (the border) at exactly zero in
  // the templates, so they show only what was learned.
  // ---------------------------------------------------------------------------------------
  nn::MlpSpec softmax_spec{.inputs = 784, .hidden = {}, .outputs = 10};
  nn::TrainingOptions softmax_options{.batch_size = s.batch, .seed = options.seed, .optimizer = nn::OptimizerKind::sgd};
  softmax_options.sgd_learning_rate = static_cast<float>(kSoftmaxLr);
  nn::Classifier softmax(softmax_spec, softmax_options);
  softmax.mlp().layers()[0].kernel().mutable_value().fill(0.0F);

  // ---------------------------------------------------------------------------------------
  // Step 3: one hidden layer, 784 -> hidden -> 10 with ReLU, Glorot-uniform kernels, Adam.
  // ---------------------------------------------------------------------------------------
  nn::MlpSpec mlp_spec{.inputs = 784, .hidden = {s.hidden}, .outputs = 10, .activation = nn::Activation::relu};
  nn::TrainingOptions mlp_options{
      .batch_size = s.batch,
      .seed = options.seed,
      .optimizer = s.optimizer == "adam" ? nn::OptimizerKind::adam : nn::OptimizerKind::sgd};
  mlp_options.adam.learning_rate = static_cast<float>(s.lr);
  mlp_options.sgd_learning_rate = static_cast<float>(s.lr);
  nn::Classifier mlp(mlp_spec, mlp_options);

  // Both models train at once, one per thread (the runtime's run_parallel; OpenBLAS then uses
  // one thread per run). Each owns its graph and its seeded batch order, so the numbers are
  // the same as training them one after the other.
  nn::Classifier* models[] = {&softmax, &mlp};
  const std::uint64_t seeds[] = {options.seed, options.seed + 1};
  const char* scenarios[] = {"softmax_regression", "mlp"};
  Curves curves_of[2];
  lessons::run_parallel<Curves>(
      2, std::min(2, lessons::default_jobs()), [&](std::size_t i) { return train(*models[i], data, s, seeds[i]); },
      [&](std::size_t i, Curves& c) {
        log_curves(log, scenarios[i], seeds[i], c, s.steps);
        curves_of[i] = std::move(c);
      });
  log.close();
  if (!s.tensorboard.empty())
    report.text(
        fmt::format("TensorBoard event files of both models are in {0}/<model>/seed<N>/ (outside this "
                    "folder, so a later run adds new files beside them): tensorboard --logdir {0} shows "
                    "the same loss, accuracy, val_acc and test_acc as scalars.csv.",
                    s.tensorboard.string()));
  const Curves& sr = curves_of[0];
  const Curves& ml = curves_of[1];
  report.section("Step 2: softmax regression, 784 -> 10");
  report.text(fmt::format("After {} SGD steps (batch {}, learning rate {}): test accuracy {}, validation {}.", s.steps,
                          s.batch, kSoftmaxLr, pct(sr.test_accuracy), pct(sr.val_acc.back())));
  report.section(fmt::format("Step 3: one hidden layer, 784 -> {} -> 10", s.hidden));
  report.text(fmt::format("After {} {} steps (batch {}, learning rate {}): test accuracy {}, validation {}.", s.steps,
                          s.optimizer == "adam" ? "Adam" : "SGD", s.batch, s.lr, pct(ml.test_accuracy),
                          pct(ml.val_acc.back())));

  figures::Figure curves{.name = "training_curves",
                         .title = "Training: loss on each training batch and accuracy on the validation set",
                         .caption = fmt::format("Left: the loss of the batch each step trained on (every {} steps). "
                                                "Right: accuracy on the {} validation images, which neither model "
                                                "trains on.",
                                                s.log_every, data.validation.size())};
  const double x_tic_step = s.steps >= 1000 ? 500.0 : std::max(1.0, s.steps / 4.0);
  // One panel at a time: a reference into `panels` dies when the next emplace_back reallocates.
  figures::Panel& lp = curves.panels.emplace_back();
  lp.title = "train-batch loss";
  lp.x_label = "step";
  lp.y_label = "softmax cross-entropy";
  lp.log_y = true;
  lp.x_tic_step = x_tic_step;
  lp.series.push_back({.title = "softmax regression", .x = sr.step, .y = sr.loss, .color = "#0072B2"});
  lp.series.push_back(
      {.title = fmt::format("784-{}-10 ReLU", s.hidden), .x = ml.step, .y = ml.loss, .color = "#D55E00"});
  figures::Panel& vp = curves.panels.emplace_back();
  vp.title = "validation accuracy";
  vp.x_label = "step";
  vp.y_label = "accuracy";
  vp.legend = "bottom right";
  vp.x_tic_step = x_tic_step;
  vp.series.push_back({.title = "softmax regression",
                       .x = sr.val_step,
                       .y = sr.val_acc,
                       .color = "#0072B2",
                       .style = figures::Style::linespoints});
  vp.series.push_back({.title = fmt::format("784-{}-10 ReLU", s.hidden),
                       .x = ml.val_step,
                       .y = ml.val_acc,
                       .color = "#D55E00",
                       .style = figures::Style::linespoints});
  report.figure(curves);

  // ---------------------------------------------------------------------------------------
  // Step 4: what softmax regression learned. Column c of W scores class c: logit_c = sum over
  // pixels of x_p W_pc + b_c. Drawn as a 28 x 28 image it is a template: red pixels vote for
  // the class, blue ones against. We compare each with the mean training image of every class.
  // ---------------------------------------------------------------------------------------
  report.section("Step 4: softmax regression's ten templates");
  const autodiff::Tensor& w = softmax.mlp().layers()[0].kernel().value();
  std::vector<std::vector<double>> templates(10, std::vector<double>(784)), means(10, std::vector<double>(784, 0.0));
  std::vector<int> counts(10, 0);
  for (int p = 0; p < 784; ++p) {
    for (int c = 0; c < 10; ++c) templates[c][p] = w(p, c);
  }
  for (std::size_t i = 0; i < data.train.size(); ++i) {
    const int label = data.train.labels[i];
    ++counts[label];
    for (int p = 0; p < 784; ++p) means[label][p] += mnist::DataSplit::pixel_value(data.train.pixels[i * 784 + p]);
  }
  for (int c = 0; c < 10; ++c) {
    for (double& v : means[c]) v /= std::max(1, counts[c]);
  }
  figures::Figure tfig{.name = "templates",
                       .title = "Softmax regression: the weight column of each class as a 28 x 28 image",
                       .caption =
                           "Red pixels raise the class's score when they are ink, blue ones lower it. Each "
                           "panel shares one colour range, centred on zero.",
                       .columns = 5,
                       .panel_width = 260,
                       .panel_height = 260,
                       .font_size = 12};
  // One colour range for all ten, at the 99th percentile of |W|: a handful of extreme pixels
  // would otherwise wash every template out to near white.
  std::vector<double> magnitudes;
  for (const auto& t : templates) {
    for (double v : t) magnitudes.push_back(std::fabs(v));
  }
  std::nth_element(magnitudes.begin(), magnitudes.begin() + static_cast<long>(magnitudes.size() * 99 / 100),
                   magnitudes.end());
  const double wmax = std::max(1e-12, magnitudes[magnitudes.size() * 99 / 100]);
  int own_best = 0;
  std::vector<std::vector<double>> corr(10, std::vector<double>(10));
  lessons::Table ctable{
      {"template", "corr. with own mean", "best other class", "its corr.", "own is best"}, {}, {}, false};
  for (int c = 0; c < 10; ++c) {
    for (int m = 0; m < 10; ++m) corr[c][m] = correlation(templates[c], means[m]);
    int best_other = c == 0 ? 1 : 0;
    for (int m = 0; m < 10; ++m) {
      if (m != c && corr[c][m] > corr[c][best_other]) best_other = m;
    }
    const bool own = corr[c][c] > corr[c][best_other];
    own_best += own ? 1 : 0;
    ctable.rows.push_back({std::to_string(c), fmt::format("{:.3f}", corr[c][c]), std::to_string(best_other),
                           fmt::format("{:.3f}", corr[c][best_other]), own ? "yes" : "no"});
    figures::Panel& p = tfig.panels.emplace_back();
    p.title = fmt::format("class {}", c);
    p.image = figures::Image{.rows = 28,
                             .cols = 28,
                             .values = templates[c],
                             .palette = "diverging",
                             .min = -wmax,
                             .max = wmax,
                             .col_labels = kNoTics,
                             .row_labels = kNoTics,
                             .colorbar = false};
  }
  report.figure(tfig);
  report.table(ctable);

  // ---------------------------------------------------------------------------------------
  // Step 5: where the hidden-layer network goes wrong: the confusion matrix on the test set
  // (row: true digit, column: predicted) and some of the digits it misclassifies.
  // ---------------------------------------------------------------------------------------
  report.section("Step 5: the network's mistakes on the test set");
  const std::vector<int> predicted = predict(mlp, data.test);
  std::vector<std::vector<int>> confusion(10, std::vector<int>(10, 0));
  std::vector<std::size_t> wrong;
  for (std::size_t i = 0; i < predicted.size(); ++i) {
    ++confusion[data.test.labels[i]][predicted[i]];
    if (predicted[i] != data.test.labels[i]) wrong.push_back(i);
  }
  figures::Figure cfig{
      .name = "confusion",
      .title = fmt::format("Confusion matrix, 784-{}-10 network, {} test images", s.hidden, data.test.size()),
      .caption =
          "Row: the true digit; column: the network's answer. The diagonal holds the correct "
          "answers; every other cell counts one kind of mistake.",
      .columns = 1,
      .panel_width = 620,
      .panel_height = 560};
  figures::Panel& cp = cfig.panels.emplace_back();
  cp.x_label = "predicted";
  cp.y_label = "true";
  std::vector<double> cvalues;
  std::vector<std::string> digit_labels;
  for (int r = 0; r < 10; ++r) {
    digit_labels.push_back(std::to_string(r));
    for (int c = 0; c < 10; ++c) cvalues.push_back(std::log10(1.0 + confusion[r][c]));
  }
  cp.image = figures::Image{.rows = 10,
                            .cols = 10,
                            .values = cvalues,
                            .palette = "viridis",
                            .col_labels = digit_labels,
                            .row_labels = digit_labels,
                            .colorbar_label = "log10(1 + count)"};
  report.figure(cfig);
  lessons::Table counts_table{{"true \\ predicted", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"},
                              {},
                              "The confusion matrix as counts (row: true digit, column: answer).",
                              false};
  for (int r = 0; r < 10; ++r) {
    std::vector<std::string> row = {std::to_string(r)};
    for (int c = 0; c < 10; ++c) row.push_back(std::to_string(confusion[r][c]));
    counts_table.rows.push_back(row);
  }
  report.table(counts_table);
  // The most frequent confusion, in words.
  int top_r = 0, top_c = 1;
  for (int r = 0; r < 10; ++r) {
    for (int c = 0; c < 10; ++c) {
      if (r != c && confusion[r][c] > confusion[top_r][top_c]) {
        top_r = r;
        top_c = c;
      }
    }
  }
  report.text(
      fmt::format("{} of {} test digits are misclassified; the most frequent mistake is a {} taken for a {} "
                  "({} times).",
                  wrong.size(), predicted.size(), top_r, top_c, confusion[top_r][top_c]));
  const std::size_t shown = std::min<std::size_t>(24, wrong.size());
  if (shown > 0) {
    figures::Figure mfig{.name = "misclassified",
                         .title = fmt::format("The first {} misclassified test digits", shown),
                         .caption = "Each title says the true digit and the network's answer.",
                         .columns = 8,
                         .panel_width = 150,
                         .panel_height = 170,
                         .font_size = 11};
    for (std::size_t k = 0; k < shown; ++k) {
      const std::size_t i = wrong[k];
      figures::Panel& p = mfig.panels.emplace_back();
      p.title = fmt::format("true {}, said {}", data.test.labels[i], predicted[i]);
      const std::vector<float> image = data.test.images_as_floats(i, 1);
      std::vector<double> pixels(image.begin(), image.end());
      for (double& v : pixels) v = 1.0 - v;  // dark ink on white paper
      p.image = figures::Image{.rows = 28,
                               .cols = 28,
                               .values = pixels,
                               .palette = "gray",
                               .min = 0.0,
                               .max = 1.0,
                               .col_labels = kNoTics,
                               .row_labels = kNoTics,
                               .colorbar = false};
    }
    report.figure(mfig);
  }

  // ---------------------------------------------------------------------------------------
  // Step 6: the claims, judged from this run's numbers.
  // ---------------------------------------------------------------------------------------
  report.section("Step 6: what this run shows");
  // A test accuracy from n = 10,000 images has a standard error of sqrt(p (1 - p) / n), about
  // 0.25 points at p = 0.93; the difference of two about 0.35. One point is about 3 of those.
  const double n_test = static_cast<double>(data.test.size());
  const double se = std::sqrt(sr.test_accuracy * (1 - sr.test_accuracy) / n_test +
                              ml.test_accuracy * (1 - ml.test_accuracy) / n_test);
  const double margin = std::max(0.01, 3 * se);
  const double gain = ml.test_accuracy - sr.test_accuracy;
  report.claim({"hidden_layer_beats_softmax_regression",
                "The network with a hidden layer classifies the test set better than softmax regression.",
                fmt::format("test accuracy {} vs {}: {:+.2f} points (3 standard errors: {:.2f} points)",
                            pct(ml.test_accuracy), pct(sr.test_accuracy), 100 * gain, 300 * se),
                "holds if the gain > max(1 point, 3 standard errors of the difference); fails if it is below minus "
                "that; inconclusive in between",
                gain > margin    ? Verdict::holds
                : gain < -margin ? Verdict::fails
                                 : Verdict::inconclusive,
                note});
  report.claim({"templates_look_like_digits",
                "Each softmax-regression template correlates best with the mean training image of its own class.",
                fmt::format("{} of 10 templates correlate best with their own class's mean image", own_best),
                "holds if all 10 do, mixed if 5 to 9 do, fails if fewer",
                own_best == 10  ? Verdict::holds
                : own_best >= 5 ? Verdict::mixed
                                : Verdict::fails,
                note});
  const double gap = ml.late_batch_accuracy - ml.test_accuracy;
  report.claim({"small_generalisation_gap",
                "The network's accuracy on its training batches stays close to its accuracy on the test set.",
                fmt::format("mean train-batch accuracy over the last {} steps {} vs test {}: gap {:+.2f} points",
                            std::max(1, s.steps / 10), pct(ml.late_batch_accuracy), pct(ml.test_accuracy), 100 * gap),
                "holds if |gap| <= 2 points, fails if it is larger",
                std::fabs(gap) <= 0.02 ? Verdict::holds : Verdict::fails, note});
  if (!note.empty()) report.text("Note: " + note + ".");

  auto curve_json = [](const Curves& c) {
    return nlohmann::json{
        {"step", c.step}, {"loss", c.loss}, {"acc", c.acc}, {"val_step", c.val_step}, {"val_acc", c.val_acc}};
  };
  report.value("test_accuracy", {{"softmax_regression", sr.test_accuracy}, {"mlp", ml.test_accuracy}});
  report.value("confusion", confusion);
  report.value("loss", {{"softmax_regression", curve_json(sr)}, {"mlp", curve_json(ml)}});
  report.value("template_correlation", corr);
  report.value("misclassified", wrong.size());
  return report.finish();
}

}  // namespace

int main(int argc, char** argv) { return lessons::run_main(argc, argv, lesson); }
