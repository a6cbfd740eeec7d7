#include "autodiff/buffer_pool.hpp"

#include <algorithm>
#include <utility>

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
}  // namespace

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
