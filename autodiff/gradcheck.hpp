#pragma once
// gradcheck: does an op's backward agree with its forward?
//
// backward is written by hand, so it can be wrong while the network still trains (badly).
// gradcheck tests it against the definition of the derivative. It turns the op into a scalar
// objective with a fixed random R shaped like y,
//   L(x) = sum_ij y_ij R_ij,   so that dL/dy = R,
// asks backward for the analytic gradient dL/dx (passing dy = R), and compares every element
// with the central finite difference
//   dL/dx_k ~ (L(x + eps e_k) - L(x - eps e_k)) / (2 eps).
// Use it on your own op:
//   auto result = gradcheck(MyOp{}, {Tensor::from_rows({{0.5F, -1.0F}})});
//   if (!result) std::cerr << result.message << '\n';

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "autodiff/op.hpp"
#include "autodiff/tensor.hpp"

namespace gradflow::autodiff {

struct GradcheckOptions {
  // The ops compute in float32, whose rounding error is about 6e-8 relative. A difference
  // quotient divides that noise by 2 eps, while its truncation error (the Taylor terms the
  // central difference drops) grows like eps^2 |f'''| / 6. With eps = 1e-3 the noise is about
  // 1e-4 and the truncation error about 1e-6 for inputs of size ~1: a good middle. (eps = 1e-6,
  // fine in double, would leave float32 with pure noise.)
  double eps = 1e-3;
  // An element passes when |analytic - numeric| <= atol + rtol * max(|analytic|, |numeric|).
  // rtol = 1e-2 leaves room for the ~1e-4 float noise relative to gradients of size ~0.01-1,
  // atol = 1e-3 does the same for gradients near 0; a wrong formula misses by far more (a
  // forgotten factor is typically off by 10-100 %).
  double rtol = 1e-2;
  double atol = 1e-3;
  // Seeds the random R (dL/dy). A fixed seed makes every run, and every message, repeatable.
  std::uint64_t seed = 20260101;
};

struct GradcheckResult {
  bool passed = false;
  // Failure: op, operand, element (row, col), analytic vs numeric value, and the max errors.
  // Success: a one-line summary with the max errors.
  std::string message;
  double max_abs_error = 0.0;  // over every checked element of every operand
  double max_rel_error = 0.0;  // |a - n| / max(|a|, |n|)

  explicit operator bool() const { return passed; }
};

// Checks op's backward at the operand values x (one tensor per operand). It fails when
//  * an element differs by more than the tolerance,
//  * both the analytic and the numeric gradient of an operand are (essentially) all zero:
//    such a check tests nothing, so it must not pass; pick inputs where the op has a slope,
//  * backward returns the wrong number of tensors, or a tensor of the wrong shape.
// Non-differentiable operands (op.differentiable(i) false, e.g. labels) are left alone.
// Throws std::invalid_argument for the wrong number of operands and ShapeError (from
// op.output_shape) when their shapes do not fit.
GradcheckResult gradcheck(const Op& op, const std::vector<Tensor>& x, const GradcheckOptions& opts = {});

namespace ops {

// How gradcheck draws values for one operand.
enum class Sample {
  any,             // uniform in [-2, 2]
  positive,        // uniform in [0.5, 2] (log)
  away_from_zero,  // |x| in [0.1, 2], random sign but x[0] > 0, x[1] < 0 (relu: both sides of the kink)
  one_hot_rows,    // each row is a one-hot label (softmax cross-entropy's labels)
};

// Operand values and the output the maths gives for them, worked out by hand: a forward that
// ignores its parameter or has a wrong formula fails here even when backward agrees with it.
struct ForwardExample {
  std::vector<Tensor> x;
  Tensor y;
};

// One entry of an op test table (see all_ops.cpp): an op *with its parameter values*, so a
// parameterised op has one entry per value it is checked at (leaky_relu at alpha 0.01, 0.2, 0.5).
struct OpEntry {
  std::shared_ptr<const Op> op;
  std::vector<Sample> samples;            // one per operand
  std::vector<std::vector<Shape>> cases;  // operand shapes to gradcheck, several per entry
  std::vector<ForwardExample> forward;    // hand-computed forward values (may be empty)
};

// "leaky_relu alpha=0.01", or just "relu": the op's name and attributes, which tell the
// entries of one op apart.
std::string describe(const OpEntry& entry);

}  // namespace ops

// forward(example.x) against example.y: passes when every element is within
// tolerance * max(1, |expected|). The message names the op, its attributes and the element.
GradcheckResult check_forward(const Op& op, const ops::ForwardExample& example, double tolerance = 1e-5);

// Everything one table entry asks for: gradcheck on each shape case with seeds 1..seeds, then
// each forward example. Returns the first failure (or a summary), its message starting with
// `label`, e.g. "all_ops.cpp entry 15 (leaky_relu alpha=0.01), case 2, seed 3: gradcheck ...".
GradcheckResult check_entry(const ops::OpEntry& entry, std::string_view label, int seeds = 5);

// Operand values for entry.cases[case_index], drawn with entry.samples (see ops::Sample) from a
// generator seeded with `seed`. away_from_zero makes element 0 positive and element 1 negative
// so both sides of a kink are always checked. Throws std::out_of_range for a bad case_index.
std::vector<Tensor> sample_operands(const ops::OpEntry& entry, std::size_t case_index, std::uint64_t seed);

}  // namespace gradflow::autodiff
