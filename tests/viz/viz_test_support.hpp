#pragma once
// Small graphs and helpers shared by the viz tests. Only add, matmul and relu are used, so the
// tests do not depend on which other ops exist.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <string_view>

#include "autodiff/graph.hpp"
#include "autodiff/ops/add.hpp"
#include "autodiff/ops/matmul.hpp"
#include "autodiff/ops/relu.hpp"

namespace gradflow::autodiff::viz::testing {

// A two-layer net on a batch of two samples, with a scalar "loss" = ones[1x2] . (relu(x W1 + b1) W2):
//   input x [2 x 2]; layer1/{kernel [2 x 3], matmul, bias [2 x 3], add, relu}; layer2/{kernel [3 x 1], matmul};
//   constant "ones" [1 x 2]; loss = matmul(ones, layer2/matmul).
struct TwoLayerNet {
  Graph graph;
  Var x, kernel1, bias1, hidden, kernel2, out, ones, loss;

  explicit TwoLayerNet(bool run_backward = true) {
    x = graph.input("x", Tensor::from_rows({{1.0F, -2.0F}, {0.5F, 3.0F}}));
    {
      Graph::Scope scope(graph, "layer1");
      kernel1 = graph.parameter("kernel", Tensor::from_rows({{0.5F, -0.3F, 0.8F}, {0.2F, 0.4F, -0.6F}}));
      bias1 = graph.parameter("bias", Tensor({2, 3}, 0.1F));
      hidden = ops::relu(ops::add(ops::matmul(x, kernel1), bias1));
    }
    {
      Graph::Scope scope(graph, "layer2");
      kernel2 = graph.parameter("kernel", Tensor::from_rows({{0.001F}, {-0.002F}, {0.003F}}));
      out = ops::matmul(hidden, kernel2);
    }
    ones = graph.constant("ones", Tensor({1, 2}, 1.0F));
    loss = graph.apply(std::make_shared<ops::MatMul>(), {ones, out}, "loss");
    if (run_backward) graph.backward(loss);
  }
};

// The statement that declares node `name` in DOT text from to_dot (one line per node).
// `name` is given as it appears inside the quotes (already escaped). Empty if there is none.
inline std::string node_line(const std::string& dot, std::string_view name) {
  const std::string key = "\"" + std::string(name) + "\" [";
  std::istringstream lines(dot);
  for (std::string line; std::getline(lines, line);) {
    const auto first = line.find_first_not_of(' ');
    if (first != std::string::npos && line.compare(first, key.size(), key) == 0) return line;
  }
  return {};
}

// An empty folder for one test's output, under the build tree.
inline std::filesystem::path fresh_dir(std::string_view test_name) {
  const auto dir = std::filesystem::path(GRADFLOW_BINARY_DIR) / "test_viz_out" / std::string(test_name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace gradflow::autodiff::viz::testing
