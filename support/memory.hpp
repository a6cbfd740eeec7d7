#pragma once
// Checking a size before allocating it, so that "too big" is reported as the flag or file that
// asked for it ("--hidden 100000 needs 160 GB ...") instead of `std::bad_alloc` half-way through.
#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>

namespace gradflow::support {

// A request larger than this machine can hold; the message names what asked for it.
class MemoryError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The product of `factors`, or UINT64_MAX if it overflows (a size that large never fits).
std::uint64_t saturating_product(std::initializer_list<std::uint64_t> factors);

// Memory the system could give us now: MemAvailable from /proc/meminfo, else the physical
// memory, capped by RLIMIT_AS when that is set.
std::uint64_t available_memory_bytes();

// Throws MemoryError "<what> needs <N> of memory but this machine has <M> available; <advice>"
// when `bytes` exceeds available_memory_bytes(). `what` names the cause, e.g.
// "--hidden 100000 (a 784 -> 100000 x 5 -> 10 network with Adam)"; `advice` says what to change.
void require_memory(std::string_view what, std::uint64_t bytes, std::string_view advice);

// "1.5 GB", "640 kB": sizes for messages (decimal units).
std::string format_bytes(std::uint64_t bytes);

}  // namespace gradflow::support
