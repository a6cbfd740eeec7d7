#pragma once
// Timestamps per phase of a lesson process, printed on stderr when --verbose is given:
//
//   [verbose]   0.262 s  (+0.262 s)  peak RSS  59.1 MiB  data read
//   [verbose]   1.104 s  (+0.842 s)  peak RSS  71.3 MiB  training finished
//
// The first column counts from the moment the process started (the kernel's start time of this
// process, so loading the shared libraries is included), the second from the previous mark; the
// peak resident memory is the process's own so far (VmHWM, not its gnuplot children). It
// is how docs/performance.md's phase profile is measured; timings are never tests.

#include <chrono>
#include <string_view>

namespace gradflow::lessons {

class PhaseClock {
 public:
  explicit PhaseClock(bool enabled);
  // Prints one line (when enabled): the time since the process started and since the last mark.
  void mark(std::string_view phase);
  [[nodiscard]] bool enabled() const { return enabled_; }

 private:
  bool enabled_;
  double start_offset_ = 0;  // seconds from the process's start to this clock's construction
  std::chrono::steady_clock::time_point created_;
  double last_ = 0;
};

}  // namespace gradflow::lessons
