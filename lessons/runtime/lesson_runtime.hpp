#pragma once
// Everything a lesson program needs besides the engine: flags, the output folder and the page.
#include "lessons/runtime/common.hpp"        // IWYU pragma: export
#include "lessons/runtime/course.hpp"        // IWYU pragma: export
#include "lessons/runtime/figures.hpp"       // IWYU pragma: export
#include "lessons/runtime/flags.hpp"         // IWYU pragma: export
#include "lessons/runtime/html_page.hpp"     // IWYU pragma: export
#include "lessons/runtime/output_dir.hpp"    // IWYU pragma: export
#include "lessons/runtime/parallel.hpp"      // IWYU pragma: export
#include "lessons/runtime/report.hpp"        // IWYU pragma: export
#include "lessons/runtime/stats.hpp"         // IWYU pragma: export
#include "lessons/runtime/text_table.hpp"    // IWYU pragma: export
#include "lessons/runtime/training_log.hpp"  // IWYU pragma: export
