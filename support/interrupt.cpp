#include "support/interrupt.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstring>

namespace gradflow::support {
namespace {

constexpr int kSlots = 16;
constexpr std::size_t kMaxPath = 4096;

struct Slot {
  std::atomic<bool> claimed{false};  // owned by a CleanupOnInterrupt
  std::atomic<bool> used{false};     // path is complete and should be removed on a signal
  char path[kMaxPath] = {};
};
Slot g_slots[kSlots];  // NOLINT: see the header, signals are process-wide

void say(const char* text) {
  const std::size_t n = std::strlen(text);
  ssize_t ignored = ::write(STDERR_FILENO, text, n);
  (void)ignored;
}

// Removes `name` inside the folder `dirfd` (a file, or a folder with everything in it), using
// only system calls. Depth is bounded by the folder depth of a lesson's output (a few levels).
void remove_at(int dirfd, const char* name, int depth) {
  if (::unlinkat(dirfd, name, 0) == 0 || errno == ENOENT) return;
  if (depth > 32) return;
  const int fd = ::openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return;
  alignas(8) char buffer[4096];
  // Entries are removed while reading; re-read from the start until a pass finds nothing.
  for (bool removed_any = true; removed_any;) {
    removed_any = false;
    ::lseek(fd, 0, SEEK_SET);
    for (;;) {
      const long n = ::syscall(SYS_getdents64, fd, buffer, sizeof buffer);
      if (n <= 0) break;
      for (long at = 0; at < n;) {
        struct Entry {
          ino64_t ino;
          off64_t off;
          unsigned short reclen;
          unsigned char type;
          char name[1];
        };
        const auto* entry = reinterpret_cast<const Entry*>(buffer + at);
        at += entry->reclen;
        if (std::strcmp(entry->name, ".") == 0 || std::strcmp(entry->name, "..") == 0) continue;
        remove_at(fd, entry->name, depth + 1);
        removed_any = true;
      }
    }
  }
  ::close(fd);
  ::unlinkat(dirfd, name, AT_REMOVEDIR);
}

extern "C" void on_interrupt(int signal_number) {
  // SIGPIPE (`lesson | head` after head has quit) ends a program quietly by convention; it still
  // removes what it half-wrote.
  const bool quiet = signal_number == SIGPIPE;
  if (!quiet) say(signal_number == SIGINT ? "\ninterrupted (SIGINT)" : "\nterminated (SIGTERM)");
  bool any = false;
  for (Slot& slot : g_slots) {
    if (!slot.used.load(std::memory_order_acquire)) continue;
    if (!quiet) {
      say(any ? ", '" : ": removing the unfinished output '");
      say(slot.path);
      say("'");
    }
    remove_at(AT_FDCWD, slot.path, 0);
    any = true;
  }
  if (!quiet) say(any ? "; earlier results are unchanged\n" : "\n");
  ::_exit(128 + signal_number);
}

}  // namespace

void install_interrupt_handler() {
  // Re-checked on every call rather than once: a test framework (Catch2 installs its own handlers
  // per test case) or a library may have replaced ours since.
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  sigaddset(&action.sa_mask, SIGINT);  // one clean-up at a time
  sigaddset(&action.sa_mask, SIGTERM);
  sigaddset(&action.sa_mask, SIGPIPE);
  for (const int s : {SIGINT, SIGTERM, SIGPIPE}) {
    struct sigaction old {};
    ::sigaction(s, nullptr, &old);
    if (old.sa_handler == SIG_IGN || old.sa_handler == on_interrupt) continue;  // ignored (nohup, &): keep it so
    ::sigaction(s, &action, nullptr);
  }
}

CleanupOnInterrupt::CleanupOnInterrupt(const std::filesystem::path& path) {
  install_interrupt_handler();
  if (path.empty()) return;
  const std::string text = std::filesystem::absolute(path).string();
  if (text.size() >= kMaxPath) return;  // too long to remember; the next run cleans it up instead
  for (int i = 0; i < kSlots; ++i) {
    bool expected = false;
    // Claim first, publish after copying, so the handler never reads a half-copied path.
    if (!g_slots[i].claimed.compare_exchange_strong(expected, true)) continue;
    std::memcpy(g_slots[i].path, text.c_str(), text.size() + 1);
    g_slots[i].used.store(true, std::memory_order_release);
    slot_ = i;
    return;
  }
}

void CleanupOnInterrupt::release() {
  if (slot_ < 0) return;
  g_slots[slot_].used.store(false, std::memory_order_release);
  g_slots[slot_].claimed.store(false, std::memory_order_release);
  slot_ = -1;
}

CleanupOnInterrupt::~CleanupOnInterrupt() { release(); }

}  // namespace gradflow::support
