#pragma once
// Writing a file so that readers only ever see the old complete file or the new complete one.
//
// write_file_atomically(file, bytes) writes `<file>.tmp-XXXXXX` in the same folder, flushes it
// to disk (fsync), and renames it over `file`. rename(2) within one file system replaces the
// name in one step, so a full disk, a kill or a crash half-way leaves the previous file intact
// (and at worst a temp file, which is removed on an error and on Ctrl-C). Every failure names
// the file, the step and the system's reason (strerror), e.g. "No space left on device".
#include <filesystem>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

namespace gradflow::support {

// A failed file operation; the message names the file, the step and the cause.
class FileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The system's text for an errno value, e.g. "No space left on device".
std::string errno_text(int error_number);

// Writes all of `bytes` to the open descriptor `fd`, retrying short writes and EINTR. Throws
// FileError "cannot write '<name>': <strerror>" on failure.
void write_all(int fd, std::string_view bytes, const std::filesystem::path& name);

// Replaces `file` atomically with `bytes` (see above). The folder must exist. Throws FileError.
void write_file_atomically(const std::filesystem::path& file, std::string_view bytes);
inline void write_file_atomically(const std::filesystem::path& file, std::span<const unsigned char> bytes) {
  write_file_atomically(file, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

}  // namespace gradflow::support
