#pragma once
// Everything a lesson program needs besides the engine: flags, the output folder and the page.
#include "lessons/runtime/common.hpp"      // IWYU pragma: export
#include "lessons/runtime/flags.hpp"       // IWYU pragma: export
#include "lessons/runtime/html_page.hpp"   // IWYU pragma: export
#include "lessons/runtime/output_dir.hpp"  // IWYU pragma: export
#include "lessons/runtime/text_table.hpp"  // IWYU pragma: export
