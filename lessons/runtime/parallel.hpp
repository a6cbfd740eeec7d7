#pragma once
// Runs independent jobs (one training run per scenario and seed) on a few threads and reports
// them in order.
//
//   run_parallel<Run>(runs.size(), jobs,
//       [&](std::size_t i) { return train(runs[i]); },          // on a worker thread
//       [&](std::size_t i, Run& r) { print(r); keep(r); });      // on the calling thread, i = 0, 1, ...
//
// The results do not depend on `jobs` as long as each task only reads shared data and owns its
// seeded generators. While more than one job runs, OpenBLAS is limited to one thread per call
// (openblas_set_num_threads(1)): the runs already keep the cores busy, and OpenBLAS's own
// buffer table has room for a bounded number of calling threads (about 192 parallel jobs with
// its default threads crashed in sgemm_incopy). The previous setting is restored afterwards.
//
// If a task throws, no new task is started, the tasks before it are still reported in order,
// and the first exception is rethrown from run_parallel.

#include <cstddef>
#include <exception>
#include <functional>
#include <optional>
#include <vector>

namespace gradflow::lessons {

// The largest --jobs a lesson accepts: far below OpenBLAS's limit of concurrent callers.
inline constexpr int kMaxJobs = 64;
// One job per core, at least 1 and at most kMaxJobs: the default for --jobs.
int default_jobs();
// How many CPUs this process may run on (its affinity mask: taskset, a container's cpuset), at least 1.
int usable_cores();

namespace detail {
// Runs task(i) for i in [0, count) on min(jobs, count) threads and calls done(i) in order on
// the calling thread once task(i) has finished. Throws std::invalid_argument if jobs is
// outside 1..kMaxJobs.
void run_indexed(std::size_t count, int jobs, const std::function<void(std::size_t)>& task,
                 const std::function<void(std::size_t)>& done);
}  // namespace detail

template <class R, class Task, class Done>
void run_parallel(std::size_t count, int jobs, Task&& task, Done&& on_done_in_order) {
  std::vector<std::optional<R>> results(count);
  detail::run_indexed(
      count, jobs, [&](std::size_t i) { results[i].emplace(task(i)); },
      [&](std::size_t i) {
        on_done_in_order(i, *results[i]);
        results[i].reset();  // what the caller did not move out is freed now, not at the end
      });
}

// The BLAS thread count in effect (for tests and diagnostics).
int blas_threads();

}  // namespace gradflow::lessons
