#pragma once
// The lessons' command-line flags. The parser lives in support/flags.hpp so that the mnist tools
// (which must not depend on lessons/) take flags in exactly the same style; lessons keep using
// it under this name.
#include "support/flags.hpp"  // IWYU pragma: export

namespace gradflow::lessons {
using support::Flags;
using support::UsageError;
}  // namespace gradflow::lessons
