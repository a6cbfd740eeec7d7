#include "autodiff/ops/matmul.hpp"

#include "autodiff/kernels/gemm.hpp"

namespace gradflow::autodiff::ops {

using kernels::gemm;
using kernels::Transpose;

Shape MatMul::output_shape(std::span<const Shape> x) const {
  if (x[0].cols != x[1].rows) {
    throw ShapeError(
        fmt::format("inner dimensions differ, left is {} but right is {}", to_string(x[0]), to_string(x[1])));
  }
  return {x[0].rows, x[1].cols};
}

void MatMul::forward(const Operands& x, Tensor& y) const {
  const int m = x[0].rows(), k = x[0].cols(), n = x[1].cols();
  gemm(Transpose::no, Transpose::no, m, n, k, 1.0F, x[0].data(), x[1].data(), 0.0F, y.data());
}

std::vector<Tensor> MatMul::backward(const Operands& x, const Tensor& /*y*/, const Tensor& dy,
                                     const GradMask& needed) const {
  const int m = x[0].rows(), k = x[0].cols(), n = x[1].cols();
  std::vector<Tensor> dx(2);
  if (needed[0]) {  // dx0 = dy x1^T
    dx[0] = Tensor(x[0].shape());
    gemm(Transpose::no, Transpose::yes, m, k, n, 1.0F, dy.data(), x[1].data(), 0.0F, dx[0].data());
  }
  if (needed[1]) {  // dx1 = x0^T dy
    dx[1] = Tensor(x[1].shape());
    gemm(Transpose::yes, Transpose::no, k, n, m, 1.0F, x[0].data(), dy.data(), 0.0F, dx[1].data());
  }
  return dx;
}

Var matmul(Var a, Var b) { return a.graph().apply(std::make_shared<MatMul>(), {a, b}); }

}  // namespace gradflow::autodiff::ops
