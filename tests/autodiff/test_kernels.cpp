// The OpenBLAS-backed gemm must equal the three-loop reference.
#include <random>

#include "autodiff/kernels/gemm.hpp"
#include "test_helpers.hpp"

using namespace gradflow::autodiff::kernels;

namespace {
std::vector<float> random_values(std::size_t n, std::mt19937& rng) {
  std::uniform_real_distribution<float> u(-1.0F, 1.0F);
  std::vector<float> v(n);
  for (float& x : v) x = u(rng);
  return v;
}
}  // namespace

TEST_CASE("gemm equals gemm_reference for every transpose combination, odd shapes and beta", "[kernels]") {
  std::mt19937 rng(17);
  struct Dims {
    int m, n, k;
  };
  const std::vector<Dims> dims = {{1, 1, 1}, {7, 5, 3}, {13, 17, 11}, {2, 9, 1}, {30, 10, 784}};
  for (const auto ta : {Transpose::no, Transpose::yes}) {
    for (const auto tb : {Transpose::no, Transpose::yes}) {
      for (const auto [m, n, k] : dims) {
        for (const float beta : {0.0F, 0.5F, -1.0F}) {
          const auto a = random_values(static_cast<std::size_t>(m * k), rng);
          const auto b = random_values(static_cast<std::size_t>(k * n), rng);
          auto c_fast = random_values(static_cast<std::size_t>(m * n), rng);
          auto c_ref = c_fast;
          gemm(ta, tb, m, n, k, 1.5F, a.data(), b.data(), beta, c_fast.data());
          gemm_reference(ta, tb, m, n, k, 1.5F, a.data(), b.data(), beta, c_ref.data());
          INFO("ta " << (ta == Transpose::yes) << " tb " << (tb == Transpose::yes) << " m " << m << " n " << n << " k "
                     << k << " beta " << beta);
          for (std::size_t i = 0; i < c_ref.size(); ++i) CHECK(c_fast[i] == Approx(c_ref[i]).margin(1e-4));
        }
      }
    }
  }
}

TEST_CASE("gemm with k = 0 leaves beta times C (an empty sum is zero)", "[kernels]") {
  std::vector<float> c = {1, 2, 3, 4, 5, 6};
  gemm(Transpose::no, Transpose::no, 2, 3, 0, 1.0F, nullptr, nullptr, 2.0F, c.data());
  CHECK(c == std::vector<float>{2, 4, 6, 8, 10, 12});
  std::vector<float> r = {1, 2, 3, 4, 5, 6};
  gemm_reference(Transpose::no, Transpose::no, 2, 3, 0, 1.0F, nullptr, nullptr, 2.0F, r.data());
  CHECK(r == c);
  gemm(Transpose::yes, Transpose::no, 2, 3, 0, 1.0F, nullptr, nullptr, 0.0F, c.data());
  CHECK(c == std::vector<float>(6, 0.0F));
}

TEST_CASE("gemm with beta = 0 ignores NaN in the old C", "[kernels]") {
  const std::vector<float> a = {1, 2}, b = {3, 4};
  std::vector<float> c = {std::nanf("")};
  gemm(Transpose::no, Transpose::no, 1, 1, 2, 1.0F, a.data(), b.data(), 0.0F, c.data());
  CHECK(c[0] == 11.0F);
  std::vector<float> r = {std::nanf("")};
  gemm_reference(Transpose::no, Transpose::no, 1, 1, 2, 1.0F, a.data(), b.data(), 0.0F, r.data());
  CHECK(r[0] == 11.0F);
}
