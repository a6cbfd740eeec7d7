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
