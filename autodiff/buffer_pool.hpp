#pragma once
// Per-thread pools, so that a replayed training step allocates no memory:
//  * tensor buffers: the gradient an op's backward returns takes a buffer that an earlier step's
//    gradient gave back when it was destroyed (Tensor uses these);
//  * small blocks: the std::vector<Tensor> each backward returns takes the block the previous
//    op's vector gave back (std::allocator<Tensor>, specialised in tensor.hpp, uses these).
// Nothing else needs to call them.

#include <cstddef>
#include <vector>

namespace gradflow::autodiff::detail {

// A buffer of exactly n floats, each set to `fill`, reused from this thread's pool when one of a
// fitting capacity is there (at least n, at most twice n), else newly allocated.
std::vector<float> take_buffer(std::size_t n, float fill);

// Keeps the buffer for reuse by this thread, or frees it when the pool is full (it holds at
// most 4096 buffers, 64 sizes and 32 MiB; when full, the size least recently used makes room).
void give_back(std::vector<float>&& buffer) noexcept;

// A block of at least `bytes` bytes, aligned for any type of that size (as ::operator new
// aligns). Blocks of up to kMaxPooledBlockBytes come from this thread's free list of their size
// when it has one, else from ::operator new; larger ones always from ::operator new.
void* take_block(std::size_t bytes);
// Returns a block from take_block(bytes), with the same `bytes`: kept on this thread's free
// list for reuse (at most kMaxPooledBlocksPerSize per size), else given to ::operator delete.
void give_back_block(void* block, std::size_t bytes) noexcept;

inline constexpr std::size_t kMaxPooledBlockBytes = 256;
inline constexpr std::size_t kMaxPooledBlocksPerSize = 32;

}  // namespace gradflow::autodiff::detail
