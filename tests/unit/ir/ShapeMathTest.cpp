//===- ShapeMathTest.cpp - Non-window ops of ShapeMath --------------------===//
//
// Helpers, broadcasting, dense layers, shape manipulation, reductions and
// losses. Every expected shape was computed with PyTorch 1.13; conv2d, the
// pools and pad2d live in ShapeMathConvTest.cpp.
//
//===----------------------------------------------------------------------===//

#include "ir/ShapeMath.h"

#include <gtest/gtest.h>

#include <climits>
#include <initializer_list>

using namespace netc::shape;

namespace {

::testing::AssertionResult hasShape(const ShapeResult &r, const Shape &want) {
  if (!r.ok())
    return ::testing::AssertionFailure() << "failed: " << r.message();
  if (r.shape() != want)
    return ::testing::AssertionFailure()
           << "got " << str(r.shape()) << ", want " << str(want);
  return ::testing::AssertionSuccess();
}

/// Checks the house rules for messages (op name first, lowercase, no trailing
/// period) and that the message names every given fragment.
::testing::AssertionResult failsWith(const ShapeResult &r,
                                     const std::string &prefix,
                                     std::initializer_list<std::string> parts) {
  if (r.ok())
    return ::testing::AssertionFailure()
           << "unexpectedly succeeded with " << str(r.shape());
  const std::string &m = r.message();
  if (m.rfind(prefix + " ", 0) != 0 || m.back() == '.')
    return ::testing::AssertionFailure() << "badly formed message: " << m;
  for (const std::string &part : parts)
    if (m.find(part) == std::string::npos)
      return ::testing::AssertionFailure()
             << "message \"" << m << "\" lacks \"" << part << "\"";
  return ::testing::AssertionSuccess();
}

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

TEST(StrTest, Formats) {
  EXPECT_EQ(str({1, 3, 224, 224}), "[1, 3, 224, 224]");
  EXPECT_EQ(str({}), "[]");
  EXPECT_EQ(str({-1}), "[-1]");
  EXPECT_EQ(str({INT64_MAX, 0}), "[9223372036854775807, 0]");
}

TEST(ShapeResultTest, HoldsShapeOrMessage) {
  ShapeResult good = Shape{2, 3};
  EXPECT_TRUE(good.ok());
  EXPECT_TRUE(static_cast<bool>(good));
  EXPECT_EQ(good.shape(), (Shape{2, 3}));
  ShapeResult scalar = Shape{};
  EXPECT_TRUE(scalar.ok());
  EXPECT_TRUE(scalar.shape().empty());
  ShapeResult bad = ShapeResult::error("relu is unhappy");
  EXPECT_FALSE(bad.ok());
  EXPECT_FALSE(static_cast<bool>(bad));
  EXPECT_EQ(bad.message(), "relu is unhappy");
  ShapeResult copy = bad;
  EXPECT_EQ(copy.message(), "relu is unhappy");
}

TEST(NormalizeDimTest, WrapsNegativeDims) {
  EXPECT_EQ(normalizeDim(0, 3), 0);
  EXPECT_EQ(normalizeDim(2, 3), 2);
  EXPECT_EQ(normalizeDim(-1, 3), 2);
  EXPECT_EQ(normalizeDim(-3, 3), 0);
  EXPECT_EQ(normalizeDim(3, 3), std::nullopt);
  EXPECT_EQ(normalizeDim(-4, 3), std::nullopt);
  EXPECT_EQ(normalizeDim(INT64_MIN, 3), std::nullopt);
  EXPECT_EQ(normalizeDim(INT64_MAX, 3), std::nullopt);
  EXPECT_EQ(normalizeDim(0, -1), std::nullopt);
}

TEST(NormalizeDimTest, ScalarsActLikeRankOne) {
  // torch.tensor(1.).sum(-1) is valid; .sum(1) is not.
  EXPECT_EQ(normalizeDim(0, 0), 0);
  EXPECT_EQ(normalizeDim(-1, 0), 0);
  EXPECT_EQ(normalizeDim(1, 0), std::nullopt);
  EXPECT_EQ(normalizeDim(-2, 0), std::nullopt);
}

TEST(NumElementsTest, ProductsAndOverflow) {
  EXPECT_EQ(numElements({}), 1);
  EXPECT_EQ(numElements({2, 3, 4}), 24);
  EXPECT_EQ(numElements({0, INT64_MAX}), 0);
  EXPECT_EQ(numElements({int64_t(1) << 31, int64_t(1) << 31}), int64_t(1)
                                                                   << 62);
  EXPECT_EQ(numElements({int64_t(1) << 32, int64_t(1) << 31}), std::nullopt);
  EXPECT_EQ(numElements({INT64_MAX, 2}), std::nullopt);
  EXPECT_EQ(numElements({2, -3}), std::nullopt);
}

//===----------------------------------------------------------------------===//
// broadcast
//===----------------------------------------------------------------------===//

TEST(BroadcastTest, NumPyRules) {
  EXPECT_TRUE(hasShape(broadcast({2, 3}, {2, 3}), {2, 3}));
  EXPECT_TRUE(hasShape(broadcast({4, 1, 3}, {5, 3}), {4, 5, 3}));
  EXPECT_TRUE(hasShape(broadcast({}, {2, 3}), {2, 3}));
  EXPECT_TRUE(hasShape(broadcast({3, 1}, {}), {3, 1}));
  EXPECT_TRUE(hasShape(broadcast({1}, {0}), {0}));
  EXPECT_TRUE(hasShape(broadcast({}, {}), {}));
}

TEST(BroadcastTest, MismatchMessage) {
  ShapeResult r = broadcast({2, 3}, {4});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.message(),
            "shapes [2, 3] and [4] do not broadcast: dimension 1 is 3 vs 4");
  // Dimensions are counted in the result, as in PyTorch's message.
  EXPECT_TRUE(failsWith(broadcast({5, 2, 3}, {4, 3}), "shapes",
                        {"dimension 1 is 2 vs 4"}));
  EXPECT_TRUE(failsWith(broadcast({0}, {3}), "shapes", {"0 vs 3"}));
}

//===----------------------------------------------------------------------===//
// linear, embedding, matmul
//===----------------------------------------------------------------------===//

TEST(LinearTest, ActsOnLastDim) {
  Shape bias{128};
  EXPECT_TRUE(hasShape(linear({64, 42}, {128, 42}, &bias), {64, 128}));
  EXPECT_TRUE(hasShape(linear({4}, {3, 4}, nullptr), {3}));
  EXPECT_TRUE(hasShape(linear({2, 7, 4}, {3, 4}, nullptr), {2, 7, 3}));
}

TEST(LinearTest, Errors) {
  EXPECT_TRUE(
      failsWith(linear({}, {3, 4}, nullptr), "linear", {"rank >= 1, got []"}));
  EXPECT_TRUE(failsWith(linear({2, 4}, {4}, nullptr), "linear",
                        {"weight [out, in], got [4]"}));
  EXPECT_TRUE(failsWith(linear({2, 5}, {3, 4}, nullptr), "linear",
                        {"expects 4 input features (weight [3, 4]), got 5 "
                         "from input [2, 5]"}));
  Shape bias{4};
  EXPECT_TRUE(failsWith(linear({2, 4}, {3, 4}, &bias), "linear",
                        {"bias [3]", "got [4]"}));
  EXPECT_TRUE(failsWith(linear({2, -4}, {3, -4}, nullptr), "linear",
                        {"input [2, -4] has a negative dimension"}));
  // A dynamic size of a .mlir input is named, not printed as INT64_MIN.
  EXPECT_TRUE(failsWith(linear({kDynamicDim, 4}, {3, 4}, nullptr), "linear",
                        {"input [?, 4] has a dynamic dimension; nn ops need static shapes"}));
}

TEST(EmbeddingTest, AppendsEmbeddingDim) {
  EXPECT_TRUE(
      hasShape(embedding({5, 6, 7, 8}, {42, 42000}), {5, 6, 7, 8, 42000}));
  EXPECT_TRUE(hasShape(embedding({}, {10, 3}), {3}));
  EXPECT_TRUE(hasShape(embedding({32}, {1000, 64}), {32, 64}));
}

TEST(EmbeddingTest, Errors) {
  EXPECT_TRUE(failsWith(embedding({4}, {10}), "embedding",
                        {"weight [num, dim], got [10]"}));
  EXPECT_TRUE(
      failsWith(embedding({4}, {10, 3, 2}), "embedding", {"got [10, 3, 2]"}));
  EXPECT_TRUE(failsWith(embedding({-4}, {10, 3}), "embedding",
                        {"indices [-4] has a negative dimension"}));
}

TEST(MatmulTest, AllRankCases) {
  EXPECT_TRUE(hasShape(matmul({3}, {3}), {}));
  EXPECT_TRUE(hasShape(matmul({3}, {3, 4}), {4}));
  EXPECT_TRUE(hasShape(matmul({2, 3}, {3}), {2}));
  EXPECT_TRUE(hasShape(matmul({2, 3}, {3, 5}), {2, 5}));
  EXPECT_TRUE(hasShape(matmul({2, 3, 4}, {4}), {2, 3}));
  EXPECT_TRUE(hasShape(matmul({4}, {2, 4, 5}), {2, 5}));
  EXPECT_TRUE(hasShape(matmul({3, 4}, {7, 4, 2}), {7, 3, 2}));
  EXPECT_TRUE(hasShape(matmul({2, 1, 3, 4}, {5, 4, 6}), {2, 5, 3, 6}));
  EXPECT_TRUE(hasShape(matmul({100, 5}, {5, 5}), {100, 5}));
}

TEST(MatmulTest, Errors) {
  EXPECT_TRUE(
      failsWith(matmul({}, {3}), "matmul", {"rank >= 1, got [] and [3]"}));
  EXPECT_TRUE(failsWith(
      matmul({2, 3}, {4, 5}), "matmul",
      {"cannot multiply [2, 3] by [4, 5]", "contracted dimensions 3 and 4"}));
  EXPECT_TRUE(failsWith(matmul({3}, {4}), "matmul", {"3 and 4"}));
  EXPECT_TRUE(failsWith(matmul({2, 3}, {2}), "matmul", {"3 and 2"}));
  EXPECT_TRUE(failsWith(
      matmul({2, 3, 4}, {3, 4, 5}), "matmul",
      {"batch dimensions", "dimension 0 is 2 vs 3", "[2, 3, 4]", "[3, 4, 5]"}));
}

//===----------------------------------------------------------------------===//
// flatten, reshape, transpose, concat
//===----------------------------------------------------------------------===//

TEST(FlattenTest, MergesDimRange) {
  EXPECT_TRUE(hasShape(flatten({2, 3, 4, 5}, 1, -1), {2, 60}));
  EXPECT_TRUE(hasShape(flatten({2, 3, 4, 5}, 0, -1), {120}));
  EXPECT_TRUE(hasShape(flatten({2, 3, 4, 5}, -3, -2), {2, 12, 5}));
  EXPECT_TRUE(hasShape(flatten({2, 3, 4, 5}, 2, 2), {2, 3, 4, 5}));
  // A scalar becomes a one-element vector.
  EXPECT_TRUE(hasShape(flatten({}, 0, -1), {1}));
}

TEST(FlattenTest, Errors) {
  EXPECT_TRUE(failsWith(flatten({2, 3, 4, 5}, 4, -1), "flatten",
                        {"start_dim 4 is out of range for input [2, 3, 4, 5] "
                         "(expected -4..3)"}));
  EXPECT_TRUE(failsWith(flatten({2, 3}, 0, -3), "flatten", {"end_dim -3"}));
  EXPECT_TRUE(failsWith(flatten({2, 3, 4}, 2, 1), "flatten",
                        {"start_dim 2 comes after end_dim 1"}));
  EXPECT_TRUE(failsWith(flatten({2, 3, 4}, -1, 0), "flatten",
                        {"start_dim -1 comes after end_dim 0"}));
  EXPECT_TRUE(failsWith(flatten({}, 1, -1), "flatten", {"(expected -1..0)"}));
  EXPECT_TRUE(
      failsWith(flatten({INT64_MAX, 2}, 0, 1), "flatten", {"overflows int64"}));
}

TEST(ReshapeTest, InfersOneDim) {
  EXPECT_TRUE(hasShape(reshape({2, 3, 4}, {4, -1}), {4, 6}));
  EXPECT_TRUE(hasShape(reshape({2, 3, 4}, {-1}), {24}));
  EXPECT_TRUE(hasShape(reshape({2, 3, 4}, {6, 4}), {6, 4}));
  EXPECT_TRUE(hasShape(reshape({1, 1}, {}), {}));
  EXPECT_TRUE(hasShape(reshape({}, {1, -1}), {1, 1}));
  EXPECT_TRUE(hasShape(reshape({0, 3}, {5, 0}), {5, 0}));
  EXPECT_TRUE(hasShape(reshape({0, 3}, {-1, 3}), {0, 3}));
}

TEST(ReshapeTest, CountMismatchExactMessage) {
  ShapeResult r = reshape({2, 3}, {4, -1});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.message(), "reshape cannot view [2, 3] (6 elements) as [4, -1]");
  EXPECT_TRUE(
      failsWith(reshape({2, 3}, {7}), "reshape", {"(6 elements) as [7]"}));
  EXPECT_TRUE(failsWith(reshape({2, 3}, {0, -1}), "reshape", {"[0, -1]"}));
}

TEST(ReshapeTest, Errors) {
  EXPECT_TRUE(failsWith(reshape({2, 3}, {-1, -1}), "reshape",
                        {"[-1, -1] has more than one -1"}));
  EXPECT_TRUE(failsWith(reshape({2, 3}, {-2, -3}), "reshape",
                        {"invalid dimension -2"}));
  // PyTorch refuses: with no elements any size fits the -1.
  EXPECT_TRUE(failsWith(reshape({0, 3}, {0, -1}), "reshape", {"ambiguous"}));
  EXPECT_TRUE(failsWith(reshape({2, 3}, {INT64_MAX, 2}), "reshape",
                        {"overflows int64"}));
  EXPECT_TRUE(
      failsWith(reshape({2, -3}, {6}), "reshape", {"negative dimension"}));
}

TEST(TransposeTest, SwapsDims) {
  EXPECT_TRUE(hasShape(transpose({2, 3, 4}, 0, -1), {4, 3, 2}));
  EXPECT_TRUE(hasShape(transpose({2, 3, 4}, -2, -1), {2, 4, 3}));
  EXPECT_TRUE(hasShape(transpose({2, 3, 4}, 1, 1), {2, 3, 4}));
  EXPECT_TRUE(hasShape(transpose({}, 0, -1), {}));
}

TEST(TransposeTest, Errors) {
  EXPECT_TRUE(failsWith(transpose({2, 3, 4}, 3, 0), "transpose",
                        {"dim0 3 is out of range for input [2, 3, 4] "
                         "(expected -3..2)"}));
  EXPECT_TRUE(failsWith(transpose({2, 3, 4}, 0, -4), "transpose", {"dim1 -4"}));
}

TEST(ConcatTest, JoinsAlongDim) {
  EXPECT_TRUE(hasShape(concat({{2, 3, 4}, {2, 5, 4}}, 1), {2, 8, 4}));
  EXPECT_TRUE(
      hasShape(concat({{2, 3, 4}, {2, 3, 1}, {2, 3, 2}}, -1), {2, 3, 7}));
  EXPECT_TRUE(hasShape(concat({{2, 3}}, 0), {2, 3}));
}

TEST(ConcatTest, SkipsLegacyEmptyVectors) {
  // torch.cat still ignores 1-D empty tensors, whatever the other ranks.
  EXPECT_TRUE(hasShape(concat({{0}, {2, 3}, {0}, {2, 4}}, 1), {2, 7}));
  EXPECT_TRUE(hasShape(concat({{0}, {0}}, 5), {0}));
}

TEST(ConcatTest, Errors) {
  EXPECT_TRUE(failsWith(concat({}, 0), "concat", {"at least one input"}));
  EXPECT_TRUE(failsWith(concat({{2}, {}}, 0), "concat", {"scalar input 1"}));
  EXPECT_TRUE(failsWith(concat({{2, 3}, {2, 3, 4}}, 0), "concat",
                        {"same rank", "input 0 [2, 3]", "input 1 [2, 3, 4]"}));
  EXPECT_TRUE(failsWith(concat({{2, 3, 4}, {2, 5, 4}, {2, 5, 5}}, 1), "concat",
                        {"except in dimension 1",
                         "input 0 [2, 3, 4] vs input 2 [2, 5, 5]",
                         "differ in dimension 2 (4 vs 5)"}));
  EXPECT_TRUE(failsWith(concat({{2, 3}, {2, 4}}, 2), "concat",
                        {"dim 2 is out of range", "(expected -2..1)"}));
  EXPECT_TRUE(
      failsWith(concat({{INT64_MAX}, {1}}, 0), "concat", {"overflows int64"}));
  EXPECT_TRUE(failsWith(concat({{2, 3}, {2, -3}}, 0), "concat",
                        {"input 1 [2, -3] has a negative dimension"}));
}

//===----------------------------------------------------------------------===//
// Reductions, softmax, losses
//===----------------------------------------------------------------------===//

TEST(ReduceTest, AllDims) {
  EXPECT_TRUE(hasShape(reduce({2, 3, 4}, nullptr, false, "sum"), {}));
  EXPECT_TRUE(hasShape(reduce({2, 3, 4}, nullptr, true, "sum"), {1, 1, 1}));
  // PyTorch 1.13 reads dim=[] as "all dims" too.
  std::vector<int64_t> none;
  EXPECT_TRUE(hasShape(reduce({2, 3}, &none, true, "mean"), {1, 1}));
  EXPECT_TRUE(hasShape(reduce({}, nullptr, true, "sum"), {}));
}

TEST(ReduceTest, SelectedDims) {
  std::vector<int64_t> one{1}, ends{0, -1}, reversed{-1, 0}, zero{0};
  EXPECT_TRUE(hasShape(reduce({2, 3, 4}, &one, false, "sum"), {2, 4}));
  EXPECT_TRUE(hasShape(reduce({2, 3, 4}, &ends, true, "sum"), {1, 3, 1}));
  EXPECT_TRUE(hasShape(reduce({2, 3, 4}, &reversed, false, "mean"), {3}));
  EXPECT_TRUE(hasShape(reduce({}, &zero, true, "sum"), {}));
}

TEST(ReduceTest, Errors) {
  std::vector<int64_t> tooBig{3}, twice{1, -2};
  EXPECT_TRUE(failsWith(reduce({2, 3, 4}, &tooBig, false, "sum"), "sum",
                        {"dim 3 is out of range for input [2, 3, 4] "
                         "(expected -3..2)"}));
  EXPECT_TRUE(failsWith(reduce({2, 3, 4}, &twice, false, "mean"), "mean",
                        {"dim 1 appears multiple times in dims [1, -2]"}));
}

TEST(SoftmaxTest, ValidatesDim) {
  EXPECT_TRUE(hasShape(softmax({4, 10}, -1, "softmax"), {4, 10}));
  EXPECT_TRUE(hasShape(softmax({4, 10}, 0, "log_softmax"), {4, 10}));
  EXPECT_TRUE(hasShape(softmax({}, -1, "softmax"), {}));
  EXPECT_TRUE(failsWith(softmax({4, 2}, 2, "log_softmax"), "log_softmax",
                        {"dim 2 is out of range for input [4, 2] "
                         "(expected -2..1)"}));
  EXPECT_TRUE(
      failsWith(softmax({}, 1, "softmax"), "softmax", {"(expected -1..0)"}));
}

TEST(LossTest, MseBroadcasts) {
  EXPECT_TRUE(hasShape(mse({64, 1}, {64, 1}), {}));
  EXPECT_TRUE(hasShape(mse({4, 1, 3}, {5, 3}), {}));
  EXPECT_TRUE(failsWith(
      mse({2, 3}, {4}), "mse",
      {"shapes [2, 3] and [4] do not broadcast", "dimension 1 is 3 vs 4"}));
}

TEST(LossTest, BceNeedsEqualShapes) {
  EXPECT_TRUE(hasShape(bce({32, 1}, {32, 1}), {}));
  EXPECT_TRUE(hasShape(bce({}, {}), {}));
  EXPECT_TRUE(hasShape(bceLogits({8, 3}, {8, 3}), {}));
  // Unlike mse, PyTorch refuses to broadcast these.
  EXPECT_TRUE(failsWith(bce({2, 3}, {3}), "bce",
                        {"target [3] to have the same shape as input [2, 3]"}));
  EXPECT_TRUE(failsWith(bceLogits({2, 3}, {2, 1}), "bce_logits",
                        {"target [2, 1]", "input [2, 3]"}));
}

TEST(CrossEntropyTest, ClassIndexTargets) {
  EXPECT_TRUE(hasShape(crossEntropy({4, 10}, {4}), {}));
  EXPECT_TRUE(hasShape(crossEntropy({2, 3, 4, 5}, {2, 4, 5}), {}));
  EXPECT_TRUE(hasShape(crossEntropy({2, 3, 4, 5, 6}, {2, 4, 5, 6}), {}));
  EXPECT_TRUE(hasShape(crossEntropy({10}, {}), {}));
}

TEST(CrossEntropyTest, Errors) {
  EXPECT_TRUE(
      failsWith(crossEntropy({}, {}), "cross_entropy", {"rank >= 1, got []"}));
  EXPECT_TRUE(failsWith(crossEntropy({4, 10}, {5}), "cross_entropy",
                        {"expects target [4] (class indices) for logits "
                         "[4, 10], got [5]"}));
  EXPECT_TRUE(failsWith(crossEntropy({2, 3, 4}, {2, 5}), "cross_entropy",
                        {"target [2, 4]", "got [2, 5]"}));
  // Same-shape targets would be class probabilities, which the DSL lacks.
  EXPECT_TRUE(failsWith(crossEntropy({4, 10}, {4, 10}), "cross_entropy",
                        {"got [4, 10]"}));
  EXPECT_TRUE(failsWith(crossEntropy({10}, {10}), "cross_entropy",
                        {"expects target []"}));
}

TEST(NegativeDimsTest, EveryOpRejectsThem) {
  // Dynamic sizes are negative sentinels in MLIR; none may slip through.
  Shape bad{2, -1};
  std::vector<int64_t> dims{0};
  EXPECT_TRUE(failsWith(flatten(bad, 0, -1), "flatten", {"[2, -1]"}));
  EXPECT_TRUE(failsWith(transpose(bad, 0, 1), "transpose", {"[2, -1]"}));
  EXPECT_TRUE(failsWith(reduce(bad, &dims, false, "sum"), "sum", {"[2, -1]"}));
  EXPECT_TRUE(failsWith(softmax(bad, 0, "softmax"), "softmax", {"[2, -1]"}));
  EXPECT_TRUE(failsWith(matmul({2, 3}, {3, -1}), "matmul", {"[3, -1]"}));
  EXPECT_TRUE(failsWith(mse(bad, bad), "mse", {"[2, -1]"}));
  EXPECT_TRUE(failsWith(bce(bad, bad), "bce", {"[2, -1]"}));
  EXPECT_TRUE(
      failsWith(crossEntropy({-1, 3}, {-1}), "cross_entropy", {"[-1, 3]"}));
}

} // namespace
