#pragma once
// A per-thread pool of tensor buffers, so that a replayed training step allocates no memory for
// its tensors: the gradient an op's backward returns takes a buffer that an earlier step's
// gradient gave back when it was destroyed. Tensor uses it; nothing else needs to.

#include <cstddef>
#include <vector>

namespace gradflow::autodiff::detail {

// A buffer of exactly n floats, each set to `fill`, reused from this thread's pool when one of a
// fitting capacity is there (at least n, at most twice n), else newly allocated.
std::vector<float> take_buffer(std::size_t n, float fill);

// Keeps the buffer for reuse by this thread, or frees it when the pool is full (it holds at
// most 64 buffers and 32 MiB, so it never keeps much more than a training step needs).
void give_back(std::vector<float>&& buffer) noexcept;

}  // namespace gradflow::autodiff::detail
