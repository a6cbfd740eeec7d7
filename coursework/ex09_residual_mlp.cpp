// Exercise 09: a residual MLP from your own pieces (elu, layer_norm, he_normal). The architecture
// is in ex09_residual_mlp.hpp and in docs/coursework.md ("Exercise 09"); run its tests with
// `ctest --test-dir build -L ex09`. It needs exercises 01, 05, 06 and (for training) 07.
#include "coursework/ex09_residual_mlp.hpp"

#include "coursework/not_done.hpp"

namespace gradflow::coursework {

// Check the sizes, then create kernels_ (he_normal) and biases_ (zeros, [1 x out]) for "in",
// "block1" ... "blockN" and "out", each under a Graph::Scope of that name.
ResidualMlp::ResidualMlp(autodiff::Graph& graph, const ResidualMlpSpec& spec, nn::Rng& /*rng*/)
    : graph_(&graph), spec_(spec) {
  throw NotDone(9);
}

// h = x W_in + b_in; per block h = h + elu(layer_norm(h)) W_k + b_k; return h W_out + b_out.
autodiff::Var ResidualMlp::operator()(autodiff::Var /*x*/) { throw NotDone(9); }

}  // namespace gradflow::coursework
