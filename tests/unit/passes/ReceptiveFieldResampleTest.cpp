//===- ReceptiveFieldResampleTest.cpp - rational windows against brute force ===//
//
// composeScaled (passes/RFMath) with the windows of transposed convolutions
// and nearest upsampling (ir/Ops/Spatial.cpp states them) against a brute
// force that follows each output pixel of a random stack of convolutions,
// transposed convolutions and resizes back to the input indices it reads.
// The composed interval must hold every output's indices (no index outside
// it). For a single layer it must also be tight: it cannot shrink by a whole
// pixel at either end (composed, the bound may be looser).
//
//===----------------------------------------------------------------------===//

#include "passes/RFMath.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <set>
#include <vector>

using namespace netc::rf;

namespace {

/// One layer along one axis: a convolution, a transposed convolution or a
/// nearest resize from `in` to `out` pixels.
struct Layer {
  enum class Kind { Conv, Transposed, Nearest } kind = Kind::Conv;
  int64_t kernel = 1, stride = 1, padding = 0, dilation = 1;
  int64_t in = 1, out = 1;
};

/// The input indices of one output index of a layer.
std::set<int64_t> reads(const Layer &l, int64_t o) {
  std::set<int64_t> r;
  switch (l.kind) {
  case Layer::Kind::Conv:
    for (int64_t t = 0; t < l.kernel; ++t)
      r.insert(o * l.stride - l.padding + t * l.dilation);
    break;
  case Layer::Kind::Transposed:
    // o = i * s - p + t * d for some tap t.
    for (int64_t t = 0; t < l.kernel; ++t) {
      int64_t v = o + l.padding - t * l.dilation;
      if (v % l.stride == 0)
        r.insert(v / l.stride);
    }
    break;
  case Layer::Kind::Nearest:
    r.insert(o * l.in / l.out);
    break;
  }
  return r;
}

/// The window of a layer as the ops' receptive-field rules state it.
RationalLayer windowOf(const Layer &l) {
  switch (l.kind) {
  case Layer::Kind::Conv:
    return {l.dilation * (l.kernel - 1) + 1, 1, l.stride, 1, l.padding, 1};
  case Layer::Kind::Transposed: {
    int64_t span = l.dilation * (l.kernel - 1);
    return {l.stride + span, l.stride, 1, l.stride, span - l.padding, l.stride};
  }
  case Layer::Kind::Nearest: {
    int64_t g = std::gcd(l.in, l.out), b = l.out / g;
    return {2 * b - 1, b, l.in / g, b, b - 1, b};
  }
  }
  return {};
}

TEST(ReceptiveFieldResampleTest, IntervalsHoldEveryRead) {
  std::mt19937 rng(7);
  auto pick = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  for (int trial = 0; trial < 300; ++trial) {
    std::vector<Layer> stack(pick(1, 4));
    for (Layer &l : stack) {
      l.kind = static_cast<Layer::Kind>(pick(0, 2));
      l.kernel = pick(1, 5);
      l.stride = pick(1, 3);
      l.dilation = pick(1, 2);
      l.padding = pick(0, l.dilation * (l.kernel - 1));
      l.in = pick(2, 9);
      l.out = pick(2, 9);
    }
    ScaledGeometry g;
    for (const Layer &l : stack) {
      std::optional<ScaledGeometry> next = composeScaled(g, windowOf(l));
      ASSERT_TRUE(next.has_value());
      g = *next;
    }
    // Over many outputs, in units of 1/den: start(o) = o j - p, end = start + r - den.
    double slackFirst = 1e9, slackLast = 1e9;
    for (int64_t o = 0; o < 60; ++o) {
      std::set<int64_t> indices = {o};
      for (auto it = stack.rbegin(); it != stack.rend(); ++it) {
        std::set<int64_t> below;
        for (int64_t i : indices)
          for (int64_t v : reads(*it, i))
            below.insert(v);
        indices = std::move(below);
      }
      if (indices.empty())
        continue;
      double den = double(g.den);
      double start = (double(o) * g.axis.stride - g.axis.padding) / den;
      double end = start + double(g.axis.size - g.den) / den;
      ASSERT_GE(double(*indices.begin()), start - 1e-9) << "trial " << trial << " output " << o;
      ASSERT_LE(double(*indices.rbegin()), end + 1e-9) << "trial " << trial << " output " << o;
      slackFirst = std::min(slackFirst, double(*indices.begin()) - start);
      slackLast = std::min(slackLast, end - double(*indices.rbegin()));
    }
    // Tightness of one layer (some outputs of a sparse transposed kernel read nothing).
    if (stack.size() == 1 && slackFirst < 1e9) {
      EXPECT_LT(slackFirst, 1.0) << "trial " << trial;
      EXPECT_LT(slackLast, 1.0) << "trial " << trial;
    }
  }
}

} // namespace
