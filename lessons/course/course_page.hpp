#pragma once
// The course home page, out/index.html: every lesson of the course table (course.hpp) in order,
// each with its one-line summary, headline numbers and claim verdicts (read from the lesson's
// summary.json) and links to its page and its text in docs/lessons/. A lesson that was not
// built, failed, or left no readable summary.json is shown as such, never skipped or guessed.
//
// What a lesson's summary.json may hold for this page (all optional except "lesson"):
//   "lesson": "05_vanishing_gradients", "title", "summary": one line,
//   "claims": [{"id", "statement", "measured", "rule", "verdict", "settings_note"}],
//   "headline": [{"label": "test accuracy, relu", "value": "97.1% ± 0.2"}, ...]
//              (report.value("headline", ...); an object {label: value} works too).
// Without "headline", the summary's top-level numbers are shown instead.

#include <filesystem>
#include <map>
#include <string>

namespace gradflow::lessons {

// What scripts/run-course.sh saw when it ran a lesson.
struct LessonRun {
  enum class State { ran, failed, not_built, not_run } state = State::not_run;
  int exit_code = 0;
  double seconds = 0;
};

// Reads run-course.sh's status file: one line per lesson, tab-separated
//   <binary> ran|failed|not_built <exit code> <seconds>
// Throws std::runtime_error naming the file and line on a malformed line.
std::map<std::string, LessonRun> read_run_status(const std::filesystem::path& file);

// The page for the lessons' output folders under `out_root` (out_root/<binary>/summary.json),
// with links relative to out_root, where the page goes; `repo_root` holds docs/lessons/.
std::string course_page_html(const std::filesystem::path& out_root, const std::filesystem::path& repo_root,
                             const std::map<std::string, LessonRun>& runs);

// Writes `html` to out_root/index.html atomically (a temporary file, then rename). An existing
// index.html that is not a course page written by gradflow (no kCourseMarker) is a user's file:
// throws naming it instead of replacing it.
void write_course_page(const std::filesystem::path& out_root, const std::string& html);

inline constexpr const char* kCourseMarker = "<!-- gradflow course page -->";

}  // namespace gradflow::lessons
