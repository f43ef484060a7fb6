//===- ArenaTest.cpp - chain temporaries placed by liveness ---------------===//
//
// planArena: blocks whose lifetimes overlap get disjoint bytes, blocks that
// never live at the same time share them, and for a chain of hand-over
// buffers the arena is exactly the most bytes live at one step. chainBlocks
// reads lifetimes off a chain's parts, and netc_run_chain runs a chain whose
// parts are stand-ins recording where their buffers are: values still pass
// from part to part through shared memory.
//
//===----------------------------------------------------------------------===//

#include "runtime/Arena.h"

#include <HalideRuntime.h>

#include <gtest/gtest.h>

#include <vector>

using namespace netc::runtime;

namespace {

/// Whether the byte ranges of two placed blocks intersect.
bool bytesOverlap(const ArenaPlan &plan, const std::vector<ArenaBlock> &blocks, size_t a,
                  size_t b) {
  return plan.offsets[a] < plan.offsets[b] + blocks[b].bytes &&
         plan.offsets[b] < plan.offsets[a] + blocks[a].bytes;
}

TEST(ArenaTest, OverlappingLifetimesGetDistinctBytes) {
  std::vector<ArenaBlock> blocks = {{640, 0, 2}, {128, 1, 3}, {64, 2, 2}};
  ArenaPlan plan = planArena(blocks);
  ASSERT_EQ(plan.offsets.size(), 3u);
  for (size_t a = 0; a < 3; ++a)
    for (size_t b = a + 1; b < 3; ++b)
      EXPECT_FALSE(bytesOverlap(plan, blocks, a, b)) << a << " and " << b;
  // All three live at step 2: nothing can be shared.
  EXPECT_EQ(plan.total, 640u + 128u + 64u);
}

TEST(ArenaTest, DisjointLifetimesShareBytes) {
  std::vector<ArenaBlock> blocks = {{256, 0, 0}, {192, 1, 1}, {256, 2, 3}};
  ArenaPlan plan = planArena(blocks);
  EXPECT_EQ(plan.offsets, (std::vector<uint64_t>{0, 0, 0}));
  EXPECT_EQ(plan.total, 256u);
}

TEST(ArenaTest, HandOverChainNeedsTheMostLiveBytes) {
  // Step 1 holds A and B (384 B), the most at any step; C fits where A was
  // and D beside C, so the arena is that peak and no more.
  std::vector<ArenaBlock> blocks = {{256, 0, 1}, {128, 1, 2}, {128, 2, 3}, {128, 3, 3}};
  ArenaPlan plan = planArena(blocks);
  EXPECT_EQ(plan.total, 384u);
  EXPECT_EQ(plan.offsets[0], 0u);
  EXPECT_EQ(plan.offsets[1], 256u);
  EXPECT_EQ(plan.offsets[2], 0u);
  EXPECT_EQ(plan.offsets[3], 128u);
}

TEST(ArenaTest, OffsetsAreAligned) {
  std::vector<ArenaBlock> blocks = {{100, 0, 1}, {30, 0, 1}, {7, 1, 1}};
  ArenaPlan plan = planArena(blocks, 64);
  for (uint64_t offset : plan.offsets)
    EXPECT_EQ(offset % 64, 0u);
  EXPECT_EQ(plan.offsets[0], 0u);
  EXPECT_EQ(plan.offsets[1], 128u);
  EXPECT_EQ(plan.offsets[2], 192u);
  EXPECT_EQ(plan.total, 199u);
}

// A chain of four parts over f32[16] temporaries t0 ... t3 (see the parts
// below): t0 lives in parts 0-1, t1 in 0-2, t2 in 1-2, t3 in 2-3. Only t0 and
// t3 never live at the same time.
const int64_t kShape16[] = {16};
const netc_tensor kTemps[] = {{"t0", NETC_F32, 1, kShape16, NETC_INIT_CONSTANT, 0, 0, 0},
                              {"t1", NETC_F32, 1, kShape16, NETC_INIT_CONSTANT, 0, 0, 0},
                              {"t2", NETC_F32, 1, kShape16, NETC_INIT_CONSTANT, 0, 0, 0},
                              {"t3", NETC_F32, 1, kShape16, NETC_INIT_CONSTANT, 0, 0, 0}};

float *data(void *arg) { return reinterpret_cast<float *>(static_cast<halide_buffer_t *>(arg)->host); }

std::vector<void *> seenHosts;

/// Writes f(a, b) into `out` element by element and records where `out` is.
int apply(void *a, void *b, void *out, float (*f)(float, float)) {
  for (int i = 0; i < 16; ++i)
    data(out)[i] = f(data(a)[i], data(b)[i]);
  seenHosts.push_back(data(out));
  return 0;
}

// part0(x) -> t0 = x + 1, t1 = x * 2; part1(t0) -> t2 = t0 * 3; part2(t1, t2) -> t3 = t1 + t2;
// part3(t3) -> y = t3 - 1.
int part0(void **args) {
  apply(args[0], args[0], args[1], [](float x, float) { return x + 1; });
  return apply(args[0], args[0], args[2], [](float x, float) { return x * 2; });
}
int part1(void **args) {
  return apply(args[0], args[0], args[1], [](float t0, float) { return t0 * 3; });
}
int part2(void **args) {
  return apply(args[0], args[1], args[2], [](float t1, float t2) { return t1 + t2; });
}
int part3(void **args) {
  return apply(args[0], args[0], args[1], [](float t3, float) { return t3 - 1; });
}

const netc_chain_ref kRefs0[] = {{0, 0}, {1, 0}, {1, 1}};
const netc_chain_ref kRefs1[] = {{1, 0}, {1, 2}};
const netc_chain_ref kRefs2[] = {{1, 1}, {1, 2}, {1, 3}};
const netc_chain_ref kRefs3[] = {{1, 3}, {0, 1}};
const netc_chain_part kParts[] = {
    {part0, 3, kRefs0}, {part1, 2, kRefs1}, {part2, 3, kRefs2}, {part3, 2, kRefs3}};
const netc_chain kChain = {4, kTemps, 4, kParts};

TEST(ArenaTest, ChainLifetimesRunFromWriterToLastReader) {
  std::vector<ArenaBlock> blocks = chainBlocks(kChain);
  ASSERT_EQ(blocks.size(), 4u);
  // 16 floats = 64 bytes, and 64 past the end.
  EXPECT_EQ(blocks[0].bytes, 128u);
  EXPECT_EQ(blocks[0].first, 0);
  EXPECT_EQ(blocks[0].last, 1);
  EXPECT_EQ(blocks[1].first, 0);
  EXPECT_EQ(blocks[1].last, 2);
  EXPECT_EQ(blocks[2].first, 1);
  EXPECT_EQ(blocks[2].last, 2);
  EXPECT_EQ(blocks[3].first, 2);
  EXPECT_EQ(blocks[3].last, 3);
  // t0 and t3 never live together, t1 and t2 (part 2) do: three blocks' worth.
  ArenaPlan plan = planArena(blocks);
  EXPECT_EQ(plan.total, 3u * 128u);
  EXPECT_EQ(plan.offsets[0], plan.offsets[3]);
}

TEST(ArenaTest, ChainPassesValuesThroughSharedMemory) {
  std::vector<float> x(16), y(16, 0.0f);
  for (int i = 0; i < 16; ++i)
    x[i] = static_cast<float>(i);
  halide_buffer_t bx{}, by{};
  halide_dimension_t dim{0, 16, 1, 0};
  for (halide_buffer_t *b : {&bx, &by}) {
    b->type = halide_type_t(halide_type_float, 32);
    b->dimensions = 1;
    b->dim = &dim;
  }
  bx.host = reinterpret_cast<uint8_t *>(x.data());
  by.host = reinterpret_cast<uint8_t *>(y.data());
  void *args[] = {&bx, &by};
  for (int call = 0; call < 2; ++call) {
    seenHosts.clear();
    ASSERT_EQ(netc_run_chain(&kChain, args), 0);
    // ((x + 1) * 3 + x * 2) - 1 = 5x + 2
    for (int i = 0; i < 16; ++i)
      EXPECT_FLOAT_EQ(y[i], 5.0f * i + 2.0f) << "call " << call << ", element " << i;
    ASSERT_EQ(seenHosts.size(), 5u);
    EXPECT_EQ(seenHosts[4], static_cast<void *>(y.data()));
    // t0 (written first) and t3 (written last) share memory; t1 and t2 do not.
    EXPECT_EQ(seenHosts[0], seenHosts[3]);
    EXPECT_NE(seenHosts[1], seenHosts[2]);
    EXPECT_NE(seenHosts[0], seenHosts[1]);
    EXPECT_NE(seenHosts[0], seenHosts[2]);
  }
}

} // namespace
