#pragma once
// Per-thread pools, so that a replayed training step allocates no memory:
//  * tensor buffers: the gradient an op's backward returns takes a buffer that an earlier step's
//    gradient gave back when it was destroyed (Tensor uses these);
//  * small blocks: the std::vector<Tensor> each backward returns takes the block the previous
//    op's vector gave back (std::allocator<Tensor>, specialised in tensor.hpp, uses these).
// Nothing else needs to call them.

#include <cstddef>
#include <limits>
#include <new>
#include <type_traits>
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
// list for reuse (at most kMaxPooledBlocksPerSize per size and kMaxPooledBlockTotalBytes in
// all), else given to ::operator delete.
void give_back_block(void* block, std::size_t bytes) noexcept;

// Enough for the edge lists of a graph of 1000 ops rebuilt every iteration (two small arrays per
// node), which go back to the lists when the graph dies and are taken again by the next one.
inline constexpr std::size_t kMaxPooledBlockBytes = 256;
inline constexpr std::size_t kMaxPooledBlocksPerSize = 4096;
inline constexpr std::size_t kMaxPooledBlockTotalBytes = std::size_t{2} << 20;

// A standard allocator whose small arrays come from take_block: the containers inside the
// computation graph (every node's lists of in-edges and out-edges, see graph.hpp) use it, so
// that rebuilding a graph reuses the arrays the last one gave back instead of calling malloc.
template <class T>
class PooledAllocator {
 public:
  using value_type = T;
  using propagate_on_container_move_assignment = std::true_type;
  using is_always_equal = std::true_type;

  PooledAllocator() noexcept = default;
  template <class U>
  PooledAllocator(const PooledAllocator<U>& /*other*/) noexcept {}  // NOLINT(google-explicit-constructor): rebinding

  [[nodiscard]] T* allocate(std::size_t n) {
    static_assert(alignof(T) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__, "take_block aligns as ::operator new");
    if (n > std::numeric_limits<std::size_t>::max() / sizeof(T)) throw std::bad_array_new_length();
    return static_cast<T*>(take_block(n * sizeof(T)));
  }
  void deallocate(T* p, std::size_t n) noexcept { give_back_block(p, n * sizeof(T)); }

  template <class U>
  friend bool operator==(const PooledAllocator& /*a*/, const PooledAllocator<U>& /*b*/) noexcept {
    return true;
  }
};

}  // namespace gradflow::autodiff::detail
