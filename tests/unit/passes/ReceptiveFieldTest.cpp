//===- ReceptiveFieldTest.cpp - closed forms against brute force ----------===//
//
// The closed forms of passes/RFMath (what nn-receptive-field composes) against
// a brute force that knows nothing of them: it follows output pixels of a
// random conv/pool stack back layer by layer as the set of input indices each
// one reads (every tap of every dilated kernel), then compares that set's span
// with the closed form's size and start. Random stacks use a fixed seed.
//
//===----------------------------------------------------------------------===//

#include "passes/RFMath.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <set>
#include <sstream>
#include <vector>

using namespace netc::rf;

namespace {

/// One layer of a stack along one axis, in the terms a user writes.
struct Layer {
  int64_t kernel = 1, stride = 1, padding = 0, dilation = 1;
};

/// Describes a stack for failure messages.
std::string describe(const std::vector<Layer> &stack) {
  std::ostringstream os;
  for (const Layer &l : stack)
    os << "(k=" << l.kernel << " s=" << l.stride << " p=" << l.padding << " d=" << l.dilation
       << ") ";
  return os.str();
}

/// The input indices that output index `out` of the last layer reads: walk
/// the stack backwards, each index o of a layer's output reading indices
/// o * s - p + t * d (t = 0 .. k - 1) of its input. Padding positions
/// (negative indices or past the end) count, as in the closed forms.
std::set<int64_t> bruteForce(const std::vector<Layer> &stack, int64_t out) {
  std::set<int64_t> indices = {out};
  for (auto it = stack.rbegin(); it != stack.rend(); ++it) {
    std::set<int64_t> below;
    for (int64_t o : indices)
      for (int64_t t = 0; t < it->kernel; ++t)
        below.insert(o * it->stride - it->padding + t * it->dilation);
    indices = std::move(below);
  }
  return indices;
}

/// The closed form of a whole stack, composed layer by layer from the identity.
AxisGeometry closedForm(const std::vector<Layer> &stack) {
  AxisGeometry g;
  for (const Layer &l : stack) {
    std::optional<int64_t> k = effectiveKernel(l.kernel, l.dilation);
    EXPECT_TRUE(k.has_value());
    std::optional<AxisGeometry> next = compose(g, {*k, l.stride, l.padding});
    EXPECT_TRUE(next.has_value());
    g = *next;
  }
  return g;
}

/// A random conv or pool layer; crops (negative padding, as pad2d) now and then.
Layer randomLayer(std::mt19937 &rng) {
  auto pick = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  Layer l;
  switch (pick(0, 3)) {
  case 0: // Convolution, possibly dilated.
    l.kernel = pick(1, 7);
    l.stride = pick(1, 3);
    l.dilation = pick(1, 3);
    l.padding = pick(0, l.dilation * (l.kernel - 1));
    break;
  case 1: // Pooling: stride defaults to the kernel.
    l.kernel = pick(2, 3);
    l.stride = pick(0, 1) ? l.kernel : pick(1, 2);
    l.padding = pick(0, l.kernel / 2);
    break;
  case 2: // Padding or cropping (pad2d): a 1-wide window.
    l.padding = pick(-3, 3);
    break;
  default: // A 1x1 projection with stride, as in a shortcut.
    l.stride = pick(1, 2);
    break;
  }
  return l;
}

TEST(ReceptiveField, ThreeLayerCNNOfDSLmd) {
  // conv3 p1, maxpool2, conv5 s2 p2, maxpool2, conv7 d2 p3, by hand:
  // r: 3, 3+1*1=4, 4+4*2=12, 12+1*4=16, 16+12*8=112
  // j: 1, 2, 4, 8, 8
  // p: 1, 1, 1+2*2=5, 5, 5+3*8=29
  std::vector<Layer> stack = {{3, 1, 1, 1}, {2, 2, 0, 1}, {5, 2, 2, 1}, {2, 2, 0, 1}, {7, 1, 3, 2}};
  AxisGeometry g = closedForm(stack);
  EXPECT_EQ(g.size, 112);
  EXPECT_EQ(g.stride, 8);
  EXPECT_EQ(g.padding, 29);
  std::set<int64_t> seen = bruteForce(stack, 0);
  EXPECT_EQ(*seen.begin(), -29);
  EXPECT_EQ(*seen.rbegin() - *seen.begin() + 1, 112);
}

TEST(ReceptiveField, DilatedKernelHasGaps) {
  // k=3, d=4 reads indices 0, 4, 8: span 9 = 4 * (3 - 1) + 1, with holes.
  std::set<int64_t> seen = bruteForce({{3, 1, 0, 4}}, 0);
  EXPECT_EQ(seen, (std::set<int64_t>{0, 4, 8}));
  EXPECT_EQ(effectiveKernel(3, 4), 9);
}

TEST(ReceptiveField, RandomStacksMatchBruteForce) {
  std::mt19937 rng(20190304);
  for (int trial = 0; trial < 2000; ++trial) {
    std::vector<Layer> stack;
    int depth = std::uniform_int_distribution<int>(1, 6)(rng);
    for (int i = 0; i < depth; ++i)
      stack.push_back(randomLayer(rng));
    AxisGeometry g = closedForm(stack);
    for (int64_t out : {int64_t(0), int64_t(1), int64_t(5)}) {
      std::set<int64_t> seen = bruteForce(stack, out);
      ASSERT_FALSE(seen.empty());
      std::optional<int64_t> start = windowStart(g, out);
      ASSERT_TRUE(start.has_value());
      EXPECT_EQ(*seen.begin(), *start) << describe(stack) << "output " << out;
      EXPECT_EQ(*seen.rbegin() - *seen.begin() + 1, g.size) << describe(stack) << "output " << out;
    }
    // The effective stride is how far the window moves per output step.
    EXPECT_EQ(*bruteForce(stack, 1).begin() - *bruteForce(stack, 0).begin(), g.stride)
        << describe(stack);
  }
}

TEST(ReceptiveField, AlignmentComparesStrideAndCentre) {
  // conv3 p1 and a 1x1: both centred on their output pixel.
  EXPECT_TRUE(aligned({3, 1, 1}, {1, 1, 0}));
  EXPECT_EQ(centre({3, 1, 1}), 0.0);
  // A 2x2 window without padding is centred half a pixel off the 1x1.
  EXPECT_FALSE(aligned({2, 1, 0}, {1, 1, 0}));
  EXPECT_EQ(centre({2, 1, 0}), 0.5);
  // Same centre, different strides.
  EXPECT_FALSE(aligned({3, 2, 1}, {3, 1, 1}));
  // Different sizes with the same centre are aligned: 7 p3 and 3 p1.
  EXPECT_TRUE(aligned({7, 1, 3}, {3, 1, 1}));
}

TEST(ReceptiveField, OverflowIsReported) {
  AxisGeometry huge{1, INT64_MAX / 2, 0};
  EXPECT_FALSE(compose(huge, {4, 1, 0}).has_value());
  EXPECT_FALSE(compose(huge, {1, 4, 0}).has_value());
  EXPECT_FALSE(effectiveKernel(INT64_MAX, 2).has_value());
  EXPECT_FALSE(windowStart(huge, 5).has_value());
}

} // namespace
