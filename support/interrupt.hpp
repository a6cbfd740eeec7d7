#pragma once
// Ctrl-C (SIGINT) and SIGTERM: say so, remove what this process had half-written, and exit
// with the shell's convention 128 + signal (130 for SIGINT, 143 for SIGTERM). SIGPIPE (the reader
// of our stdout has gone, as in `lesson | head`) removes the same things without a message, 141.
//
// Paths registered with CleanupOnInterrupt (a lesson's staging folder, the temp file of an
// atomic write) are removed by the signal handler. A handler may only use async-signal-safe
// calls, so it removes the tree with openat/getdents64/unlinkat on a path copied into a fixed
// buffer beforehand: no allocation, no locks, no C++ library. This table of pending paths is the
// one piece of global mutable state here; a signal is process-wide, so its clean-up must be too.
#include <filesystem>

namespace gradflow::support {

// Installs the SIGINT/SIGTERM handler (idempotent). CleanupOnInterrupt installs it too.
void install_interrupt_handler();

// While alive, `path` (a file or a folder tree) is removed if SIGINT or SIGTERM arrives.
class CleanupOnInterrupt {
 public:
  explicit CleanupOnInterrupt(const std::filesystem::path& path);
  ~CleanupOnInterrupt();
  CleanupOnInterrupt(const CleanupOnInterrupt&) = delete;
  CleanupOnInterrupt& operator=(const CleanupOnInterrupt&) = delete;
  // Stop watching (e.g. once a staging folder has been committed under its final name).
  void release();

 private:
  int slot_ = -1;
};

}  // namespace gradflow::support
