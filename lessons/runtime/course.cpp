#include "lessons/runtime/course.hpp"

#include <array>

namespace gradflow::lessons {

namespace {
// The one list of the course's lessons. A new lesson is one row here.
constexpr std::array<CourseLesson, 8> kCourse{{
    {1, "01_computation_graph", "lesson01_computation_graph", "The computation graph",
     "docs/lessons/01-computation-graph.md"},
    // Names as issue 10 (3/7) fixes them: build/bin/lesson02_backward, lesson03_gradcheck, lesson04_training.
    {2, "02_backward", "lesson02_backward", "Backward, step by step", "docs/lessons/02-backward.md"},
    {3, "03_gradcheck", "lesson03_gradcheck", "Checking gradients", "docs/lessons/03-gradcheck.md"},
    {4, "04_training", "lesson04_training", "Training a classifier", "docs/lessons/04-training.md"},
    {5, "05_vanishing_gradients", "lesson05_vanishing_gradients", "Vanishing gradients",
     "docs/lessons/05-vanishing-gradients.md"},
    {6, "06_initialisation", "lesson06_initialisation", "Initialisation", "docs/lessons/06-initialisation.md"},
    {7, "07_dead_and_exploding", "lesson07_dead_and_exploding", "Dead units and exploding gradients",
     "docs/lessons/07-dead-and-exploding.md"},
    {8, "08_residual", "lesson08_residual", "Depth and skip connections", "docs/lessons/08-residual.md"},
}};
}  // namespace

std::span<const CourseLesson> course() { return kCourse; }

std::optional<CourseLesson> find_lesson(std::string_view id_or_binary) {
  for (const CourseLesson& l : kCourse) {
    if (l.id == id_or_binary || l.binary == id_or_binary) return l;
  }
  return std::nullopt;
}

}  // namespace gradflow::lessons
