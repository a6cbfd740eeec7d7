#include "autodiff/ops/all_ops.hpp"

#include "autodiff/ops/add.hpp"
#include "autodiff/ops/matmul.hpp"
#include "autodiff/ops/relu.hpp"

namespace gradflow::autodiff::ops {

const std::vector<OpInfo>& all_ops() {
  using S = Sample;
  static const std::vector<OpInfo> list = {
      // op                          operand sampling        operand shapes to check
      {std::make_shared<Add>(), {S::any, S::any}, {{{2, 3}, {2, 3}}, {{1, 1}, {1, 1}}, {{4, 1}, {4, 1}}}},
      {std::make_shared<MatMul>(), {S::any, S::any}, {{{2, 3}, {3, 4}}, {{1, 5}, {5, 1}}, {{3, 1}, {1, 2}}}},
      {std::make_shared<Relu>(), {S::away_from_zero}, {{{2, 3}}, {{1, 1}}, {{5, 4}}}},
  };
  return list;
}

}  // namespace gradflow::autodiff::ops
