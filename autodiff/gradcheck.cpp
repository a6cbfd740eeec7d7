#include "autodiff/gradcheck.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <random>
#include <stdexcept>

namespace gradflow::autodiff {

namespace {

// L = sum_ij y_ij R_ij, evaluated in double so that the objective adds no rounding of its own.
double objective(const Op& op, const Operands& x, const Tensor& r, Tensor& y) {
  op.forward(x, y);
  double total = 0.0;
  for (std::size_t i = 0; i < y.size(); ++i) total += static_cast<double>(y[i]) * static_cast<double>(r[i]);
  return total;
}

// The worst element of one operand, and whether anything failed.
struct OperandReport {
  std::size_t failures = 0;
  std::size_t worst = 0;       // index of the element furthest beyond its tolerance
  double worst_excess = -1.0;  // |a - n| / tolerance at that element
  double max_abs_analytic = 0.0;
  double max_abs_numeric = 0.0;
};

}  // namespace

GradcheckResult gradcheck(const Op& op, const std::vector<Tensor>& x, const GradcheckOptions& opts) {
  const std::string_view name = op.name();
  if (x.size() != op.arity() || x.size() > kMaxArity) {
    throw std::invalid_argument(
        fmt::format("gradcheck {}: the op takes {} operand(s) but {} were given", name, op.arity(), x.size()));
  }
  const std::size_t count = x.size();

  // Mutable copies: the finite differences nudge one element at a time.
  std::vector<Tensor> xs = x;
  OperandList list;
  for (std::size_t i = 0; i < count; ++i) list.set(i, xs[i], op.differentiable(i));
  const Operands operands = list.view();
  const auto& needed = list.needed;
  const Shape out = output_shape_of(op, list.shape_list(), "gradcheck");

  // The fixed random dL/dy. Its stream is decorrelated from the seed's: sample_operands draws
  // the operands from the same seed, and a dL/dy proportional to x would hide exactly the part
  // of a gradient that is orthogonal to x (layer_norm's whole gradient is; gradcheck went vacuous).
  Tensor r(out);
  std::mt19937_64 rng(opts.seed ^ 0x9E3779B97F4A7C15ULL);
  std::uniform_real_distribution<float> uniform(-1.0F, 1.0F);
  for (float& v : r.values()) v = uniform(rng);

  Tensor y(out);
  objective(op, operands, r, y);
  for (std::size_t k = 0; k < y.size(); ++k) {
    if (!std::isfinite(y[k])) {
      return {false,
              fmt::format("gradcheck {}: forward gave {} at element {} of y {}; choose inputs in the op's domain", name,
                          y[k], k, to_string(out))};
    }
  }
  const Tensor y0 = y;

  // Analytic gradients, with the same mask the graph would pass.
  const std::vector<Tensor> dx = op.backward(operands, y0, r, list.mask());
  if (dx.size() != count) {
    return {false, fmt::format("gradcheck {}: backward returned {} gradient(s) but the op has {} operand(s)", name,
                               dx.size(), count)};
  }
  for (std::size_t i = 0; i < count; ++i) {
    if (needed[i] && dx[i].shape() != xs[i].shape()) {
      return {false, fmt::format("gradcheck {}: backward returned a gradient of shape {} for operand {}, which is {}",
                                 name, to_string(dx[i].shape()), i, to_string(xs[i].shape()))};
    }
  }

  GradcheckResult result;
  result.passed = true;
  const auto eps = static_cast<float>(opts.eps);
  for (std::size_t i = 0; i < count && result.passed; ++i) {
    if (!needed[i]) continue;
    OperandReport report;
    std::vector<double> numeric(xs[i].size());
    for (std::size_t k = 0; k < xs[i].size(); ++k) {
      const float v = xs[i][k];
      const float plus = v + eps;
      const float minus = v - eps;
      xs[i][k] = plus;
      const double l_plus = objective(op, operands, r, y);
      xs[i][k] = minus;
      const double l_minus = objective(op, operands, r, y);
      xs[i][k] = v;
      // Divide by the step actually taken: v +- eps is rounded to float.
      const double n = (l_plus - l_minus) / (static_cast<double>(plus) - static_cast<double>(minus));
      const double a = dx[i][k];
      numeric[k] = n;

      const double abs_error = std::fabs(a - n);
      const double scale = std::max(std::fabs(a), std::fabs(n));
      const double rel_error = scale > 0.0 ? abs_error / scale : 0.0;
      const double tolerance = opts.atol + opts.rtol * scale;
      result.max_abs_error = std::max(result.max_abs_error, abs_error);
      result.max_rel_error = std::max(result.max_rel_error, rel_error);
      report.max_abs_analytic = std::max(report.max_abs_analytic, std::fabs(a));
      report.max_abs_numeric = std::max(report.max_abs_numeric, std::fabs(n));
      const bool ok = abs_error <= tolerance;  // false for NaN, too
      if (!ok) {
        ++report.failures;
        const double excess = std::isfinite(abs_error) ? abs_error / tolerance : INFINITY;
        if (excess > report.worst_excess) {
          report.worst_excess = excess;
          report.worst = k;
        }
      }
    }

    const Shape& shape = xs[i].shape();
    if (report.failures > 0) {
      const std::size_t k = report.worst;
      const double a = dx[i][k];
      const double n = numeric[k];
      const auto cols = static_cast<std::size_t>(shape.cols);
      result.passed = false;
      result.message = fmt::format(
          "gradcheck {}: operand {} {}, element ({}, {}): analytic {:.6g} but numeric {:.6g} (abs error {:.3g}, "
          "allowed {:.3g}); {} of {} elements fail; max abs error {:.3g}, max rel error {:.3g}{}",
          name, i, to_string(shape), k / cols, k % cols, a, n, std::fabs(a - n),
          opts.atol + opts.rtol * std::max(std::fabs(a), std::fabs(n)), report.failures, xs[i].size(),
          result.max_abs_error, result.max_rel_error,
          report.max_abs_analytic == 0.0 ? "; backward returned all zeros for this operand" : "");
    } else if (report.max_abs_analytic <= opts.atol && report.max_abs_numeric <= opts.atol) {
      result.passed = false;
      result.message = fmt::format(
          "gradcheck {}: operand {} {}: vacuous check: the analytic and the numeric gradient are both (essentially) "
          "all zero (max |analytic| {:.3g}, max |numeric| {:.3g}), so nothing was tested; choose inputs where the op "
          "has a nonzero slope, or declare the operand non-differentiable",
          name, i, to_string(shape), report.max_abs_analytic, report.max_abs_numeric);
    }
  }
  if (result.passed) {
    result.message = fmt::format("gradcheck {}: passed; max abs error {:.3g}, max rel error {:.3g}", name,
                                 result.max_abs_error, result.max_rel_error);
  }
  return result;
}

std::string ops::describe(const OpEntry& entry) {
  if (!entry.op) return "(no op)";
  const std::string attributes = entry.op->attributes();
  return attributes.empty() ? std::string(entry.op->name()) : fmt::format("{} {}", entry.op->name(), attributes);
}

GradcheckResult check_forward(const Op& op, const ops::ForwardExample& example, double tolerance) {
  const std::string what =
      fmt::format("forward {}{}{}", op.name(), op.attributes().empty() ? "" : " ", op.attributes());
  if (example.x.size() != op.arity() || example.x.size() > kMaxArity) {
    throw std::invalid_argument(
        fmt::format("{}: the op takes {} operand(s) but the example gives {}", what, op.arity(), example.x.size()));
  }
  OperandList list;
  for (std::size_t i = 0; i < example.x.size(); ++i) list.set(i, example.x[i], false);
  const Shape out = output_shape_of(op, list.shape_list(), "forward example");
  if (out != example.y.shape()) {
    return {false,
            fmt::format("{}: y is {} but the example expects {}", what, to_string(out), to_string(example.y.shape()))};
  }
  Tensor y(out);
  op.forward(list.view(), y);
  for (std::size_t k = 0; k < y.size(); ++k) {
    const double expected = example.y[k];
    const double allowed = tolerance * std::max(1.0, std::fabs(expected));
    if (!(std::fabs(y[k] - expected) <= allowed)) {  // NaN fails too
      const auto cols = static_cast<std::size_t>(out.cols);
      return {false, fmt::format("{}: element ({}, {}) is {:.7g} but the maths gives {:.7g} (allowed error {:.2g})",
                                 what, k / cols, k % cols, y[k], expected, allowed)};
    }
  }
  return {true, fmt::format("{}: {} value(s) as expected", what, y.size())};
}

GradcheckResult check_entry(const ops::OpEntry& entry, std::string_view label, int seeds) {
  if (!entry.op) return {false, fmt::format("{}: no op", label)};
  if (entry.samples.size() != entry.op->arity()) {
    return {false, fmt::format("{}: {} sampling kind(s) for an op of arity {}", label, entry.samples.size(),
                               entry.op->arity())};
  }
  if (entry.cases.empty()) return {false, fmt::format("{}: no shape cases to gradcheck", label)};
  GradcheckResult worst{true, ""};
  for (std::size_t c = 0; c < entry.cases.size(); ++c) {
    for (int seed = 1; seed <= seeds; ++seed) {
      GradcheckOptions opts;
      opts.seed = static_cast<std::uint64_t>(seed);
      GradcheckResult r = gradcheck(*entry.op, sample_operands(entry, c, opts.seed), opts);
      if (!r) {
        r.message = fmt::format("{}, case {}, seed {}: {}", label, c + 1, seed, r.message);
        return r;
      }
      worst.max_abs_error = std::max(worst.max_abs_error, r.max_abs_error);
      worst.max_rel_error = std::max(worst.max_rel_error, r.max_rel_error);
    }
  }
  for (std::size_t e = 0; e < entry.forward.size(); ++e) {
    GradcheckResult r = check_forward(*entry.op, entry.forward[e]);
    if (!r) {
      r.message = fmt::format("{}, forward example {}: {}", label, e + 1, r.message);
      return r;
    }
  }
  worst.message = fmt::format(
      "{}: passed {} gradcheck case(s) x {} seed(s) (max abs error {:.3g}) and {} forward "
      "example(s)",
      label, entry.cases.size(), seeds, worst.max_abs_error, entry.forward.size());
  return worst;
}

std::vector<Tensor> sample_operands(const ops::OpEntry& info, std::size_t case_index, std::uint64_t seed) {
  const std::string_view name = info.op ? info.op->name() : "?";
  if (case_index >= info.cases.size()) {
    throw std::out_of_range(
        fmt::format("sample_operands {}: case {} requested but the op lists {}", name, case_index, info.cases.size()));
  }
  const auto& shapes = info.cases[case_index];
  if (shapes.size() != info.samples.size()) {
    throw std::invalid_argument(fmt::format("sample_operands {}: case {} has {} shape(s) but {} sampling kind(s)", name,
                                            case_index, shapes.size(), info.samples.size()));
  }
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> any(-2.0F, 2.0F);
  std::uniform_real_distribution<float> positive(0.5F, 2.0F);
  std::uniform_real_distribution<float> magnitude(0.1F, 2.0F);
  std::bernoulli_distribution coin(0.5);

  std::vector<Tensor> x;
  x.reserve(shapes.size());
  for (std::size_t i = 0; i < shapes.size(); ++i) {
    Tensor t(shapes[i]);
    switch (info.samples[i]) {
      case ops::Sample::any:
        for (float& v : t.values()) v = any(rng);
        break;
      case ops::Sample::positive:
        for (float& v : t.values()) v = positive(rng);
        break;
      case ops::Sample::away_from_zero:
        for (std::size_t k = 0; k < t.size(); ++k) {
          const bool negative = k == 0 ? false : k == 1 ? true : coin(rng);
          t[k] = negative ? -magnitude(rng) : magnitude(rng);
        }
        break;
      case ops::Sample::one_hot_rows: {
        if (t.cols() == 0) break;
        std::uniform_int_distribution<int> label(0, t.cols() - 1);
        for (int row = 0; row < t.rows(); ++row) t(row, label(rng)) = 1.0F;
        break;
      }
    }
    x.push_back(std::move(t));
  }
  return x;
}

}  // namespace gradflow::autodiff
