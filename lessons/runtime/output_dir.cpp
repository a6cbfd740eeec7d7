#include "lessons/runtime/output_dir.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "support/atomic_file.hpp"

namespace gradflow::lessons {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kPartialTag = ".partial-";
constexpr std::string_view kOldTag = ".old-";

// A random token for sibling names. Not the pid: two PID namespaces can both have a pid 7.
std::string random_token() {
  std::random_device device;
  return fmt::format("{:08x}{:04x}", device(), device() & 0xffffu);
}

fs::path sibling(const fs::path& final_path, std::string_view tag, std::string_view token) {
  return final_path.parent_path() / fmt::format("{}{}{}", final_path.filename().string(), tag, token);
}

bool is_empty_folder(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(fs::symlink_status(p, ec)) && fs::is_empty(p, ec) && !ec;
}

// The test hook described in the header: behave as if killed right after commit step `step`.
void maybe_exit_in_commit(int step) {
  const char* value = std::getenv(std::string(OutputDir::kExitInCommitVariable).c_str());
  if (value != nullptr && std::atoi(value) == step) ::_exit(86);
}

bool exchange_disabled_for_test() {
  const char* value = std::getenv(std::string(OutputDir::kNoExchangeVariable).c_str());
  return value != nullptr && std::string_view(value) == "1";
}

// rename(2) variants without a glibc wrapper requirement: RENAME_EXCHANGE swaps two names in one
// step, RENAME_NOREPLACE refuses to overwrite. Returns false with errno set on failure.
bool rename_with_flags(const fs::path& from, const fs::path& to, unsigned flags) {
  return ::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), flags) == 0;
}

// Tries to take the lock of a folder's lock file without waiting. Returns the locked descriptor
// (the caller closes it, which releases the lock), -1 if another process holds it, or -2 when the
// folder has no lock file (a leftover from before locks, or one killed before locking: its
// marker is written only after the lock is taken, so a marked folder without one is not live).
int try_lock(const fs::path& dir) {
  const int fd = ::open((dir / OutputDir::kLock).c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return -2;
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// When the run that wrote a complete folder marked it complete (nanoseconds since the epoch),
// or -1 if it never got that far.
long long completed_at(const fs::path& dir) {
  std::ifstream in(dir / OutputDir::kComplete);
  long long stamp = -1;
  if (!(in >> stamp)) return -1;
  return stamp;
}

struct Leftover {
  fs::path path;
  int lock_fd;  // held while we act on it, so no other run acts on it at the same time
  long long completed;
};

// Siblings `<out>.partial-*` and `<out>.old-*` that gradflow made and whose run has ended.
// Their locks are held on return; release_all() closes them.
std::vector<Leftover> ended_leftovers(const fs::path& final_path) {
  std::vector<Leftover> found;
  std::error_code ec;
  const fs::path parent = final_path.parent_path().empty() ? fs::path(".") : final_path.parent_path();
  const std::string stem = final_path.filename().string();
  for (const auto& entry : fs::directory_iterator(parent, ec)) {
    const std::string name = entry.path().filename().string();
    const bool ours_by_name =
        (name.starts_with(stem + std::string(kPartialTag)) && name.size() > stem.size() + kPartialTag.size()) ||
        (name.starts_with(stem + std::string(kOldTag)) && name.size() > stem.size() + kOldTag.size());
    if (!ours_by_name || !carries_gradflow_marker(entry.path())) continue;
    const int fd = try_lock(entry.path());
    if (fd == -1) continue;  // its run is alive: never touch work in progress
    found.push_back({entry.path(), fd, completed_at(entry.path())});
  }
  return found;
}

void release_all(std::vector<Leftover>& leftovers) {
  for (Leftover& l : leftovers) {
    if (l.lock_fd >= 0) ::close(l.lock_fd);
    l.lock_fd = -1;
  }
}

// A kill between the two renames of a commit without RENAME_EXCHANGE leaves no <out>, but two
// complete siblings. Put the newest complete one back; this renames, it deletes nothing.
void recover_if_missing(const fs::path& final_path) {
  std::error_code ec;
  if (fs::exists(fs::symlink_status(final_path, ec))) return;
  std::vector<Leftover> leftovers = ended_leftovers(final_path);
  const auto newest = std::max_element(leftovers.begin(), leftovers.end(),
                                       [](const Leftover& a, const Leftover& b) { return a.completed < b.completed; });
  if (newest != leftovers.end() && newest->completed >= 0) {
    if (rename_with_flags(newest->path, final_path, RENAME_NOREPLACE) ||
        (errno == EINVAL && !fs::exists(final_path, ec) && ::rename(newest->path.c_str(), final_path.c_str()) == 0)) {
      std::fprintf(stderr, "note: restored '%s' from '%s', the newest complete result of an interrupted run\n",
                   final_path.c_str(), newest->path.c_str());
    }
  }
  release_all(leftovers);
}

// After a successful commit: delete the leftovers of runs that have ended. Only these go: they
// carry the marker (gradflow made them), their lock is free (their run is over), and <out>
// holds a newer complete result.
void remove_ended_leftovers(const fs::path& final_path) {
  std::vector<Leftover> leftovers = ended_leftovers(final_path);
  std::error_code ec;
  for (const Leftover& l : leftovers) fs::remove_all(l.path, ec);  // a failure is retried next run
  release_all(leftovers);
}

}  // namespace

bool carries_gradflow_marker(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(fs::symlink_status(dir, ec))) return false;  // never follow a symlink
  if (!fs::is_regular_file(fs::symlink_status(dir / OutputDir::kMarker, ec))) return false;
  std::ifstream in(dir / OutputDir::kMarker);
  std::string first_line;
  std::getline(in, first_line);
  return first_line == OutputDir::kMarkerText;
}

OutputDir::OutputDir(fs::path final_path) {
  fs::path p = final_path.lexically_normal();
  if (!p.empty() && !p.has_filename()) p = p.parent_path();  // "out/lesson01/" -> "out/lesson01"
  const std::string name = p.filename().string();
  if (name.empty() || name == "." || name == ".." || p == p.root_path()) {
    throw std::runtime_error(fmt::format(
        "cannot use '{}' as the output folder: give a folder of its own, such as out/lesson01", final_path.string()));
  }
  final_ = p;

  std::error_code ec;
  if (!final_.parent_path().empty()) {
    fs::create_directories(final_.parent_path(), ec);
    if (ec) {
      throw std::runtime_error(fmt::format("cannot create the output folder '{}': creating '{}' failed: {}",
                                           final_.string(), final_.parent_path().string(), ec.message()));
    }
  }
  recover_if_missing(final_);

  const fs::file_status status = fs::symlink_status(final_, ec);
  if (fs::exists(status)) {
    if (!fs::is_directory(status)) {
      throw std::runtime_error(fmt::format("cannot use '{}' as the output folder: it exists and is not a folder{}",
                                           final_.string(), fs::is_symlink(status) ? " (it is a symbolic link)" : ""));
    }
    if (!is_empty_folder(final_) && !carries_gradflow_marker(final_)) {
      throw std::runtime_error(fmt::format(
          "refusing to use '{}' as the output folder: it holds files that no lesson wrote (no {} marker), and a "
          "finished run replaces the whole folder; choose another --out or empty it first",
          final_.string(), kMarker));
    }
  }

  // A fresh name; create_directory fails rather than reuse a folder that already exists.
  for (int attempt = 0;; ++attempt) {
    staging_ = sibling(final_, kPartialTag, random_token());
    if (fs::create_directory(staging_, ec) && !ec) break;
    if (attempt == 8 || (ec && ec != std::errc::file_exists)) {
      throw std::runtime_error(
          fmt::format("cannot create the output folder '{}': creating its staging folder '{}' "
                      "failed: {}",
                      final_.string(), staging_.string(), ec ? ec.message() : std::string("it already exists")));
    }
  }
  interrupt_cleanup_.emplace(staging_);
  try {
    // Lock first, marker second: a marked folder is always either locked or abandoned.
    lock_fd_ = ::open(path(kLock).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock_fd_ < 0 || ::flock(lock_fd_, LOCK_EX) != 0) {
      throw std::runtime_error(
          fmt::format("cannot lock the staging folder '{}': {}", staging_.string(), support::errno_text(errno)));
    }
    write_text(kMarker, fmt::format("{}\n", kMarkerText));
  } catch (...) {
    if (lock_fd_ >= 0) ::close(lock_fd_);
    fs::remove_all(staging_, ec);  // the destructor does not run when a constructor throws
    throw;
  }
}

OutputDir::~OutputDir() {
  std::error_code ec;  // a destructor must not throw; a leftover is cleaned by the next run
  if (!committed_) fs::remove_all(staging_, ec);
  interrupt_cleanup_.reset();
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the lock
}

fs::path OutputDir::path(std::string_view name) const {
  const fs::path relative = fs::path(name).lexically_normal();
  const bool escapes = std::any_of(relative.begin(), relative.end(), [](const fs::path& part) { return part == ".."; });
  if (relative.empty() || relative.is_absolute() || escapes) {
    throw std::invalid_argument(
        fmt::format("output folder: '{}' must be a relative path inside the output folder", name));
  }
  if (committed_) throw std::logic_error(fmt::format("output folder: '{}' requested after commit()", name));
  fs::path full = staging_ / relative;
  std::error_code ec;
  fs::create_directories(full.parent_path(), ec);
  if (ec) {
    throw std::runtime_error(
        fmt::format("cannot create the folder '{}': {}", full.parent_path().string(), ec.message()));
  }
  return full;
}

void OutputDir::write_text(std::string_view name, std::string_view content) const {
  support::write_file_atomically(path(name), content);
}

void OutputDir::commit() {
  if (committed_) throw std::logic_error(fmt::format("output folder '{}': commit() called twice", final_.string()));
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  write_text(kComplete, fmt::format("{}\n", std::chrono::duration_cast<std::chrono::nanoseconds>(now).count()));
  maybe_exit_in_commit(1);

  std::error_code ec;
  const bool had_old = fs::exists(fs::symlink_status(final_, ec));
  const bool try_exchange = had_old && !exchange_disabled_for_test();
  if (try_exchange && rename_with_flags(staging_, final_, RENAME_EXCHANGE)) {
    // One step: <out> is now the new result and the staging name holds the previous one.
    interrupt_cleanup_.reset();  // from here on the staging name holds the OLD result
    committed_ = true;
    maybe_exit_in_commit(2);
    if (carries_gradflow_marker(staging_) || is_empty_folder(staging_)) fs::remove_all(staging_, ec);
    maybe_exit_in_commit(3);
  } else if (had_old) {
    if (try_exchange && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP) {
      throw std::runtime_error(
          fmt::format("cannot move the finished output into '{}': {}", final_.string(), support::errno_text(errno)));
    }
    // No RENAME_EXCHANGE here: two renames. Between them there is no <out>, but both folders are
    // complete, and recover_if_missing() puts the newest back should we be killed there.
    const fs::path old = sibling(final_, kOldTag, random_token());
    fs::rename(final_, old, ec);
    if (ec) {
      throw std::runtime_error(fmt::format("cannot replace the output folder '{}': moving it aside failed: {}",
                                           final_.string(), ec.message()));
    }
    maybe_exit_in_commit(2);
    fs::rename(staging_, final_, ec);
    if (ec) {
      const std::string reason = ec.message();
      fs::rename(old, final_, ec);  // put the previous result back
      throw std::runtime_error(fmt::format("cannot move the finished output into '{}': {}", final_.string(), reason));
    }
    interrupt_cleanup_.reset();
    committed_ = true;
    maybe_exit_in_commit(3);
    if (carries_gradflow_marker(old) || is_empty_folder(old)) fs::remove_all(old, ec);
    maybe_exit_in_commit(4);
  } else {
    if (!rename_with_flags(staging_, final_, RENAME_NOREPLACE)) {
      const int error = errno;
      if ((error != EINVAL && error != ENOSYS) || ::rename(staging_.c_str(), final_.c_str()) != 0) {
        throw std::runtime_error(fmt::format("cannot move the finished output into '{}': {}", final_.string(),
                                             support::errno_text(error == EINVAL || error == ENOSYS ? errno : error)));
      }
    }
    interrupt_cleanup_.reset();
    committed_ = true;
    maybe_exit_in_commit(2);
  }
  remove_ended_leftovers(final_);
}

}  // namespace gradflow::lessons
