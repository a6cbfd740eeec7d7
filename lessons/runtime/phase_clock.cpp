#include "lessons/runtime/phase_clock.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

namespace gradflow::lessons {
namespace {

// Seconds since this process started: /proc/self/stat's field 22 (start time in clock ticks
// after boot) against /proc/uptime. 0 when /proc is not there.
double seconds_since_process_start() {
  std::ifstream stat("/proc/self/stat");
  std::ifstream uptime_file("/proc/uptime");
  std::string line;
  double uptime = 0;
  if (!std::getline(stat, line) || !(uptime_file >> uptime)) return 0;
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  const auto close = line.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(line.substr(close + 2));
  std::string field;
  for (int i = 3; i <= 22 && fields >> field; ++i) {
    if (i == 22) {
      const long ticks = sysconf(_SC_CLK_TCK);
      const double started = std::stod(field) / static_cast<double>(ticks > 0 ? ticks : 100);
      return uptime > started ? uptime - started : 0;
    }
  }
  return 0;
}

// The process's peak resident memory so far (VmHWM), in MiB; -1 when /proc is not there.
double peak_rss_mib() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with("VmHWM:")) return std::stod(line.substr(6)) / 1024.0;
  }
  return -1;
}

}  // namespace

PhaseClock::PhaseClock(bool enabled) : enabled_(enabled), created_(std::chrono::steady_clock::now()) {
  if (!enabled_) return;
  start_offset_ = seconds_since_process_start();
  mark("process start to the runtime (libraries loaded, flags parsed)");
}

void PhaseClock::mark(std::string_view phase) {
  if (!enabled_) return;
  const double now = start_offset_ + std::chrono::duration<double>(std::chrono::steady_clock::now() - created_).count();
  fmt::print(stderr, "[verbose] {:7.3f} s  (+{:.3f} s)  peak RSS {:5.1f} MiB  {}\n", now, now - last_, peak_rss_mib(),
             phase);
  std::fflush(stderr);
  last_ = now;
}

}  // namespace gradflow::lessons
