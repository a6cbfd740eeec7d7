#pragma once
// The op test table: every op gradflow knows, each at the parameter values it is checked at.
// Our equivalent of PyTorch's derivative table, and the list the gradient-check test walks.
//
// Test code only: model code includes "autodiff/autodiff.hpp", which does not include this.
// To add an op: write autodiff/ops/<name>.hpp/.cpp (CMake finds them) and add ONE line per
// parameter value to the table in all_ops.cpp.

#include <vector>

#include "autodiff/gradcheck.hpp"

namespace gradflow::autodiff::ops {

const std::vector<OpEntry>& all_ops();

}  // namespace gradflow::autodiff::ops
