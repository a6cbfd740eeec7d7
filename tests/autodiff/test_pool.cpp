// The per-thread tensor buffer pool behind Tensor (autodiff/buffer_pool.hpp).
#include <algorithm>
#include <thread>

#include "test_helpers.hpp"

using namespace gradflow::autodiff;

TEST_CASE("tensor buffers are reused from the pool, never shared between live tensors", "[tensor][pool]") {
  // In a thread of its own, so that the pool starts empty.
  std::thread([] {
    namespace detail = gradflow::autodiff::detail;
    std::vector<float> a = detail::take_buffer(100, 0.0F);
    const float* where = a.data();
    detail::give_back(std::move(a));
    const std::vector<float> b = detail::take_buffer(100, 7.0F);  // the same size: the same buffer, refilled
    CHECK(b.data() == where);
    CHECK(std::all_of(b.begin(), b.end(), [](float v) { return v == 7.0F; }));
    // A buffer more than twice too big is not handed out for a small tensor.
    detail::give_back(detail::take_buffer(1000, 0.0F));
    CHECK(detail::take_buffer(10, 0.0F).capacity() < 1000);
  }).join();

  // A replayed backward's gradient takes the buffer the previous one gave back, and two live
  // tensors never share one.
  Graph g;
  Var w = g.parameter("w", Tensor({3, 3}, 0.5F));
  Var loss = sum(square(w));
  g.backward(loss);
  const Tensor kept = w.grad();  // a copy: its own buffer
  g.backward(loss);
  CHECK(kept.data() != w.grad().data());
  CHECK(kept[0] == w.grad()[0]);
  Tensor x({2, 2}, 1.0F), y({2, 2}, 2.0F);
  CHECK(x.data() != y.data());
  x = std::move(y);
  CHECK(x[0] == 2.0F);
}

TEST_CASE("the std::vector<Tensor> that backward returns reuses pooled storage correctly", "[tensor][pool]") {
  // In a thread of its own, so that the free lists start empty.
  std::thread([] {
    const Tensor* where = nullptr;
    {
      std::vector<Tensor> dx(2);
      dx[0] = Tensor({2, 2}, 1.0F);
      where = dx.data();
    }
    // The next vector of two takes the array the last one gave back, with fresh (empty) tensors.
    std::vector<Tensor> a(2);
    CHECK(a.data() == where);
    CHECK(a[0].empty());
    CHECK(a[1].empty());
    // Two live vectors never share an array; one of another length has its own size of block.
    std::vector<Tensor> b(2);
    std::vector<Tensor> c(3);
    CHECK(b.data() != a.data());
    CHECK(c.data() != a.data());
    CHECK(c.data() != b.data());
    // Growing moves the tensors into a bigger array, values intact; large vectors work as usual.
    std::vector<Tensor> grown;
    for (int i = 0; i < 100; ++i) grown.push_back(Tensor({1, 3}, static_cast<float>(i)));
    for (int i = 0; i < 100; ++i) CHECK(grown[static_cast<std::size_t>(i)][2] == static_cast<float>(i));
  }).join();

  // A vector made on one thread may die on another: its array joins that thread's free list.
  std::vector<Tensor> made_here(2);
  const Tensor* where = made_here.data();
  std::thread([v = std::move(made_here), where]() mutable {
    CHECK(v.data() == where);
    v = std::vector<Tensor>();  // frees the array on this thread
    const std::vector<Tensor> again(2);
    CHECK(again.data() == where);
  }).join();
}

TEST_CASE("the pooled small blocks keep at most the limit per size", "[tensor][pool]") {
  std::thread([] {
    namespace detail = gradflow::autodiff::detail;
    std::vector<void*> blocks;
    for (std::size_t i = 0; i < 2 * detail::kMaxPooledBlocksPerSize; ++i) blocks.push_back(detail::take_block(64));
    for (void* b : blocks) detail::give_back_block(b, 64);  // the second half goes to ::operator delete
    // A request that rounds up to the same size takes a pooled block; the most recently given first.
    void* again = detail::take_block(60);
    CHECK(again == blocks[detail::kMaxPooledBlocksPerSize - 1]);
    detail::give_back_block(again, 60);
    // Blocks too large to pool come from ::operator new and go straight back to it.
    void* big = detail::take_block(detail::kMaxPooledBlockBytes + 1);
    CHECK(big != nullptr);
    detail::give_back_block(big, detail::kMaxPooledBlockBytes + 1);
  }).join();
}
