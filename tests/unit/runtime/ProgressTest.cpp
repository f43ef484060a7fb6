//===- ProgressTest.cpp - the progress line with any step count -----------===//

#include "runtime/Progress.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

using namespace netc::runtime;

namespace {

/// What a Progress over `total` steps prints for `steps` (to a file, not a
/// terminal).
std::string run(uint64_t total, std::initializer_list<uint64_t> steps) {
  std::FILE *out = std::tmpfile();
  {
    Progress progress(total, out);
    for (uint64_t s : steps)
      progress.update(s, 0.5);
    progress.finish();
  }
  std::rewind(out);
  std::string text;
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, out))
    text += buffer;
  std::fclose(out);
  return text;
}

TEST(ProgressTest, PrintsEveryHundredthStep) {
  Progress p(250, stdout);
  EXPECT_TRUE(p.printsStep(1));
  EXPECT_FALSE(p.printsStep(2));
  EXPECT_TRUE(p.printsStep(3));
  EXPECT_TRUE(p.printsStep(249));
  EXPECT_TRUE(p.printsStep(250));
  EXPECT_FALSE(p.printsStep(251));
  Progress small(7, stdout);
  for (uint64_t s = 1; s <= 7; ++s)
    EXPECT_TRUE(small.printsStep(s));
}

TEST(ProgressTest, HugeTotalsNeitherTrapNorWrap) {
  // (total + 99) / 100 wrapped to 0 here, and step % 0 raised SIGFPE.
  const uint64_t huge = UINT64_MAX;
  Progress p(huge, stdout);
  EXPECT_TRUE(p.printsStep(1));
  EXPECT_FALSE(p.printsStep(2));
  EXPECT_TRUE(p.printsStep(huge / 100 + 1));
  EXPECT_TRUE(p.printsStep(huge));
  std::string text = run(huge, {1, 2, 3, huge - 1});
  EXPECT_NE(text.find("step 1/18446744073709551615"), std::string::npos) << text;
  EXPECT_EQ(text.find("step 2/"), std::string::npos) << text;
  EXPECT_EQ(run(UINT64_MAX - 50, {1}).find("step 1/18446744073709551565"), 0u);
  EXPECT_NE(run(101, {1, 2, 3, 101}).find("step 101/101"), std::string::npos);
}

} // namespace
