// A replayed training step allocates no heap memory: tensors take their buffers from the
// per-thread pool and the std::vector<Tensor> each op's backward returns takes its array from
// the pooled std::allocator<Tensor> (autodiff/buffer_pool.hpp, autodiff/tensor.hpp).
//
// This file is its own test program because it replaces the global operator new with one that
// counts the allocations made on the current thread while a test has armed the counter.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <new>
#include <vector>

#include "autodiff/autodiff.hpp"
#include "mnist/dataset.hpp"
#include "nn/classifier.hpp"
#include "nn/monitor.hpp"

namespace {
thread_local bool counting = false;
thread_local long allocations = 0;

// Allocations made on this thread by `body`.
template <class Body>
long allocations_in(Body&& body) {
  allocations = 0;
  counting = true;
  body();
  counting = false;
  return allocations;
}
}  // namespace

void* operator new(std::size_t size) {
  if (counting) ++allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
// Every other form that pairs with the deletes below is replaced too (Catch2 uses the nothrow
// one), so that nothing allocated elsewhere is released here, or the reverse (AddressSanitizer
// checks that new and delete match).
void* operator new[](std::size_t size) { return ::operator new(size); }
void* operator new(std::size_t size, const std::nothrow_t& /*tag*/) noexcept {
  try {
    return ::operator new(size);
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, const std::nothrow_t& tag) noexcept { return ::operator new(size, tag); }
// The replaced operator new above allocates with malloc, so free is the matching release.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t /*size*/) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t /*size*/) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t& /*tag*/) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t& /*tag*/) noexcept { std::free(p); }
#pragma GCC diagnostic pop

using namespace gradflow;

TEST_CASE("the counting operator new sees an allocation", "[allocations]") {
  // Guards the tests below against a counter that never counts.
  CHECK(allocations_in([] { std::vector<int> v(100, 1); }) == 1);
}

TEST_CASE("a replayed training step of the flagship network allocates nothing", "[allocations][training]") {
  // The flagship network (784 -> 10 x5 -> 10, relu, Adam, batch 30) on synthetic digits, with
  // the gradient monitor attached (its hooks run every step) and the batch gathered by the
  // sampler straight into the input node, as lesson 05 trains.
  mnist::DataSplit split;
  split.labels.resize(200);
  split.pixels.resize(split.labels.size() * split.pixels_per_image());
  for (std::size_t i = 0; i < split.pixels.size(); ++i) split.pixels[i] = static_cast<std::uint8_t>((i * 37) % 256);
  for (std::size_t i = 0; i < split.labels.size(); ++i) split.labels[i] = static_cast<std::uint8_t>(i % 10);

  nn::MlpSpec spec;
  spec.activation = nn::Activation::relu;
  nn::TrainingOptions options;
  options.batch_size = 30;
  nn::Classifier classifier(spec, options);
  nn::GradientMonitor monitor(classifier.mlp());
  mnist::BatchSampler sampler(split, 30, 1);
  std::vector<std::uint8_t> labels(30);
  auto step = [&] {
    const std::span<float> images = classifier.input_batch(30);
    sampler.next_batch(images, labels);
    classifier.train_step(images, labels);
  };
  monitor.arm(0);  // an armed step records (and allocates for) the monitor's history
  step();
  step();  // the first steps size every gradient and fill the pools
  CHECK(monitor.history().size() == 1);
  CHECK(allocations_in([&] {
          for (int i = 0; i < 20; ++i) step();  // 20 x 30 = 600 samples: three epochs of the split
        }) == 0);
  CHECK(classifier.steps() == 22);
}

TEST_CASE("replaying a chain of small ops allocates nothing", "[allocations][graph]") {
  // The benchmark's op chain: tanh, scale, add a parameter, on [1 x 4] tensors, then sum.
  autodiff::Graph g;
  const autodiff::Var w = g.parameter("w", autodiff::Tensor::from_rows({{0.1F, -0.2F, 0.3F, -0.4F}}));
  const autodiff::Var c = g.parameter("c", autodiff::Tensor::from_rows({{0.05F, 0.1F, -0.05F, -0.1F}}));
  autodiff::Var x = w;
  for (int i = 0; i < 30; ++i) x = autodiff::ops::add(autodiff::ops::scale(autodiff::ops::tanh(x), 0.5F), c);
  const autodiff::Var loss = autodiff::ops::sum(x);
  for (int i = 0; i < 2; ++i) {  // the first passes size every gradient and fill the pools
    g.forward();
    g.backward(loss);
  }
  CHECK(allocations_in([&] {
          for (int i = 0; i < 5; ++i) {
            g.forward();
            g.backward(loss);
          }
        }) == 0);
}
