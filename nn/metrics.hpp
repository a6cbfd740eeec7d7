#pragma once
// Helpers to read a classifier's output and to feed it labels. None of them is an op: they
// build no graph nodes and have no gradient.

#include <cstdint>
#include <span>
#include <vector>

#include "autodiff/tensor.hpp"

namespace gradflow::nn {

using autodiff::Tensor;

// For every row, the column of its largest value (the first one on a tie): the predicted class.
// Throws ShapeError for a tensor without columns.
std::vector<int> argmax_rows(const Tensor& scores);

// The fraction of rows whose argmax matches the label, in [0, 1]. The labels come either as
// one-hot rows shaped like the logits, or as one class index per row. Throws ShapeError when
// the shapes or counts do not fit (or the batch is empty) and std::out_of_range for a label
// that is not a column of the logits.
float accuracy(const Tensor& logits, const Tensor& one_hot_labels);
float accuracy(const Tensor& logits, std::span<const std::uint8_t> labels);

// [n x classes], row i all zeros except a 1 in column labels[i]. Throws std::out_of_range
// for a label >= classes.
Tensor one_hot(std::span<const std::uint8_t> labels, int classes);

}  // namespace gradflow::nn
