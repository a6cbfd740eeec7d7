#include "support/atomic_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "support/interrupt.hpp"

namespace gradflow::support {

namespace {

// The process's umask without changing it (umask(2) can only be read by setting it, which races
// with other threads creating files): Linux reports it in /proc/self/status.
::mode_t current_umask() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with("Umask:")) return static_cast<::mode_t>(std::stoul(line.substr(6), nullptr, 8));
  }
  return 022;
}

}  // namespace

std::string errno_text(int error_number) { return std::strerror(error_number); }

void write_all(int fd, std::string_view bytes, const std::filesystem::path& name) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ::ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw FileError(fmt::format("cannot write '{}': {}", name.string(), errno_text(errno)));
    }
    done += static_cast<std::size_t>(n);
  }
}

void write_file_atomically(const std::filesystem::path& file, std::string_view bytes) {
  // mkstemp wants a writable template ending in XXXXXX; the temp file sits beside `file` so
  // that the final rename stays within one file system (rename across them is not atomic).
  std::string name = file.string() + ".tmp-XXXXXX";
  std::vector<char> temp(name.begin(), name.end());
  temp.push_back('\0');
  const int fd = ::mkostemp(temp.data(), O_CLOEXEC);
  if (fd < 0) {
    throw FileError(fmt::format("cannot write '{}': creating a temporary file beside it failed: {}", file.string(),
                                errno_text(errno)));
  }
  const std::filesystem::path temp_path(temp.data());
  CleanupOnInterrupt guard(temp_path);  // Ctrl-C while writing removes the temp file
  auto fail = [&](const std::string& message) {
    ::unlink(temp.data());
    throw FileError(message);
  };
  try {
    write_all(fd, bytes, file);
  } catch (const FileError& e) {
    ::close(fd);
    fail(e.what());
  }
  // mkstemp creates the file 0600; give it the permissions an ordinary new file would get.
  ::fchmod(fd, 0666 & ~current_umask());
  // fsync before rename: otherwise a power cut can leave the new name pointing at an empty file.
  // Errors of delayed writes (a full disk on NFS, say) surface here or at close.
  if (::fsync(fd) != 0 && errno != EINVAL && errno != EROFS) {
    const int error = errno;
    ::close(fd);
    fail(fmt::format("cannot write '{}': {}", file.string(), errno_text(error)));
  }
  if (::close(fd) != 0) fail(fmt::format("cannot write '{}': {}", file.string(), errno_text(errno)));
  if (::rename(temp.data(), file.c_str()) != 0) {
    fail(fmt::format("cannot write '{}': renaming the finished temporary file into place failed: {}", file.string(),
                     errno_text(errno)));
  }
}

}  // namespace gradflow::support
