//===- ShapeMathConvTest.cpp - Window ops of ShapeMath --------------------===//
//
// conv2d, the pools, pad2d and the window helpers. Every expected shape was
// computed with PyTorch 1.13 (F.conv2d, F.max_pool2d, F.avg_pool2d, F.pad;
// asymmetric padding by F.pad followed by an unpadded op).
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

/// A window with the same kernel, stride and padding on both axes.
Window2d window(int64_t kernel, int64_t stride = 1, int64_t padding = 0,
                int64_t dilation = 1, bool ceilMode = false) {
  Window2d w;
  w.kernel = {kernel, kernel};
  w.stride = {stride, stride};
  w.dilation = {dilation, dilation};
  w.padding = {padding, padding, padding, padding};
  w.ceilMode = ceilMode;
  return w;
}

/// conv2d without bias and with one group, the common case in these tests.
ShapeResult conv(const Shape &x, const Shape &weight, const Window2d &w) {
  return conv2d(x, weight, nullptr, w, 1);
}

//===----------------------------------------------------------------------===//
// windowOutputSize and samePadding
//===----------------------------------------------------------------------===//

TEST(WindowOutputSizeTest, FloorFormula) {
  EXPECT_EQ(windowOutputSize(1024, 3, 1, 1, 1, 1, false), 1024);
  EXPECT_EQ(windowOutputSize(512, 5, 2, 2, 2, 1, false), 256);
  EXPECT_EQ(windowOutputSize(128, 7, 1, 3, 3, 2, false), 122);
  EXPECT_EQ(windowOutputSize(5, 2, 2, 0, 0, 1, false), 2);
  // Asymmetric padding only matters through its sum in floor mode.
  EXPECT_EQ(windowOutputSize(11, 2, 3, 2, 1, 1, false), 5);
}

TEST(WindowOutputSizeTest, MayBeNonPositive) {
  // floor((4 - 7) / 1) + 1 = -2 and floor((2 - 5) / 2) + 1 = -1: the division
  // rounds towards negative infinity as PyTorch's div_rtn does.
  EXPECT_EQ(windowOutputSize(4, 7, 1, 0, 0, 1, false), -2);
  EXPECT_EQ(windowOutputSize(2, 5, 2, 0, 0, 1, false), -1);
  EXPECT_EQ(windowOutputSize(3, 4, 1, 0, 0, 1, false), 0);
}

TEST(WindowOutputSizeTest, CeilMode) {
  EXPECT_EQ(windowOutputSize(5, 2, 2, 0, 0, 1, true), 3);
  EXPECT_EQ(windowOutputSize(6, 3, 2, 1, 1, 1, false), 3);
  EXPECT_EQ(windowOutputSize(6, 3, 2, 1, 1, 1, true), 4);
  // Exact division: ceil and floor agree.
  EXPECT_EQ(windowOutputSize(4, 2, 2, 0, 0, 1, true), 2);
}

TEST(WindowOutputSizeTest, CeilModeDropsWindowStartingInRightPadding) {
  // ceil((5 + 2 - 2) / 2) + 1 = 4, but the 4th window would start at 6, past
  // the input and left padding (5 + 1), so PyTorch keeps 3.
  EXPECT_EQ(windowOutputSize(5, 2, 2, 1, 1, 1, true), 3);
  EXPECT_EQ(windowOutputSize(5, 2, 2, 1, 1, 1, false), 3);
}

TEST(WindowOutputSizeTest, RejectsBadStrideAndOverflow) {
  EXPECT_EQ(windowOutputSize(8, 2, 0, 0, 0, 1, false), std::nullopt);
  EXPECT_EQ(windowOutputSize(8, 2, -1, 0, 0, 1, false), std::nullopt);
  EXPECT_EQ(windowOutputSize(INT64_MAX, 1, 1, 1, 0, 1, false), std::nullopt);
  EXPECT_EQ(windowOutputSize(8, INT64_MAX, 1, 0, 0, 2, false), std::nullopt);
  // PyTorch's ceil mode adds stride - 1 before dividing; that intermediate
  // must not overflow when the result fits.
  EXPECT_EQ(windowOutputSize(INT64_MAX, 1, 3, 0, 0, 1, true),
            3074457345618258603);
  EXPECT_EQ(windowOutputSize(INT64_MAX, 1, int64_t(1) << 62, 0, 0, 1, true), 2);
  // The largest representable result is still computed.
  EXPECT_EQ(windowOutputSize(INT64_MAX - 1, 1, 1, 0, 0, 1, false),
            INT64_MAX - 1);
}

TEST(SamePaddingTest, StrideOneMatchesPyTorchSame) {
  // PyTorch's padding="same" (stride 1) puts the odd element at the end too.
  EXPECT_EQ(samePadding({1024, 1024}, {3, 3}, {1, 1}, {1, 1}),
            (std::array<int64_t, 4>{1, 1, 1, 1}));
  EXPECT_EQ(samePadding({1024, 1024}, {4, 4}, {1, 1}, {1, 1}),
            (std::array<int64_t, 4>{1, 2, 1, 2}));
  EXPECT_EQ(samePadding({10, 10}, {3, 3}, {1, 1}, {2, 2}),
            (std::array<int64_t, 4>{2, 2, 2, 2}));
  EXPECT_EQ(samePadding({5, 5}, {1, 1}, {1, 1}, {1, 1}),
            (std::array<int64_t, 4>{0, 0, 0, 0}));
}

TEST(SamePaddingTest, StridedOddAndEvenSizes) {
  // 7 % 2 = 1: total = 3 - 1 = 2; 8 % 2 = 0: total = 3 - 2 = 1, bottom-heavy.
  EXPECT_EQ(samePadding({7, 8}, {3, 3}, {2, 2}, {1, 1}),
            (std::array<int64_t, 4>{1, 1, 0, 1}));
  // 9 % 3 = 0: total = 5 - 3 = 2; 10 % 3 = 1: total = 5 - 1 = 4.
  EXPECT_EQ(samePadding({9, 10}, {5, 5}, {3, 3}, {1, 1}),
            (std::array<int64_t, 4>{1, 1, 2, 2}));
  // A kernel no larger than the stride needs no padding.
  EXPECT_EQ(samePadding({5, 6}, {1, 2}, {2, 3}, {1, 1}),
            (std::array<int64_t, 4>{0, 0, 0, 0}));
}

TEST(SamePaddingTest, OutputIsCeilOfInputOverStride) {
  // The defining property of TensorFlow's rule, checked through conv2d.
  for (int64_t n : {1, 2, 5, 7, 8, 31, 224})
    for (int64_t k : {1, 2, 3, 4, 7})
      for (int64_t s : {1, 2, 3})
        for (int64_t d : {1, 2}) {
          Window2d w = window(1, s, 0, d);
          w.padding = samePadding({n, n + 1}, {k, k}, {s, s}, {d, d});
          ShapeResult r = conv({1, 1, n, n + 1}, {1, 1, k, k}, w);
          EXPECT_TRUE(hasShape(r, {1, 1, (n + s - 1) / s, (n + s) / s}))
              << "n=" << n << " k=" << k << " s=" << s << " d=" << d;
        }
}

TEST(SamePaddingTest, BadGeometryGetsNoPaddingAndOverflowSaturates) {
  EXPECT_EQ(samePadding({8, 8}, {3, 3}, {0, 1}, {1, 1}),
            (std::array<int64_t, 4>{0, 0, 1, 1}));
  EXPECT_EQ(samePadding({8, 8}, {3, 0}, {1, 1}, {1, 1}),
            (std::array<int64_t, 4>{1, 1, 0, 0}));
  std::array<int64_t, 4> huge =
      samePadding({8, 8}, {3, 3}, {1, 1}, {INT64_MAX, 1});
  EXPECT_EQ(huge[0] + huge[1], INT64_MAX - 1);
}

//===----------------------------------------------------------------------===//
// conv2d
//===----------------------------------------------------------------------===//

TEST(Conv2dTest, DslThreeLayerCnn) {
  // The receptive-field example of DSL.md, layer by layer.
  ShapeResult c1 = conv({1, 3, 1024, 1024}, {4, 3, 3, 3}, window(1, 1, 1));
  ASSERT_TRUE(hasShape(c1, {1, 4, 1024, 1024}));
  ShapeResult p1 = maxpool2d(c1.shape(), window(2, 2));
  ASSERT_TRUE(hasShape(p1, {1, 4, 512, 512}));
  ShapeResult c2 = conv(p1.shape(), {16, 4, 5, 5}, window(1, 2, 2));
  ASSERT_TRUE(hasShape(c2, {1, 16, 256, 256}));
  ShapeResult p2 = maxpool2d(c2.shape(), window(2, 2));
  ASSERT_TRUE(hasShape(p2, {1, 16, 128, 128}));
  ShapeResult c3 = conv(p2.shape(), {32, 16, 7, 7}, window(1, 1, 3, 2));
  EXPECT_TRUE(hasShape(c3, {1, 32, 122, 122}));
}

TEST(Conv2dTest, UnbatchedBiasAndZeroBatch) {
  Shape bias{8};
  EXPECT_TRUE(hasShape(conv2d({3, 32, 32}, {8, 3, 3, 3}, &bias, window(1), 1),
                       {8, 30, 30}));
  EXPECT_TRUE(
      hasShape(conv({0, 3, 8, 8}, {8, 3, 3, 3}, window(1)), {0, 8, 6, 6}));
  EXPECT_TRUE(
      hasShape(conv({1, 3, 7, 7}, {8, 3, 7, 7}, window(1)), {1, 8, 1, 1}));
}

TEST(Conv2dTest, PerAxisStrideDilationAndAsymmetricPadding) {
  Window2d w;
  w.stride = {2, 3};
  w.dilation = {2, 1};
  w.padding = {1, 0, 2, 1};
  // H: (10 + 1 - 4 - 1) / 2 + 1 = 4; W: (11 + 3 - 1 - 1) / 3 + 1 = 5.
  EXPECT_TRUE(hasShape(conv({1, 3, 10, 11}, {6, 3, 3, 2}, w), {1, 6, 4, 5}));
}

TEST(Conv2dTest, KernelComesFromWeight) {
  Window2d w = window(5);
  EXPECT_TRUE(hasShape(conv({1, 3, 8, 8}, {4, 3, 3, 3}, w), {1, 4, 6, 6}));
  Window2d zero = window(0);
  EXPECT_TRUE(hasShape(conv({1, 3, 8, 8}, {4, 3, 1, 1}, zero), {1, 4, 8, 8}));
}

TEST(Conv2dTest, Groups) {
  EXPECT_TRUE(
      hasShape(conv2d({2, 8, 16, 16}, {12, 2, 3, 3}, nullptr, window(1), 4),
               {2, 12, 14, 14}));
  // Depthwise.
  EXPECT_TRUE(hasShape(
      conv2d({1, 32, 8, 8}, {32, 1, 3, 3}, nullptr, window(1, 1, 1), 32),
      {1, 32, 8, 8}));
}

TEST(Conv2dTest, ChannelMismatchExactMessage) {
  ShapeResult r = conv({1, 4, 32, 32}, {8, 3, 3, 3}, window(1));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.message(), "conv2d expects 3 input channels per group (weight "
                         "[8, 3, 3, 3], groups 1), got 4 from input "
                         "[1, 4, 32, 32]");
  EXPECT_TRUE(failsWith(
      conv2d({1, 8, 32, 32}, {8, 3, 3, 3}, nullptr, window(1), 2), "conv2d",
      {"expects 3 input channels per group", "groups 2", "got 4"}));
}

TEST(Conv2dTest, GroupErrors) {
  EXPECT_TRUE(
      failsWith(conv2d({1, 4, 8, 8}, {4, 4, 3, 3}, nullptr, window(1), 0),
                "conv2d", {"groups must be positive, got 0"}));
  EXPECT_TRUE(
      failsWith(conv2d({1, 4, 8, 8}, {4, 4, 3, 3}, nullptr, window(1), -2),
                "conv2d", {"got -2"}));
  EXPECT_TRUE(failsWith(
      conv2d({1, 4, 8, 8}, {6, 1, 3, 3}, nullptr, window(1), 4), "conv2d",
      {"positive multiple of groups 4", "got 6", "[6, 1, 3, 3]"}));
  // PyTorch wants at least `groups` output channels, so 0 is refused.
  EXPECT_TRUE(failsWith(conv({1, 4, 8, 8}, {0, 4, 3, 3}, window(1)), "conv2d",
                        {"positive multiple of groups 1", "got 0"}));
  EXPECT_TRUE(failsWith(
      conv2d({1, 6, 8, 8}, {4, 1, 3, 3}, nullptr, window(1), 4), "conv2d",
      {"input channels 6 are not divisible by groups 4", "[1, 6, 8, 8]"}));
}

TEST(Conv2dTest, BiasErrors) {
  Shape longBias{4}, matrixBias{1, 8}, scalarBias{};
  EXPECT_TRUE(
      failsWith(conv2d({1, 3, 8, 8}, {8, 3, 3, 3}, &longBias, window(1), 1),
                "conv2d", {"expects bias [8]", "[8, 3, 3, 3]", "got [4]"}));
  EXPECT_TRUE(
      failsWith(conv2d({1, 3, 8, 8}, {8, 3, 3, 3}, &matrixBias, window(1), 1),
                "conv2d", {"got [1, 8]"}));
  EXPECT_TRUE(
      failsWith(conv2d({1, 3, 8, 8}, {8, 3, 3, 3}, &scalarBias, window(1), 1),
                "conv2d", {"got []"}));
}

TEST(Conv2dTest, RankErrors) {
  EXPECT_TRUE(failsWith(conv({3, 8}, {8, 3, 3, 3}, window(1)), "conv2d",
                        {"[C, H, W] or [N, C, H, W]", "got [3, 8]"}));
  EXPECT_TRUE(failsWith(conv({1, 1, 3, 8, 8}, {8, 3, 3, 3}, window(1)),
                        "conv2d", {"got [1, 1, 3, 8, 8]"}));
  EXPECT_TRUE(failsWith(conv({1, 3, 8, 8}, {8, 3, 3}, window(1)), "conv2d",
                        {"weight", "got [8, 3, 3]"}));
}

TEST(Conv2dTest, GeometryErrors) {
  Window2d w = window(1);
  w.stride = {0, 1};
  EXPECT_TRUE(failsWith(conv({1, 3, 8, 8}, {8, 3, 3, 3}, w), "conv2d",
                        {"stride must be positive, got [0, 1]"}));
  w = window(1, 1, 0, 0);
  EXPECT_TRUE(failsWith(conv({1, 3, 8, 8}, {8, 3, 3, 3}, w), "conv2d",
                        {"dilation must be positive, got [0, 0]"}));
  w = window(1);
  w.dilation = {1, -2};
  EXPECT_TRUE(
      failsWith(conv({1, 3, 8, 8}, {8, 3, 3, 3}, w), "conv2d", {"[1, -2]"}));
  w = window(1);
  w.padding = {0, 0, -1, 0};
  EXPECT_TRUE(failsWith(conv({1, 3, 8, 8}, {8, 3, 3, 3}, w), "conv2d",
                        {"padding must be non-negative, got [0, 0, -1, 0]"}));
  EXPECT_TRUE(failsWith(conv({1, 3, 8, 8}, {8, 3, 0, 3}, window(1)), "conv2d",
                        {"kernel must be positive, got [0, 3]"}));
}

TEST(Conv2dTest, InputTooSmall) {
  EXPECT_TRUE(failsWith(conv({1, 3, 4, 4}, {8, 3, 7, 7}, window(1)), "conv2d",
                        {"output would be empty: input [1, 3, 4, 4] with "
                         "effective kernel [7, 7]",
                         "[-2, -2]", "input too small"}));
  // Dilation 4 turns a 3x3 kernel into 9x9, one more than the input...
  EXPECT_TRUE(failsWith(conv({1, 3, 8, 8}, {8, 3, 3, 3}, window(1, 1, 0, 4)),
                        "conv2d", {"effective kernel [9, 9]"}));
  // ...which padding 1 on each side makes fit twice.
  EXPECT_TRUE(hasShape(conv({1, 3, 8, 8}, {8, 3, 3, 3}, window(1, 1, 1, 4)),
                       {1, 8, 2, 2}));
  // Only one axis too small still fails.
  EXPECT_TRUE(failsWith(conv({1, 3, 8, 2}, {8, 3, 3, 3}, window(1)), "conv2d",
                        {"[6, 0]"}));
}

TEST(Conv2dTest, OverflowAndNegativeDims) {
  EXPECT_TRUE(
      failsWith(conv({1, 3, INT64_MAX, 4}, {8, 3, 1, 1}, window(1, 1, 1)),
                "conv2d", {"overflows int64", std::to_string(INT64_MAX)}));
  EXPECT_TRUE(failsWith(
      conv({1, 3, 8, 8}, {8, 3, 3, 3}, window(1, 1, 0, INT64_MAX / 2 + 1)),
      "conv2d", {"overflows int64"}));
  // Huge channel counts are fine: no element count is formed.
  EXPECT_TRUE(hasShape(conv({1, 3, 8, 8}, {INT64_MAX, 3, 3, 3}, window(1)),
                       {1, INT64_MAX, 6, 6}));
  EXPECT_TRUE(failsWith(conv({1, -1, 8, 8}, {8, 3, 3, 3}, window(1)), "conv2d",
                        {"input [1, -1, 8, 8] has a negative dimension"}));
  EXPECT_TRUE(failsWith(conv({1, 3, 8, 8}, {8, 3, -3, 3}, window(1)), "conv2d",
                        {"weight [8, 3, -3, 3] has a negative dimension"}));
}

//===----------------------------------------------------------------------===//
// maxpool2d and avgpool2d
//===----------------------------------------------------------------------===//

TEST(MaxPool2dTest, FloorAndCeilMode) {
  EXPECT_TRUE(hasShape(maxpool2d({1, 1, 5, 5}, window(2, 2)), {1, 1, 2, 2}));
  EXPECT_TRUE(hasShape(maxpool2d({1, 1, 5, 5}, window(2, 2, 0, 1, true)),
                       {1, 1, 3, 3}));
  EXPECT_TRUE(hasShape(maxpool2d({1, 1, 6, 6}, window(3, 2, 1, 1, true)),
                       {1, 1, 4, 4}));
  // The ceil-mode window that would start in the right padding is dropped.
  EXPECT_TRUE(hasShape(maxpool2d({1, 1, 5, 5}, window(2, 2, 1, 1, true)),
                       {1, 1, 3, 3}));
}

TEST(MaxPool2dTest, DilationUnbatchedEmptyBatchAndAsymmetricPadding) {
  EXPECT_TRUE(
      hasShape(maxpool2d({1, 1, 9, 9}, window(3, 1, 1, 3)), {1, 1, 5, 5}));
  EXPECT_TRUE(hasShape(maxpool2d({3, 8, 8}, window(2, 2)), {3, 4, 4}));
  EXPECT_TRUE(hasShape(maxpool2d({0, 1, 4, 4}, window(2, 2)), {0, 1, 2, 2}));
  Window2d w = window(3, 2);
  w.padding = {0, 1, 1, 0};
  EXPECT_TRUE(hasShape(maxpool2d({1, 1, 6, 6}, w), {1, 1, 3, 3}));
}

TEST(MaxPool2dTest, KernelExactMessage) {
  Window2d w = window(2, 2);
  w.kernel = {0, 2};
  ShapeResult r = maxpool2d({1, 1, 4, 4}, w);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.message(), "maxpool2d kernel must be positive, got [0, 2]");
}

TEST(MaxPool2dTest, GeometryErrors) {
  Shape x{1, 1, 8, 8};
  EXPECT_TRUE(failsWith(maxpool2d(x, window(2, 0)), "maxpool2d",
                        {"stride must be positive, got [0, 0]"}));
  EXPECT_TRUE(failsWith(maxpool2d(x, window(2, 2, 0, -1)), "maxpool2d",
                        {"dilation must be positive, got [-1, -1]"}));
  EXPECT_TRUE(failsWith(maxpool2d(x, window(2, 2, -1)), "maxpool2d",
                        {"padding must be non-negative"}));
  EXPECT_TRUE(failsWith(maxpool2d(x, window(-3, 2)), "maxpool2d",
                        {"kernel must be positive, got [-3, -3]"}));
}

TEST(MaxPool2dTest, PaddingAtMostHalfTheKernel) {
  Shape x{1, 1, 8, 8};
  EXPECT_TRUE(hasShape(maxpool2d(x, window(2, 2, 1)), {1, 1, 5, 5}));
  EXPECT_TRUE(failsWith(maxpool2d(x, window(3, 1, 2)), "maxpool2d",
                        {"padding [2, 2, 2, 2] should be at most half of "
                         "kernel size [3, 3]"}));
  // Each side counts on its own, and dilation does not widen the bound.
  Window2d w = window(2, 1, 0, 3);
  w.padding = {0, 0, 0, 2};
  EXPECT_TRUE(failsWith(maxpool2d(x, w), "maxpool2d", {"[0, 0, 0, 2]"}));
  w.kernel = {1, 4};
  // W: effective kernel 3 * (4 - 1) + 1 = 10 fits the padded 8 + 2 once.
  EXPECT_TRUE(hasShape(maxpool2d(x, w), {1, 1, 8, 1}));
}

TEST(MaxPool2dTest, RankEmptyAndTooSmallInputs) {
  EXPECT_TRUE(
      failsWith(maxpool2d({8, 8}, window(2, 2)), "maxpool2d", {"got [8, 8]"}));
  EXPECT_TRUE(failsWith(maxpool2d({1, 1, 1, 8, 8}, window(2, 2)), "maxpool2d",
                        {"got [1, 1, 1, 8, 8]"}));
  EXPECT_TRUE(failsWith(maxpool2d({1, 0, 8, 8}, window(2, 2)), "maxpool2d",
                        {"non-empty", "[1, 0, 8, 8]"}));
  EXPECT_TRUE(failsWith(maxpool2d({0, 8, 8}, window(2, 2)), "maxpool2d",
                        {"[0, 8, 8]"}));
  EXPECT_TRUE(failsWith(maxpool2d({1, 1, 2, 2}, window(3, 3)), "maxpool2d",
                        {"output would be empty", "effective kernel [3, 3]"}));
  EXPECT_TRUE(failsWith(maxpool2d({1, 1, 3, 3}, window(2, 1, 0, 3)),
                        "maxpool2d", {"effective kernel [4, 4]"}));
  EXPECT_TRUE(
      failsWith(maxpool2d({1, 1, 8, INT64_MAX}, window(INT64_MAX, 1, 0, 2)),
                "maxpool2d", {"overflows int64"}));
}

TEST(AvgPool2dTest, Shapes) {
  EXPECT_TRUE(hasShape(avgpool2d({2, 3, 7, 9}, window(3, 2, 1)), {2, 3, 4, 5}));
  EXPECT_TRUE(hasShape(avgpool2d({1, 1, 5, 5}, window(2, 2, 0, 1, true)),
                       {1, 1, 3, 3}));
  Window2d w = window(3, 1, 1);
  w.kernel = {3, 2};
  w.stride = {1, 2};
  EXPECT_TRUE(hasShape(avgpool2d({1, 1, 10, 7}, w), {1, 1, 10, 4}));
  EXPECT_TRUE(hasShape(avgpool2d({3, 8, 8}, window(4, 4)), {3, 2, 2}));
}

TEST(AvgPool2dTest, Errors) {
  Window2d w = window(2, 2);
  w.dilation = {2, 1};
  EXPECT_TRUE(failsWith(avgpool2d({1, 1, 8, 8}, w), "avgpool2d",
                        {"does not support dilation, got [2, 1]"}));
  EXPECT_TRUE(failsWith(avgpool2d({1, 1, 9, 9}, window(3, 1, 2)), "avgpool2d",
                        {"should be at most half of kernel size [3, 3]"}));
  EXPECT_TRUE(failsWith(avgpool2d({1, 1, 8, 8}, window(0, 1)), "avgpool2d",
                        {"kernel must be positive"}));
  EXPECT_TRUE(failsWith(avgpool2d({1, 1, 8, 8}, window(2, -2)), "avgpool2d",
                        {"stride must be positive, got [-2, -2]"}));
  EXPECT_TRUE(failsWith(avgpool2d({1, 1, 1, 1}, window(2, 2)), "avgpool2d",
                        {"output would be empty", "[0, 0]"}));
  EXPECT_TRUE(failsWith(avgpool2d({1, 1, 0, 4}, window(1, 1)), "avgpool2d",
                        {"non-empty"}));
}

//===----------------------------------------------------------------------===//
// pad2d
//===----------------------------------------------------------------------===//

TEST(Pad2dTest, PadsAndCropsLastTwoDims) {
  // pads are [top, bottom, left, right]; F.pad takes [left, right, top,
  // bottom].
  EXPECT_TRUE(hasShape(pad2d({1, 3, 4, 4}, {1, 2, 3, 4}), {1, 3, 7, 11}));
  EXPECT_TRUE(hasShape(pad2d({1, 3, 4, 4}, {-1, -1, 0, 0}), {1, 3, 2, 4}));
  EXPECT_TRUE(hasShape(pad2d({1, 3, 4, 4}, {-1, 2, 3, -2}), {1, 3, 5, 5}));
  EXPECT_TRUE(hasShape(pad2d({3, 4}, {3, 4, 1, 2}), {10, 7}));
  EXPECT_TRUE(hasShape(pad2d({2, 1, 3, 4}, {0, 0, 0, 0}), {2, 1, 3, 4}));
}

TEST(Pad2dTest, CroppingToNothing) {
  // A pure crop may empty a dim...
  EXPECT_TRUE(hasShape(pad2d({1, 3, 4, 4}, {-2, -2, 0, 0}), {1, 3, 0, 4}));
  // ...but PyTorch refuses to pad a tensor with an empty dim.
  EXPECT_TRUE(failsWith(pad2d({1, 3, 4, 4}, {-2, -2, 1, 0}), "pad2d",
                        {"[-2, -2, 1, 0]", "dimension 2", "empty"}));
  EXPECT_TRUE(
      failsWith(pad2d({1, 3, 4, 4}, {-5, 0, 0, 0}), "pad2d",
                {"crops dimension 2 of input [1, 3, 4, 4] below zero"}));
  // F.pad crops before it pads, so -3 then +1 on a size 2 fails, net 0 or not.
  EXPECT_TRUE(
      failsWith(pad2d({1, 3, 2, 4}, {-3, 1, 0, 0}), "pad2d", {"below zero"}));
  EXPECT_TRUE(
      failsWith(pad2d({1, 3, 4, 4}, {0, 0, -3, -2}), "pad2d", {"dimension 3"}));
}

TEST(Pad2dTest, RankAndOverflowErrors) {
  EXPECT_TRUE(
      failsWith(pad2d({4}, {1, 1, 1, 1}), "pad2d", {"rank >= 2, got [4]"}));
  EXPECT_TRUE(failsWith(pad2d({}, {0, 0, 0, 0}), "pad2d", {"got []"}));
  EXPECT_TRUE(failsWith(pad2d({1, INT64_MAX, 4}, {1, 0, 0, 0}), "pad2d",
                        {"overflows int64"}));
  EXPECT_TRUE(failsWith(pad2d({1, 4, 4}, {INT64_MAX, INT64_MAX, 0, 0}), "pad2d",
                        {"overflows int64"}));
  EXPECT_TRUE(failsWith(pad2d({1, 4, -4}, {0, 0, 0, 0}), "pad2d",
                        {"negative dimension"}));
}

} // namespace
