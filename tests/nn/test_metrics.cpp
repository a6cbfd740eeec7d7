// argmax, accuracy and one-hot labels.
#include <catch2/catch.hpp>

#include "nn/metrics.hpp"

using namespace gradflow::nn;
using gradflow::autodiff::Shape;
using gradflow::autodiff::ShapeError;

TEST_CASE("argmax_rows picks the largest column of each row, the first one on a tie", "[metrics]") {
  const auto idx = argmax_rows(Tensor::from_rows({{0.1F, 0.7F, 0.2F}, {5, 5, 1}, {-3, -2, -1}}));
  CHECK(idx == std::vector<int>{1, 0, 2});
  CHECK_THROWS_AS(argmax_rows(Tensor({3, 0})), ShapeError);
}

TEST_CASE("accuracy counts matching rows from one-hot labels or class indices", "[metrics]") {
  const Tensor logits = Tensor::from_rows({{2, 1, 0}, {0, 3, 1}, {1, 0, 4}, {9, 0, 0}});
  const std::vector<std::uint8_t> labels = {0, 1, 1, 2};
  CHECK(accuracy(logits, labels) == Approx(0.5));
  CHECK(accuracy(logits, one_hot(labels, 3)) == Approx(0.5));
}

TEST_CASE("accuracy reports labels that do not fit the logits", "[metrics][errors]") {
  const Tensor logits({4, 3});
  const std::vector<std::uint8_t> three = {0, 1, 2};
  CHECK_THROWS_WITH(accuracy(logits, three), Catch::Contains("[4 x 3]") && Catch::Contains("3 labels"));
  CHECK_THROWS_WITH(accuracy(logits, Tensor({4, 10})), Catch::Contains("[4 x 3]") && Catch::Contains("[4 x 10]"));
  const std::vector<std::uint8_t> big = {0, 1, 2, 7};
  CHECK_THROWS_AS(accuracy(logits, big), std::out_of_range);
  CHECK_THROWS_AS(accuracy(Tensor({0, 3}), std::vector<std::uint8_t>{}), ShapeError);
}

TEST_CASE("one_hot sets one 1 per row", "[metrics]") {
  const std::vector<std::uint8_t> labels = {2, 0};
  const Tensor t = one_hot(labels, 3);
  REQUIRE(t.shape() == Shape{2, 3});
  CHECK(std::vector<float>(t.values().begin(), t.values().end()) == std::vector<float>{0, 0, 1, 1, 0, 0});

  CHECK_THROWS_WITH(one_hot(std::vector<std::uint8_t>{3}, 3), Catch::Contains("label 3"));
}
