//===- InitTest.cpp - seeded initialisation and the dropout mask ----------===//
//
// Generated executables, compiled kernels and the interpreter must draw the
// same numbers, so the first values are pinned (they were checked against an
// independent Python transcription of the formulas in Init.h and
// DropoutMask.h); the rest checks the distributions.
//
//===----------------------------------------------------------------------===//

#include "runtime/Init.h"
#include "runtime/DropoutMask.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

using namespace netc::runtime;

TEST(InitTest, PinnedWords) {
  CounterRng rng(0, 0);
  EXPECT_EQ(rng.word(0), 6235967106033911276ull);
  EXPECT_EQ(rng.word(1), 4964577235801436555ull);
  EXPECT_EQ(CounterRng(42, inputStream(1)).word(7), 12253337566983381080ull);
  EXPECT_DOUBLE_EQ(rng.uniform(0), 0.33805245419550545);
  EXPECT_DOUBLE_EQ(CounterRng(42, inputStream(1)).normal(3), -1.0812684590225587);
}

TEST(InitTest, FloatFillIsTheRoundedDoubleFill) {
  std::vector<float> f(100);
  std::vector<double> d(100);
  fillUniform(f.data(), f.size(), -1, 1, 5, 2);
  fillUniform(d.data(), d.size(), -1, 1, 5, 2);
  for (size_t i = 0; i < f.size(); ++i)
    EXPECT_EQ(f[i], static_cast<float>(d[i]));
  EXPECT_FLOAT_EQ(f[0], -0.0660346597f);
}

TEST(InitTest, StreamsAndSeedsDiffer) {
  std::vector<double> a(8), b(8), c(8);
  fillUniform(a.data(), 8, 0, 1, 0, paramStream(0));
  fillUniform(b.data(), 8, 0, 1, 0, paramStream(1));
  fillUniform(c.data(), 8, 0, 1, 1, paramStream(0));
  EXPECT_NE(a, b);
  EXPECT_NE(a, c);
  // An element does not depend on how many are drawn.
  std::vector<double> longer(100);
  fillUniform(longer.data(), 100, 0, 1, 0, paramStream(0));
  EXPECT_TRUE(std::equal(a.begin(), a.end(), longer.begin()));
}

TEST(InitTest, Distributions) {
  const size_t n = 100000;
  std::vector<double> u(n), g(n);
  fillUniform(u.data(), n, -2, 3, 7, 0);
  fillNormal(g.data(), n, 1.5, 2, 7, 1);
  double su = 0, sg = 0, sg2 = 0;
  for (size_t i = 0; i < n; ++i) {
    EXPECT_GE(u[i], -2);
    EXPECT_LT(u[i], 3);
    su += u[i];
    sg += g[i];
    sg2 += (g[i] - 1.5) * (g[i] - 1.5);
  }
  EXPECT_NEAR(su / n, 0.5, 0.02);
  EXPECT_NEAR(sg / n, 1.5, 0.03);
  EXPECT_NEAR(std::sqrt(sg2 / n), 2.0, 0.03);
  std::vector<double> c(4);
  fill(c.data(), 4, InitSpec{InitSpec::Dist::Constant, 0.25, 0}, 7, 0);
  EXPECT_EQ(c, std::vector<double>(4, 0.25));
}

TEST(InitTest, IndicesCoverTheRange) {
  std::vector<int64_t> idx(1000);
  fillIndices(idx.data(), idx.size(), 7, 3, inputStream(0));
  std::vector<int> seen(7);
  for (int64_t v : idx) {
    ASSERT_GE(v, 0);
    ASSERT_LT(v, 7);
    ++seen[v];
  }
  for (int count : seen)
    EXPECT_GT(count, 100);
}

TEST(DropoutMaskTest, PinnedBitsAndRate) {
  EXPECT_EQ(dropoutBits(0, 0), 14819496u);
  EXPECT_EQ(dropoutBits(12345, 99), 2974893u);
  EXPECT_TRUE(keep(0, 0, 0.5));
  EXPECT_FALSE(keep(12345, 99, 0.5));
  EXPECT_EQ(dropoutThreshold(0.25), 4194304u);
  int kept = 0;
  for (uint64_t i = 0; i < 100000; ++i) {
    EXPECT_TRUE(keep(9, i, 0.0));
    kept += keep(9, i, 0.3);
  }
  EXPECT_NEAR(kept / 100000.0, 0.7, 0.01);
  EXPECT_DOUBLE_EQ(dropoutScale(0.2), 1.25);
}
