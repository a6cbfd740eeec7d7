#include "support/standard_output.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace gradflow::support {

void flush_standard_output() {
  errno = 0;
  const bool failed = std::fflush(stdout) != 0 || std::ferror(stdout) != 0;
  if (!failed) return;
  const int error = errno;
  std::clearerr(stdout);
  throw std::runtime_error(fmt::format("cannot write to standard output: {}",
                                       error != 0 ? std::strerror(error) : "an earlier write failed"));
}

}  // namespace gradflow::support
