#include "autodiff/kernels/gemm.hpp"

#include <cblas.h>

namespace gradflow::autodiff::kernels {

void gemm_reference(Transpose ta, Transpose tb, int m, int n, int k, float alpha, const float* a, const float* b,
                    float beta, float* c) {
  // A is stored m x k (or k x m when transposed); B is k x n (or n x k).
  auto at = [&](int i, int p) { return ta == Transpose::no ? a[i * k + p] : a[p * m + i]; };
  auto bt = [&](int p, int j) { return tb == Transpose::no ? b[p * n + j] : b[j * k + p]; };
  for (int i = 0; i < m; ++i) {
    for (int j = 0; j < n; ++j) {
      double acc = 0.0;
      for (int p = 0; p < k; ++p) acc += static_cast<double>(at(i, p)) * static_cast<double>(bt(p, j));
      float& out = c[i * n + j];
      out = static_cast<float>(alpha * acc + (beta == 0.0F ? 0.0 : static_cast<double>(beta) * out));
    }
  }
}

void gemm(Transpose ta, Transpose tb, int m, int n, int k, float alpha, const float* a, const float* b, float beta,
          float* c) {
  if (m == 0 || n == 0) return;
  if (k == 0) {  // an empty sum: C = beta * C
    for (int i = 0; i < m * n; ++i) c[i] = beta == 0.0F ? 0.0F : beta * c[i];
    return;
  }
  const int lda = ta == Transpose::no ? k : m;
  const int ldb = tb == Transpose::no ? n : k;
  cblas_sgemm(CblasRowMajor, ta == Transpose::no ? CblasNoTrans : CblasTrans,
              tb == Transpose::no ? CblasNoTrans : CblasTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, n);
}

}  // namespace gradflow::autodiff::kernels
