#pragma once
// The umbrella header: everything a model needs, with operators so that model code reads like
// the maths:
//
//   #include "autodiff/autodiff.hpp"
//   using namespace gradflow::autodiff;
//   Var h = relu(matmul(x, w) + b);          // + on [m x n] and [1 x n] is bias_add
//   Var loss = softmax_cross_entropy(h, t);
//
// Each operator just calls the op's free function, so it builds a graph node the diagrams show
// under the op's name ("add", "bias_add", "mul", ...).

#include "autodiff/gradcheck.hpp"
#include "autodiff/graph.hpp"
#include "autodiff/ops/every_op.hpp"  // generated: every autodiff/ops/*.hpp, a new op's too
#include "autodiff/tensor.hpp"

namespace gradflow::autodiff {

// The built-in ops' free functions, reachable as gradflow::autodiff::relu etc. An op you add
// is reachable as gradflow::autodiff::ops::<name> with no edit here.
using ops::add;
using ops::bias_add;
using ops::exp;
using ops::leaky_relu;
using ops::log;
using ops::matmul;
using ops::mean;
using ops::mul;
using ops::neg;
using ops::relu;
using ops::scale;
using ops::sigmoid;
using ops::softmax_cross_entropy;
using ops::softplus;
using ops::square;
using ops::sub;
using ops::sum;
using ops::tanh;

// a + b: add for equal shapes; bias_add when b is a row [1 x n] and a is a batch [m x n]
// (m != 1), adding b to every row. Any other mismatch reaches the op that reports it: a row
// b of the wrong width gets bias_add's "bias must be [1 x n] ..." message.
inline Var operator+(Var a, Var b) {
  if (a.shape() != b.shape() && b.shape().rows == 1 && a.shape().rows != 1) return ops::bias_add(a, b);
  return ops::add(a, b);
}
// a - b (same shapes).
inline Var operator-(Var a, Var b) { return ops::sub(a, b); }
// a * b, elementwise (same shapes). For the matrix product write matmul(a, b).
inline Var operator*(Var a, Var b) { return ops::mul(a, b); }
// -a
inline Var operator-(Var a) { return ops::neg(a); }
// a * c and c * a for a number c: the scale op.
inline Var operator*(Var a, float c) { return ops::scale(a, c); }
inline Var operator*(float c, Var a) { return ops::scale(a, c); }

}  // namespace gradflow::autodiff
