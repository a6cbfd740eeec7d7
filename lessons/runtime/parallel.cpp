#include "lessons/runtime/parallel.hpp"

#include <fmt/format.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

// OpenBLAS's own controls (cblas-openblas.h declares them; declared here so that this file
// does not depend on which BLAS header the distribution installs).
extern "C" {
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
}

namespace gradflow::lessons {

int usable_cores() {
  // The CPUs this process may run on (taskset, a container's cpuset), not every CPU the machine
  // has: std::thread::hardware_concurrency() counts the latter.
  cpu_set_t set;
  if (::sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

int default_jobs() { return std::clamp(usable_cores(), 1, kMaxJobs); }

int blas_threads() { return openblas_get_num_threads(); }

namespace {
// Sets OpenBLAS to one thread for the lifetime of the guard, then restores the old count.
class OneBlasThread {
 public:
  OneBlasThread() : previous_(openblas_get_num_threads()) { openblas_set_num_threads(1); }
  ~OneBlasThread() { openblas_set_num_threads(previous_); }
  OneBlasThread(const OneBlasThread&) = delete;
  OneBlasThread& operator=(const OneBlasThread&) = delete;

 private:
  int previous_;
};
}  // namespace

namespace detail {

void run_indexed(std::size_t count, int jobs, const std::function<void(std::size_t)>& task,
                 const std::function<void(std::size_t)>& done) {
  if (jobs < 1 || jobs > kMaxJobs) {
    throw std::invalid_argument(fmt::format("run_parallel: jobs must be 1 to {}, not {}", kMaxJobs, jobs));
  }
  // One BLAS thread per run whatever --jobs says, also when the runs go one at a time: a gemm
  // split over several threads may add its partial sums in another order, and "the results do
  // not depend on --jobs" must hold to the last bit.
  const OneBlasThread one_blas_thread;
  const std::size_t threads_wanted = std::min<std::size_t>(static_cast<std::size_t>(jobs), count);
  if (threads_wanted <= 1) {
    // One at a time on this thread: nothing to coordinate.
    for (std::size_t i = 0; i < count; ++i) {
      task(i);
      done(i);
    }
    return;
  }

  struct State {
    std::exception_ptr error;
    bool finished = false;
  };
  std::vector<State> state(count);
  std::mutex mutex;
  std::condition_variable finished;
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false};
  auto worker = [&] {
    for (std::size_t i = next++; i < count && !stop; i = next++) {
      std::exception_ptr error;
      try {
        task(i);
      } catch (...) {
        error = std::current_exception();
        stop = true;  // no point starting more tasks
      }
      const std::lock_guard lock(mutex);
      state[i].error = error;
      state[i].finished = true;
      finished.notify_all();
    }
  };
  std::vector<std::jthread> threads;
  for (std::size_t t = 0; t < threads_wanted; ++t) threads.emplace_back(worker);

  // Report in order as tasks finish, so the console reads as if they had run one by one.
  std::exception_ptr first_error;
  for (std::size_t i = 0; i < count; ++i) {
    {
      // Every task before a failed one was taken before it, so it finishes: this never hangs.
      std::unique_lock lock(mutex);
      finished.wait(lock, [&] { return state[i].finished; });
    }
    if (state[i].error) {
      first_error = state[i].error;
      break;
    }
    try {
      done(i);
    } catch (...) {
      first_error = std::current_exception();
      stop = true;
      break;
    }
  }
  threads.clear();  // joins
  if (first_error) std::rethrow_exception(first_error);
}

}  // namespace detail
}  // namespace gradflow::lessons
