#pragma once
// The course: lessons 01..08 in order. Every lesson page links to its neighbours and to the
// course home page from this one table, and the course page (scripts/run-course.sh) lists it.

#include <optional>
#include <span>
#include <string_view>

namespace gradflow::lessons {

struct CourseLesson {
  int number;                 // 1 .. 8
  std::string_view id;        // "05_vanishing_gradients": the summary.json "lesson" key
  std::string_view binary;    // "lesson05_vanishing_gradients": build/bin/<binary>, out/<binary>
  std::string_view title;     // "Vanishing gradients"
  std::string_view doc_page;  // "docs/lessons/05-vanishing-gradients.md", from the repo root
};

std::span<const CourseLesson> course();
// The lesson with this id ("05_vanishing_gradients") or binary name; nullopt if none.
std::optional<CourseLesson> find_lesson(std::string_view id_or_binary);

}  // namespace gradflow::lessons
