#include "autodiff/buffer_pool.hpp"

#include <algorithm>
#include <array>
#include <new>
#include <utility>

// Under AddressSanitizer a block waiting on a free list is marked unaddressable (all but its
// link), so that a use after deallocate() is still reported as one.
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define GRADFLOW_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define GRADFLOW_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define GRADFLOW_POISON(p, n) ((void)(p), (void)(n))
#define GRADFLOW_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

namespace gradflow::autodiff::detail {

namespace {
constexpr std::size_t kMaxBuffers = 64;
constexpr std::size_t kMaxBytes = std::size_t{32} << 20;

// Tensors may die after their thread's pool (a tensor of static storage duration outlives the
// thread_local pool of the main thread): this flag, which has no destructor, says so.
thread_local bool pool_alive = false;

struct Pool {
  std::vector<std::vector<float>> free;
  std::size_t bytes = 0;
  Pool() {
    free.reserve(kMaxBuffers);
    pool_alive = true;
  }
  ~Pool() { pool_alive = false; }
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;
};

Pool* this_threads_pool() {
  thread_local Pool pool;  // built on a thread's first call, destroyed when the thread ends
  return pool_alive ? &pool : nullptr;
}

// Small blocks, one free list per size class of 16 bytes (16, 32, ..., kMaxPooledBlockBytes).
// A block of a class is always allocated and freed with its class's size, so any request that
// rounds up to the class may take it. A free block holds the link to the next one in its first
// bytes (every block is at least 16 bytes), so the lists need no memory of their own.
constexpr std::size_t kGranule = 16;
constexpr std::size_t kBlockClasses = kMaxPooledBlockBytes / kGranule;

thread_local bool blocks_alive = false;  // as pool_alive: no destructor, so readable at any time

struct FreeBlock {
  FreeBlock* next;
};

struct BlockLists {
  std::array<FreeBlock*, kBlockClasses> head{};
  std::array<std::size_t, kBlockClasses> count{};
  BlockLists() { blocks_alive = true; }
  ~BlockLists() {
    blocks_alive = false;
    for (std::size_t c = 0; c < kBlockClasses; ++c) {
      while (FreeBlock* b = head[c]) {
        GRADFLOW_UNPOISON(b, (c + 1) * kGranule);
        head[c] = b->next;
        ::operator delete(b, (c + 1) * kGranule);
      }
    }
  }
  BlockLists(const BlockLists&) = delete;
  BlockLists& operator=(const BlockLists&) = delete;
};

BlockLists* this_threads_blocks() {
  thread_local BlockLists lists;
  return blocks_alive ? &lists : nullptr;
}

// The class of a block of `bytes` (its size is (class + 1) * kGranule), or kBlockClasses when
// blocks of that size are not pooled.
std::size_t block_class(std::size_t bytes) {
  return bytes == 0 || bytes > kMaxPooledBlockBytes ? kBlockClasses : (bytes - 1) / kGranule;
}
}  // namespace

void* take_block(std::size_t bytes) {
  const std::size_t c = block_class(bytes);
  if (c == kBlockClasses) return ::operator new(bytes);
  const std::size_t size = (c + 1) * kGranule;
  if (BlockLists* lists = this_threads_blocks(); lists != nullptr && lists->head[c] != nullptr) {
    FreeBlock* b = lists->head[c];
    GRADFLOW_UNPOISON(b, size);
    lists->head[c] = b->next;
    --lists->count[c];
    return b;
  }
  return ::operator new(size);
}

void give_back_block(void* block, std::size_t bytes) noexcept {
  if (block == nullptr) return;
  const std::size_t c = block_class(bytes);
  if (c == kBlockClasses) {
    ::operator delete(block, bytes);
    return;
  }
  const std::size_t size = (c + 1) * kGranule;
  BlockLists* lists = this_threads_blocks();
  if (lists == nullptr || lists->count[c] >= kMaxPooledBlocksPerSize) {
    ::operator delete(block, size);
    return;
  }
  auto* b = ::new (block) FreeBlock{lists->head[c]};
  lists->head[c] = b;
  ++lists->count[c];
  GRADFLOW_POISON(reinterpret_cast<char*>(b) + sizeof(FreeBlock), size - sizeof(FreeBlock));
}

std::vector<float> take_buffer(std::size_t n, float fill) {
  Pool* p = n == 0 ? nullptr : this_threads_pool();
  if (p != nullptr) {
    // The smallest buffer that fits, among those no more than twice too big.
    std::size_t best = p->free.size();
    for (std::size_t i = 0; i < p->free.size(); ++i) {
      const std::size_t c = p->free[i].capacity();
      if (c >= n && c <= 2 * n && (best == p->free.size() || c < p->free[best].capacity())) best = i;
      if (c == n) break;  // the usual case in a replayed step: the same size as last time
    }
    if (best != p->free.size()) {
      std::vector<float> buffer = std::move(p->free[best]);
      p->free[best] = std::move(p->free.back());
      p->free.pop_back();
      p->bytes -= buffer.capacity() * sizeof(float);
      buffer.assign(n, fill);  // within capacity: no allocation
      return buffer;
    }
  }
  return std::vector<float>(n, fill);
}

void give_back(std::vector<float>&& buffer) noexcept {
  const std::size_t bytes = buffer.capacity() * sizeof(float);
  if (bytes == 0) return;
  Pool* p = this_threads_pool();
  if (p == nullptr || p->free.size() >= kMaxBuffers || p->bytes + bytes > kMaxBytes) return;  // freed by the caller
  p->bytes += bytes;
  p->free.push_back(std::move(buffer));  // capacity reserved up front: no allocation
}

}  // namespace gradflow::autodiff::detail
