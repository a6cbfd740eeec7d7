#pragma once
// What an exercise's starter body throws until you write it. The tests and the grader read it
// as "not started" (never a crash): Catch2 reports the exception's message, and scripts/grade.sh
// recognises the words "not done yet".

#include <fmt/format.h>

#include <stdexcept>

namespace gradflow::coursework {

class NotDone : public std::logic_error {
 public:
  explicit NotDone(int exercise)
      : std::logic_error(fmt::format("exercise {:02} not done yet: write its body (see docs/coursework.md, "
                                     "\"Exercise {:02}\")",
                                     exercise, exercise)),
        exercise_(exercise) {}
  [[nodiscard]] int exercise() const { return exercise_; }

 private:
  int exercise_;
};

}  // namespace gradflow::coursework
