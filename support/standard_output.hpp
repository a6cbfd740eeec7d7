#pragma once
// Standard output is an output like any other: `program > /dev/full` must fail loudly, not exit 0
// with nothing written. stdio buffers what a program prints and flushes it at exit, where errors
// are silently dropped; so every program flushes explicitly at the end and checks the result.
#include <stdexcept>

namespace gradflow::support {

// Flushes stdout; throws std::runtime_error "cannot write to standard output: <strerror>" if
// this or any earlier write to it failed.
void flush_standard_output();

}  // namespace gradflow::support
