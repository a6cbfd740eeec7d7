#pragma once
// Matrix multiply kernels: C = alpha * op(A) * op(B) + beta * C, with op(X) = X or X^T.
//
// gemm_reference is three plain loops: the definition, kept readable and used by the tests
// as the ground truth. gemm is the one the ops call. It picks one of two fast paths:
//  * gemm_zero_skipping when op(B) is a narrow, untransposed matrix and A is mostly zeros:
//    a layer's input x in `y = x W` and in `dL/dW = x^T dy`. MNIST images are about 80%
//    black pixels, exactly 0, and a zero input contributes nothing to either product, so
//    skipping it does a fifth of the work. (It is also the lesson's point about layer 1: a
//    zero pixel gets no gradient at all.)
//  * otherwise OpenBLAS's sgemm, which blocks the loops for the caches and uses the CPU's
//    widest vector units.
// The tests compare every path against gemm_reference.

#include <cstddef>

namespace gradflow::autodiff::kernels {

enum class Transpose { no, yes };

// Row-major A (op(A) is m x k), B (op(B) is k x n), C (m x n).
void gemm_reference(Transpose ta, Transpose tb, int m, int n, int k, float alpha, const float* a, const float* b,
                    float beta, float* c);
// C = alpha op(A) B + beta C, visiting only the non-zero entries of A (B not transposed).
void gemm_zero_skipping(Transpose ta, int m, int n, int k, float alpha, const float* a, const float* b, float beta,
                        float* c);
// Whether gemm takes the zero-skipping path for these arguments.
bool prefers_zero_skipping(Transpose tb, int m, int n, int k, const float* a);
void gemm(Transpose ta, Transpose tb, int m, int n, int k, float alpha, const float* a, const float* b, float beta,
          float* c);

}  // namespace gradflow::autodiff::kernels
