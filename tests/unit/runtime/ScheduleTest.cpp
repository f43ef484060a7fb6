//===- ScheduleTest.cpp - learning-rate schedules and epoch orders ---------===//

#include "runtime/Dataset.h"
#include "runtime/Schedule.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

using namespace netc::runtime;

namespace {

Schedule parsed(const std::string &text) {
  Schedule s;
  std::string error;
  EXPECT_TRUE(s.parse(text, error)) << error;
  return s;
}

TEST(ScheduleTest, StepDecaysEveryNEpochs) {
  Schedule s = parsed("step:2:0.5");
  EXPECT_DOUBLE_EQ(s.factor(0, 0, 100), 1);
  EXPECT_DOUBLE_EQ(s.factor(30, 1, 100), 1);
  EXPECT_DOUBLE_EQ(s.factor(31, 2, 100), 0.5);
  EXPECT_DOUBLE_EQ(s.factor(99, 5, 100), 0.25);
}

TEST(ScheduleTest, WarmupThenCosineMultiply) {
  Schedule s = parsed("warmup:4,cosine");
  EXPECT_DOUBLE_EQ(s.factor(0, 0, 8), 0.25 * (1 + std::cos(0.0)) / 2);
  EXPECT_DOUBLE_EQ(s.factor(3, 3, 8), (1 + std::cos(M_PI * 3 / 8)) / 2);
  EXPECT_NEAR(s.factor(4, 4, 8), 0.5, 1e-15);
  EXPECT_GT(s.factor(7, 7, 8), 0);
}

TEST(ScheduleTest, BadPartsAreNamed) {
  for (const char *text : {"", "cosine,", "step:0:0.5", "step:2", "step:2:-1", "warmup:x",
                           "linear", "step:2:0.5:1"}) {
    Schedule s;
    std::string error;
    EXPECT_FALSE(s.parse(text, error)) << text;
    EXPECT_NE(error.find("--schedule"), std::string::npos) << error;
  }
}

TEST(ScheduleTest, OrdersArePermutationsOfSeedAndEpoch) {
  std::vector<uint64_t> a = shuffledOrder(1, 1, 100, true);
  std::vector<uint64_t> sorted = a;
  std::sort(sorted.begin(), sorted.end());
  for (uint64_t i = 0; i < 100; ++i)
    EXPECT_EQ(sorted[i], i);
  EXPECT_EQ(a, shuffledOrder(1, 1, 100, true));
  EXPECT_NE(a, shuffledOrder(2, 1, 100, true));
  EXPECT_NE(a, shuffledOrder(1, 2, 100, true));
  std::vector<uint64_t> plain = shuffledOrder(1, 1, 100, false);
  EXPECT_TRUE(std::is_sorted(plain.begin(), plain.end()));
}

} // namespace
