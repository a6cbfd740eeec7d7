// course_index: writes the course home page, out/index.html, from the lessons' summary.json files.
// scripts/run-course.sh runs every lesson and then this program; it can also be run on its own
// to rebuild the page from whatever results are in out/.
//
//   build/bin/course_index                         # out/index.html from out/lesson*/summary.json
//   build/bin/course_index --status runs.tsv       # also say which lessons ran or failed just now
//   build/bin/course_index --list                  # the course's lesson programs, in order
#include <fmt/format.h>

#include <filesystem>

#include "lessons/course/course_page.hpp"
#include "lessons/runtime/common.hpp"
#include "lessons/runtime/course.hpp"
#include "lessons/runtime/flags.hpp"

namespace {

int course_index(int argc, char** argv) {
  namespace fs = std::filesystem;
  using namespace gradflow::lessons;
  fs::path out = "out";
  fs::path repo = GRADFLOW_SOURCE_DIR;
  fs::path status;
  bool list = false;
  Flags flags("course_index", "Writes the course home page OUT/index.html from the lessons' summary.json files.");
  flags.add_path("out", &out, "the folder holding the lessons' output folders; the page is written there", "DIR");
  flags.add_path("repo", &repo, "the source tree, for the links to docs/lessons/", "DIR");
  flags.add_path("status", &status,
                 "run-course.sh's status file (<binary> ran|failed|not_built <exit code> <seconds> per line)", "FILE");
  flags.add_bool("list", &list, "print the course's lesson programs in order, one per line, and stop");
  if (!flags.parse(argc, argv)) return 0;
  if (list) {
    for (const CourseLesson& l : course()) fmt::print("{}\n", l.binary);
    return 0;
  }
  const auto runs = status.empty() ? std::map<std::string, LessonRun>{} : read_run_status(status);
  write_course_page(out, course_page_html(out, repo, runs));
  fmt::print("course page: {}\n", (out / "index.html").string());
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return gradflow::lessons::run_main(argc, argv, course_index); }
