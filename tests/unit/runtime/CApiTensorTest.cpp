//===- CApiTensorTest.cpp - parameters by name through the C API core ----===//
//
// capi::copyTensor and capi::steps, behind the shared library's
// netc_so_get_tensor, netc_so_set_tensor and netc_so_steps: a parameter and a
// buffer read and written by name, and every refusal (unknown name, wrong
// size, NULL, a dead context) with its message. The Halide stand-ins come
// from CApiTest.cpp.
//
//===----------------------------------------------------------------------===//

#include "runtime/CApi.h"
#include "runtime/CApiShared.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace netc::runtime;

namespace {

const int64_t kShapeW[] = {2, 2};
const int64_t kShapeB[] = {3};
const netc_tensor kParams[] = {{"w", NETC_F32, 2, kShapeW, NETC_INIT_CONSTANT, 0.5, 0, 0}};
const netc_tensor kBuffers[] = {{"mean", NETC_F64, 1, kShapeB, NETC_INIT_CONSTANT, 0, 0, 0}};

/// A model of one parameter and one buffer, with no function.
netc_model makeModel() {
  netc_model m{};
  m.name = "weights";
  m.num_params = 1;
  m.params = kParams;
  m.num_buffers = 1;
  m.buffers = kBuffers;
  return m;
}
const netc_model kModel = makeModel();

std::string lastError(void *ctx) { return capi::lastError(kModel, ctx); }

TEST(CApiTensorTest, ReadsAndWritesByName) {
  void *ctx = capi::create(kModel, 0);
  ASSERT_NE(ctx, nullptr);
  float w[4] = {};
  ASSERT_EQ(capi::copyTensor(kModel, ctx, false, "w", w, sizeof w, false), 0);
  EXPECT_EQ(std::vector<float>(w, w + 4), std::vector<float>(4, 0.5f));
  float set[4] = {1, 2, 3, 4};
  ASSERT_EQ(netc_so_set_tensor(&kModel, ctx, 0, "w", set, sizeof set), 0);
  ASSERT_EQ(netc_so_get_tensor(&kModel, ctx, 0, "w", w, sizeof w), 0);
  EXPECT_EQ(std::vector<float>(w, w + 4), std::vector<float>(set, set + 4));
  double mean[3] = {7, 8, 9}, back[3] = {};
  ASSERT_EQ(capi::copyTensor(kModel, ctx, true, "mean", mean, sizeof mean, true), 0);
  ASSERT_EQ(capi::copyTensor(kModel, ctx, true, "mean", back, sizeof back, false), 0);
  EXPECT_EQ(std::vector<double>(back, back + 3), std::vector<double>(mean, mean + 3));
  EXPECT_EQ(netc_so_steps(&kModel, ctx), 0);
  capi::destroy(kModel, ctx);
}

TEST(CApiTensorTest, RefusesWhatDoesNotFit) {
  void *ctx = capi::create(kModel, 0);
  ASSERT_NE(ctx, nullptr);
  float w[4] = {9, 9, 9, 9};
  EXPECT_EQ(capi::copyTensor(kModel, ctx, false, "v", w, sizeof w, true), -1);
  EXPECT_EQ(lastError(ctx), "weights_set_tensor: model 'weights' has no parameter 'v'");
  // A parameter's name is not a buffer's.
  EXPECT_EQ(capi::copyTensor(kModel, ctx, true, "w", w, sizeof w, false), -1);
  EXPECT_EQ(lastError(ctx), "weights_get_tensor: model 'weights' has no buffer 'w'");
  EXPECT_EQ(capi::copyTensor(kModel, ctx, false, "w", w, 8, true), -1);
  EXPECT_EQ(lastError(ctx), "weights_set_tensor: parameter 'w' (f32[2, 2]) needs 16 bytes, got 8");
  EXPECT_EQ(capi::copyTensor(kModel, ctx, false, nullptr, w, sizeof w, false), -1);
  EXPECT_EQ(lastError(ctx), "weights_get_tensor: the name is NULL");
  EXPECT_EQ(capi::copyTensor(kModel, ctx, false, "w", nullptr, sizeof w, false), -1);
  EXPECT_EQ(lastError(ctx), "weights_get_tensor: the data is NULL");
  // Nothing refused was written.
  ASSERT_EQ(capi::copyTensor(kModel, ctx, false, "w", w, sizeof w, false), 0);
  EXPECT_EQ(w[0], 0.5f);
  capi::destroy(kModel, ctx);
  EXPECT_EQ(capi::copyTensor(kModel, ctx, false, "w", w, sizeof w, false), -1);
  EXPECT_EQ(capi::steps(kModel, ctx), -1);
  EXPECT_NE(lastError(nullptr).find("not live"), std::string::npos) << lastError(nullptr);
  // The shared library's functions refuse a NULL descriptor without touching it.
  EXPECT_EQ(netc_so_get_tensor(nullptr, ctx, 0, "w", w, sizeof w), -1);
  EXPECT_EQ(std::string(netc_so_last_error(nullptr, nullptr)),
            "netc: the model descriptor is NULL");
}

} // namespace
