#include "autodiff/ops/all_ops.hpp"

#include "autodiff/ops/add.hpp"
#include "autodiff/ops/bias_add.hpp"
#include "autodiff/ops/exp.hpp"
#include "autodiff/ops/leaky_relu.hpp"
#include "autodiff/ops/log.hpp"
#include "autodiff/ops/matmul.hpp"
#include "autodiff/ops/mean.hpp"
#include "autodiff/ops/mul.hpp"
#include "autodiff/ops/neg.hpp"
#include "autodiff/ops/relu.hpp"
#include "autodiff/ops/scale.hpp"
#include "autodiff/ops/sigmoid.hpp"
#include "autodiff/ops/softmax_cross_entropy.hpp"
#include "autodiff/ops/softplus.hpp"
#include "autodiff/ops/square.hpp"
#include "autodiff/ops/sub.hpp"
#include "autodiff/ops/sum.hpp"
#include "autodiff/ops/tanh.hpp"

namespace gradflow::autodiff::ops {

const std::vector<OpInfo>& all_ops() {
  using S = Sample;
  // clang-format off
  static const std::vector<OpInfo> list = {
      // op                                      operand sampling            operand shapes to check
      {std::make_shared<Add>(),                  {S::any, S::any},           {{{2, 3}, {2, 3}}, {{1, 1}, {1, 1}}, {{4, 1}, {4, 1}}}},
      {std::make_shared<Sub>(),                  {S::any, S::any},           {{{2, 3}, {2, 3}}, {{1, 1}, {1, 1}}, {{1, 4}, {1, 4}}}},
      {std::make_shared<Mul>(),                  {S::any, S::any},           {{{2, 3}, {2, 3}}, {{1, 1}, {1, 1}}, {{4, 1}, {4, 1}}}},
      {std::make_shared<MatMul>(),               {S::any, S::any},           {{{2, 3}, {3, 4}}, {{1, 5}, {5, 1}}, {{3, 1}, {1, 2}}}},
      {std::make_shared<BiasAdd>(),              {S::any, S::any},           {{{3, 4}, {1, 4}}, {{5, 1}, {1, 1}}, {{1, 3}, {1, 3}}}},
      {std::make_shared<Neg>(),                  {S::any},                   {{{2, 3}}, {{1, 1}}}},
      {std::make_shared<Scale>(-1.5F),           {S::any},                   {{{2, 3}}, {{1, 1}}}},
      {std::make_shared<Sum>(),                  {S::any},                   {{{2, 3}}, {{1, 1}}, {{5, 1}}}},
      {std::make_shared<Mean>(),                 {S::any},                   {{{2, 3}}, {{1, 1}}, {{1, 5}}}},
      {std::make_shared<Exp>(),                  {S::any},                   {{{2, 3}}, {{1, 1}}}},
      {std::make_shared<Log>(),                  {S::positive},              {{{2, 3}}, {{1, 1}}}},
      {std::make_shared<Square>(),               {S::any},                   {{{2, 3}}, {{1, 1}}}},
      {std::make_shared<Relu>(),                 {S::away_from_zero},        {{{2, 3}}, {{1, 1}}, {{5, 4}}}},
      {std::make_shared<LeakyRelu>(),            {S::away_from_zero},        {{{2, 3}}, {{1, 1}}, {{5, 4}}}},
      {std::make_shared<Sigmoid>(),              {S::any},                   {{{2, 3}}, {{1, 1}}, {{5, 4}}}},
      {std::make_shared<Tanh>(),                 {S::any},                   {{{2, 3}}, {{1, 1}}, {{5, 4}}}},
      {std::make_shared<Softplus>(),             {S::any},                   {{{2, 3}}, {{1, 1}}, {{5, 4}}}},
      {std::make_shared<SoftmaxCrossEntropy>(),  {S::any, S::one_hot_rows},  {{{3, 4}, {3, 4}}, {{1, 2}, {1, 2}}, {{5, 10}, {5, 10}}}},
  };
  // clang-format on
  return list;
}

}  // namespace gradflow::autodiff::ops
