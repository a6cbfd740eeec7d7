#include "autodiff/buffer_pool.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
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
// The pool keeps at most this many buffers and bytes, so it never holds much more than the
// tensors of a graph or two: a graph of 1000 small ops rebuilt every iteration (how lessons 02
// and 03 and the coursework write code) gives back about 2000 buffers of a few floats when it
// dies, and the next iteration's graph takes them all again.
constexpr std::size_t kMaxBuffers = 4096;
constexpr std::size_t kMaxBytes = std::size_t{32} << 20;
// Distinct buffer sizes kept at once. A training step uses a dozen; a new size beyond this many
// evicts the size least recently used.
constexpr std::size_t kMaxSizes = 64;

// Tensors may die after their thread's pool (a tensor of static storage duration outlives the
// thread_local pool of the main thread): this flag, which has no destructor, says so.
thread_local bool pool_alive = false;

// The free buffers of one capacity, most recently given back last.
struct Bucket {
  std::size_t capacity = 0;  // in floats
  std::vector<std::vector<float>> buffers;
  std::uint64_t last_used = 0;  // the pool's clock when a buffer was last taken or given back
};

struct Pool {
  std::vector<Bucket> buckets;  // one per capacity in use, in no particular order
  std::size_t count = 0;        // buffers held
  std::size_t bytes = 0;        // their capacity in bytes
  std::uint64_t clock = 0;
  Pool() {
    buckets.reserve(kMaxSizes);
    pool_alive = true;
  }
  ~Pool() { pool_alive = false; }
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  std::vector<float> pop(Bucket& b) {
    std::vector<float> buffer = std::move(b.buffers.back());
    b.buffers.pop_back();
    b.last_used = ++clock;
    --count;
    bytes -= b.capacity * sizeof(float);
    return buffer;
  }
  // Frees every buffer of the least recently used bucket other than `keep` (a stale size: the
  // tensors of a graph that is gone, say). False when there is nothing else to free.
  bool evict_one_size(const Bucket* keep) {
    Bucket* oldest = nullptr;
    for (Bucket& b : buckets) {
      if (&b != keep && !b.buffers.empty() && (oldest == nullptr || b.last_used < oldest->last_used)) oldest = &b;
    }
    if (oldest == nullptr) return false;
    count -= oldest->buffers.size();
    bytes -= oldest->buffers.size() * oldest->capacity * sizeof(float);
    oldest->buffers.clear();  // frees the buffers; the bucket keeps its (small) array for reuse
    return true;
  }
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
  std::size_t bytes = 0;
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
    lists->bytes -= size;
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
  if (lists == nullptr || lists->count[c] >= kMaxPooledBlocksPerSize ||
      lists->bytes + size > kMaxPooledBlockTotalBytes) {
    ::operator delete(block, size);
    return;
  }
  auto* b = ::new (block) FreeBlock{lists->head[c]};
  lists->head[c] = b;
  ++lists->count[c];
  lists->bytes += size;
  GRADFLOW_POISON(reinterpret_cast<char*>(b) + sizeof(FreeBlock), size - sizeof(FreeBlock));
}

std::vector<float> take_buffer(std::size_t n, float fill) {
  Pool* p = n == 0 ? nullptr : this_threads_pool();
  if (p != nullptr) {
    // A buffer of exactly n (the usual case in a replayed step: the same sizes as last time),
    // else the smallest that fits among those no more than twice too big.
    Bucket* best = nullptr;
    for (Bucket& b : p->buckets) {
      if (b.buffers.empty() || b.capacity < n || b.capacity > 2 * n) continue;
      if (best == nullptr || b.capacity < best->capacity) best = &b;
      if (b.capacity == n) break;
    }
    if (best != nullptr) {
      std::vector<float> buffer = p->pop(*best);
      buffer.assign(n, fill);  // within capacity: no allocation
      return buffer;
    }
  }
  return std::vector<float>(n, fill);
}

void give_back(std::vector<float>&& buffer) noexcept {
  const std::size_t capacity = buffer.capacity();
  const std::size_t bytes = capacity * sizeof(float);
  if (bytes == 0 || bytes > kMaxBytes) return;
  Pool* p = this_threads_pool();
  if (p == nullptr) return;  // freed by the caller
  auto bucket = std::find_if(p->buckets.begin(), p->buckets.end(),
                             [capacity](const Bucket& b) { return b.capacity == capacity; });
  if (bucket == p->buckets.end()) {
    // A new size: take the slot of an emptied bucket, or of the least recently used one.
    bucket = std::find_if(p->buckets.begin(), p->buckets.end(), [](const Bucket& b) { return b.buffers.empty(); });
    if (bucket == p->buckets.end() && p->buckets.size() == kMaxSizes) {
      p->evict_one_size(nullptr);
      bucket = std::find_if(p->buckets.begin(), p->buckets.end(), [](const Bucket& b) { return b.buffers.empty(); });
    }
    if (bucket == p->buckets.end()) bucket = p->buckets.emplace(p->buckets.end());  // capacity reserved: no allocation
    bucket->capacity = capacity;
  }
  // Full: make room by dropping the stalest other size; if there is none, this buffer is freed.
  while (p->count >= kMaxBuffers || p->bytes + bytes > kMaxBytes) {
    if (!p->evict_one_size(&*bucket)) return;
  }
  try {
    bucket->buffers.push_back(std::move(buffer));  // allocates only while the pool grows
  } catch (const std::bad_alloc&) {
    return;  // the buffer is simply freed by the caller
  }
  bucket->last_used = ++p->clock;
  ++p->count;
  p->bytes += bytes;
}

}  // namespace gradflow::autodiff::detail
