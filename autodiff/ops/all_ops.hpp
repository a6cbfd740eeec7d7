#pragma once
// The list of every op gradflow knows: our equivalent of PyTorch's derivative table.
//
// To add an op: write autodiff/ops/<name>.hpp/.cpp, add its source to autodiff/CMakeLists.txt,
// and add ONE line to the list in all_ops.cpp saying how to sample test inputs for it. The
// gradient-check test walks this list, so the new op is checked with no test code written.

#include <memory>
#include <vector>

#include "autodiff/op.hpp"

namespace gradflow::autodiff::ops {

// How gradcheck draws values for one operand.
enum class Sample {
  any,             // uniform in [-2, 2]
  positive,        // uniform in [0.5, 2] (log)
  away_from_zero,  // |x| in [0.1, 2], random sign but x[0] > 0, x[1] < 0 (relu: both sides of the kink)
  one_hot_rows,    // each row is a one-hot label (softmax cross-entropy's labels)
};

struct OpInfo {
  std::shared_ptr<const Op> op;
  std::vector<Sample> samples;            // one per operand
  std::vector<std::vector<Shape>> cases;  // operand shapes to check, several per op
};

const std::vector<OpInfo>& all_ops();

}  // namespace gradflow::autodiff::ops
