#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "autodiff/autodiff.hpp"
#include "nn/classifier.hpp"
#include "nn/monitor.hpp"

using namespace gradflow;

namespace {
// Four well separated clusters in 8 dimensions: any working trainer fits them quickly.
struct Blobs {
  std::vector<float> images;
  std::vector<std::uint8_t> labels;
};

Blobs make_blobs(int n, std::uint64_t seed) {
  nn::Rng rng(seed);
  Blobs b;
  for (int i = 0; i < n; ++i) {
    const auto label = static_cast<std::uint8_t>(i % 4);
    for (int d = 0; d < 8; ++d) {
      const float centre = (d % 4 == label) ? 2.0F : 0.0F;
      b.images.push_back(centre + static_cast<float>(rng.uniform(-0.5, 0.5)));
    }
    b.labels.push_back(label);
  }
  return b;
}

nn::MlpSpec small_spec(nn::Activation a) {
  return nn::MlpSpec{8, {6, 6}, 4, a, nn::kLeakyReluAlpha, nn::Init::glorot_uniform};
}

nn::TrainingOptions options(int batch, std::uint64_t seed) {
  nn::TrainingOptions o;
  o.batch_size = batch;
  o.seed = seed;
  o.adam.learning_rate = 0.02F;
  return o;
}
}  // namespace

TEST_CASE("a classifier learns separable blobs and its loss falls", "[nn][training]") {
  const Blobs data = make_blobs(64, 1);
  for (auto act : {nn::Activation::relu, nn::Activation::sigmoid, nn::Activation::leaky_relu}) {
    nn::Classifier model(small_spec(act), options(16, 3));
    const float first = model.train_step({data.images.data(), 16 * 8}, {data.labels.data(), 16}).loss;
    float last = first;
    for (int step = 0; step < 300; ++step) {
      const std::size_t start = static_cast<std::size_t>(step % 4) * 16;
      last = model.train_step({data.images.data() + start * 8, 16 * 8}, {data.labels.data() + start, 16}).loss;
    }
    INFO(nn::to_string(act));
    CHECK(last < 0.5F * first);
    CHECK(model.evaluate(data.images, data.labels, 10) > 0.95F);
  }
}

TEST_CASE("training is deterministic for a seed", "[nn][training]") {
  const Blobs data = make_blobs(32, 2);
  auto losses = [&](std::uint64_t seed) {
    nn::Classifier model(small_spec(nn::Activation::relu), options(32, seed));
    std::vector<float> out;
    for (int i = 0; i < 20; ++i) out.push_back(model.train_step(data.images, data.labels).loss);
    return out;
  };
  CHECK(losses(5) == losses(5));
  CHECK(losses(5) != losses(6));
}

TEST_CASE("training replays one graph: it does not grow across steps", "[nn][training]") {
  const Blobs data = make_blobs(32, 2);
  nn::Classifier model(small_spec(nn::Activation::relu), options(32, 1));
  const std::size_t nodes = model.graph().size();
  for (int i = 0; i < 50; ++i) model.train_step(data.images, data.labels);
  model.evaluate(data.images, data.labels, 7);  // other batch sizes replay the same graph too
  CHECK(model.graph().size() == nodes);
}

TEST_CASE("bad batches are refused with the sizes named", "[nn][training][errors]") {
  nn::Classifier model(small_spec(nn::Activation::relu), options(4, 1));
  std::vector<float> images(4 * 8, 0.0F);
  std::vector<std::uint8_t> labels = {0, 1, 2, 3};
  CHECK_THROWS_WITH(model.train_step({images.data(), 7}, labels), Catch::Contains("pixel values, got 7"));
  labels[2] = 9;
  CHECK_THROWS_WITH(model.train_step(images, labels), Catch::Contains("label 9"));
  CHECK_THROWS_WITH(nn::Classifier(small_spec(nn::Activation::relu), options(0, 1)),
                    Catch::Contains("batch size must be positive"));
}

TEST_CASE("a NaN in the data stops training and names the first op and layer", "[nn][training][errors]") {
  nn::Classifier model(small_spec(nn::Activation::relu), options(4, 1));
  std::vector<float> images(4 * 8, 0.5F);
  images[5] = std::numeric_limits<float>::quiet_NaN();
  std::vector<std::uint8_t> labels = {0, 1, 2, 3};
  CHECK_THROWS_WITH(model.train_step(images, labels), Catch::Contains("layer1/matmul") && Catch::Contains("nan"));
}

TEST_CASE("the gradient monitor records every layer on armed steps only", "[nn][monitor]") {
  const Blobs data = make_blobs(16, 3);
  nn::Classifier model(small_spec(nn::Activation::relu), options(16, 1));
  nn::GradientMonitor monitor(model.mlp(), 10);
  model.train_step(data.images, data.labels);  // not armed
  CHECK(monitor.history().empty());
  monitor.arm(1);
  model.compute_gradients(data.images, data.labels);
  REQUIRE(monitor.history().size() == 1);
  const auto& rec = monitor.history().front();
  CHECK(rec.step == 1);
  REQUIRE(rec.layers.size() == 3);
  for (std::size_t l = 0; l < 3; ++l) {
    const auto& layer = model.mlp().layers()[l];
    CHECK(rec.layers[l].layer == layer.name());
    CHECK(rec.layers[l].mean_abs_kernel_grad == Approx(autodiff::mean_abs(layer.kernel().grad())));
    CHECK(rec.layers[l].mean_abs_bias_grad == Approx(autodiff::mean_abs(layer.bias().grad())));
    CHECK(rec.layers[l].mean_abs_kernel == Approx(autodiff::mean_abs(layer.kernel().value())));
    std::uint32_t counted = 0;
    for (auto c : rec.layers[l].kernel_grad.counts) counted += c;
    CHECK(counted == layer.kernel().value().size());
    CHECK(rec.layers[l].kernel_value.lo < rec.layers[l].kernel_value.hi);  // the values, not the gradient again
    CHECK(rec.layers[l].kernel_value.hi ==
          Approx(*std::max_element(layer.kernel().value().values().begin(), layer.kernel().value().values().end())));
  }
  CHECK(rec.layers[0].dead_fraction.has_value());
  CHECK_FALSE(rec.layers[2].dead_fraction.has_value());  // the linear output layer
  model.compute_gradients(data.images, data.labels);     // disarmed again
  CHECK(monitor.history().size() == 1);
}

TEST_CASE("the monitor counts dead ReLUs and saturated sigmoids", "[nn][monitor]") {
  const Blobs data = make_blobs(16, 3);
  {
    nn::Classifier model(small_spec(nn::Activation::relu), options(16, 1));
    nn::GradientMonitor monitor(model.mlp());
    // A very negative bias makes every pre-activation of layer 1 negative: all its units die.
    model.mlp().layers()[0].bias().mutable_value().fill(-100.0F);
    monitor.arm(0);
    model.compute_gradients(data.images, data.labels);
    CHECK(*monitor.history()[0].layers[0].dead_fraction == 1.0F);
    CHECK(monitor.history()[0].layers[0].mean_abs_bias_grad == 0.0F);  // nothing flows back through it
  }
  {
    nn::Classifier model(small_spec(nn::Activation::sigmoid), options(16, 1));
    nn::GradientMonitor monitor(model.mlp());
    model.mlp().layers()[1].bias().mutable_value().fill(50.0F);
    monitor.arm(0);
    model.compute_gradients(data.images, data.labels);
    CHECK(*monitor.history()[0].layers[1].saturated_fraction == 1.0F);
    CHECK(*monitor.history()[0].layers[0].saturated_fraction < 0.5F);
  }
}

TEST_CASE("a destroyed monitor leaves no hook behind", "[nn][monitor]") {
  const Blobs data = make_blobs(16, 3);
  nn::Classifier model(small_spec(nn::Activation::relu), options(16, 1));
  {
    nn::GradientMonitor monitor(model.mlp());
    monitor.arm(0);
  }
  for (const auto& p : model.mlp().parameters()) CHECK(p.node().hooks.empty());
  CHECK_NOTHROW(model.train_step(data.images, data.labels));
}

TEST_CASE("histograms put every value in a bin, the maximum in the last", "[nn][monitor]") {
  const auto t = autodiff::Tensor::from_rows({{-1, 0, 0.5F, 1}});
  const auto h = nn::make_histogram(t, 4);
  CHECK(h.lo == -1.0F);
  CHECK(h.hi == 1.0F);
  CHECK(h.counts == std::vector<std::uint32_t>{1, 0, 1, 2});
  CHECK_THROWS(nn::make_histogram(t, 0));
}

TEST_CASE("a batch written into input_batch trains exactly like a copied one", "[nn][training]") {
  const Blobs data = make_blobs(16, 4);
  nn::Classifier copied(small_spec(nn::Activation::relu), options(16, 9));
  nn::Classifier in_place(small_spec(nn::Activation::relu), options(16, 9));
  for (int step = 0; step < 10; ++step) {
    const float a = copied.train_step(data.images, data.labels).loss;
    const std::span<float> x = in_place.input_batch(16);
    REQUIRE(x.size() == data.images.size());
    std::copy(data.images.begin(), data.images.end(), x.begin());
    const float b = in_place.train_step(x, data.labels).loss;
    REQUIRE(a == b);
  }
  CHECK_THROWS_WITH(in_place.input_batch(0), Catch::Contains("0 rows"));
}

TEST_CASE("a training step that blows up names its step number", "[nn][training][errors]") {
  // SGD with a learning rate of 1e30 throws the weights far out; within a few steps a value,
  // a gradient or an update overflows. The error must say in which step.
  const Blobs data = make_blobs(16, 4);
  nn::TrainingOptions o = options(16, 1);
  o.optimizer = nn::OptimizerKind::sgd;
  o.sgd_learning_rate = 1e30F;
  nn::Classifier model(small_spec(nn::Activation::relu), o);
  int failed_at = -1;
  std::string message;
  for (int step = 0; step < 20 && failed_at < 0; ++step) {
    try {
      model.train_step(data.images, data.labels);
    } catch (const autodiff::NonFiniteError& e) {
      failed_at = step;
      message = e.what();
    }
  }
  INFO(message);
  REQUIRE(failed_at >= 0);
  CHECK_THAT(message, Catch::StartsWith(fmt::format("training step {}: ", failed_at)));
}
