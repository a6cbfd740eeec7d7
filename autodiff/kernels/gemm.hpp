#pragma once
// Matrix multiply kernels: C = alpha * op(A) * op(B) + beta * C, with op(X) = X or X^T.
//
// gemm_reference is three plain loops: the definition, kept readable and used by the tests
// as the ground truth. gemm is the one the ops call: it hands the work to OpenBLAS's sgemm,
// which blocks the loops for the caches and uses the CPU's vector units.

#include <cstddef>

namespace gradflow::autodiff::kernels {

enum class Transpose { no, yes };

// Row-major A (op(A) is m x k), B (op(B) is k x n), C (m x n).
void gemm_reference(Transpose ta, Transpose tb, int m, int n, int k, float alpha, const float* a, const float* b,
                    float beta, float* c);
void gemm(Transpose ta, Transpose tb, int m, int n, int k, float alpha, const float* a, const float* b, float beta,
          float* c);

}  // namespace gradflow::autodiff::kernels
