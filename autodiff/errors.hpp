#pragma once
#include <stdexcept>

namespace gradflow::autodiff {

// Anything the engine refuses: a non-scalar loss, a cycle, an op whose backward broke its
// contract. The message always names the node (and the op and shapes where they matter).
class GraphError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A value or gradient became NaN or infinite; the message names the first node where it did.
class NonFiniteError : public GraphError {
 public:
  using GraphError::GraphError;
};

}  // namespace gradflow::autodiff
