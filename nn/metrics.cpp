#include "nn/metrics.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace gradflow::nn {

using autodiff::ShapeError;
using autodiff::to_string;

namespace {
int argmax_row(const float* row, int cols) {
  int best = 0;
  for (int j = 1; j < cols; ++j) {
    if (row[j] > row[best]) best = j;
  }
  return best;
}

void check_batch(const Tensor& logits, std::string_view what) {
  if (logits.rows() == 0 || logits.cols() == 0) {
    throw ShapeError(fmt::format("{}: needs at least one row and one class, but the logits are {}", what,
                                 to_string(logits.shape())));
  }
}
}  // namespace

std::vector<int> argmax_rows(const Tensor& scores) {
  if (scores.cols() == 0) {
    throw ShapeError(fmt::format("argmax_rows: a tensor without columns ({}) has no largest value per row",
                                 to_string(scores.shape())));
  }
  std::vector<int> result(static_cast<std::size_t>(scores.rows()));
  for (int r = 0; r < scores.rows(); ++r) {
    result[static_cast<std::size_t>(r)] = argmax_row(scores.data() + r * scores.cols(), scores.cols());
  }
  return result;
}

float accuracy(const Tensor& logits, const Tensor& one_hot_labels) {
  if (one_hot_labels.shape() != logits.shape()) {
    throw ShapeError(fmt::format("accuracy: one-hot labels must have the logits' shape {} but are {}",
                                 to_string(logits.shape()), to_string(one_hot_labels.shape())));
  }
  check_batch(logits, "accuracy");
  const int cols = logits.cols();
  int correct = 0;
  for (int r = 0; r < logits.rows(); ++r) {
    correct += argmax_row(logits.data() + r * cols, cols) == argmax_row(one_hot_labels.data() + r * cols, cols);
  }
  return static_cast<float>(correct) / static_cast<float>(logits.rows());
}

float accuracy(const Tensor& logits, std::span<const std::uint8_t> labels) {
  if (labels.size() != static_cast<std::size_t>(logits.rows())) {
    throw ShapeError(fmt::format("accuracy: logits {} have {} rows but {} labels were given", to_string(logits.shape()),
                                 logits.rows(), labels.size()));
  }
  check_batch(logits, "accuracy");
  const int cols = logits.cols();
  int correct = 0;
  for (int r = 0; r < logits.rows(); ++r) {
    const int label = labels[static_cast<std::size_t>(r)];
    if (label >= cols) {
      throw std::out_of_range(
          fmt::format("accuracy: label {} at row {} is not a class of logits {}", label, r, to_string(logits.shape())));
    }
    correct += argmax_row(logits.data() + r * cols, cols) == label;
  }
  return static_cast<float>(correct) / static_cast<float>(logits.rows());
}

Tensor one_hot(std::span<const std::uint8_t> labels, int classes) {
  if (classes <= 0) throw std::out_of_range(fmt::format("one_hot: classes must be positive, got {}", classes));
  Tensor out({static_cast<int>(labels.size()), classes}, 0.0F);
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] >= classes) {
      throw std::out_of_range(
          fmt::format("one_hot: label {} at index {} is not below classes = {}", labels[i], i, classes));
    }
    out[i * static_cast<std::size_t>(classes) + labels[i]] = 1.0F;
  }
  return out;
}

}  // namespace gradflow::nn
