#include "autodiff/kernels/gemm.hpp"

#include <algorithm>

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

namespace {
// C = beta C, where beta = 0 overwrites (so NaN or garbage in C never leaks through).
void scale_output(std::size_t count, float beta, float* c) {
  if (beta == 0.0F) {
    std::fill(c, c + count, 0.0F);
  } else if (beta != 1.0F) {
    for (std::size_t i = 0; i < count; ++i) c[i] *= beta;
  }
}
}  // namespace

void gemm_zero_skipping(Transpose ta, int m, int n, int k, float alpha, const float* a, const float* b, float beta,
                        float* c) {
  const auto un = static_cast<std::size_t>(n);
  scale_output(static_cast<std::size_t>(m) * un, beta, c);
  if (ta == Transpose::no) {
    // A is m x k: row i of C gathers alpha A_ip times row p of B, for every non-zero A_ip.
    for (int i = 0; i < m; ++i) {
      float* c_row = c + static_cast<std::size_t>(i) * un;
      const float* a_row = a + static_cast<std::size_t>(i) * static_cast<std::size_t>(k);
      for (int p = 0; p < k; ++p) {
        if (a_row[p] == 0.0F) continue;
        const float s = alpha * a_row[p];
        const float* b_row = b + static_cast<std::size_t>(p) * un;
        for (std::size_t j = 0; j < un; ++j) c_row[j] += s * b_row[j];
      }
    }
  } else {
    // A is stored k x m and op(A) = A^T: stored entry A_pi (row p) scatters alpha A_pi times
    // row p of B into row i of C.
    for (int p = 0; p < k; ++p) {
      const float* a_row = a + static_cast<std::size_t>(p) * static_cast<std::size_t>(m);
      const float* b_row = b + static_cast<std::size_t>(p) * un;
      for (int i = 0; i < m; ++i) {
        if (a_row[i] == 0.0F) continue;
        const float s = alpha * a_row[i];
        float* c_row = c + static_cast<std::size_t>(i) * un;
        for (std::size_t j = 0; j < un; ++j) c_row[j] += s * b_row[j];
      }
    }
  }
}

bool prefers_zero_skipping(Transpose tb, int m, int n, int k, const float* a) {
  // Only where sgemm is weak (a narrow B: a few output units) and the count is cheap compared
  // with the product itself; big dense products go to OpenBLAS untouched.
  const std::size_t count = static_cast<std::size_t>(m) * static_cast<std::size_t>(k);
  if (tb != Transpose::no || n > 32 || count < 1024) return false;
  std::size_t zeros = 0;
  for (std::size_t i = 0; i < count; ++i) zeros += a[i] == 0.0F ? 1 : 0;
  return zeros * 2 > count;  // more than half of A is zero
}

void gemm(Transpose ta, Transpose tb, int m, int n, int k, float alpha, const float* a, const float* b, float beta,
          float* c) {
  if (m == 0 || n == 0) return;
  if (k > 0 && prefers_zero_skipping(tb, m, n, k, a)) {
    gemm_zero_skipping(ta, m, n, k, alpha, a, b, beta, c);
    return;
  }
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
