//===- CApiTest.cpp - the checks behind every generated C API -------------===//
//
// A two-tensor model whose "compiled" forward function is a stub drives
// runtime/CApi.h: NULL contexts and arrays, wrong buffer sizes, destroyed
// and foreign contexts, double destroy, the per-thread last error, and
// Halide messages recorded per calling thread.
//
//===----------------------------------------------------------------------===//

#include "runtime/CApi.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

using namespace netc::runtime;

// The unit tests link no Halide runtime (generated objects carry one): these
// stand-ins give the runtime the four functions it calls.
extern "C" {
typedef void (*ErrorHandler)(void *, const char *);
static ErrorHandler installedHandler = nullptr;
static std::atomic<int> handlerInstalls{0};
ErrorHandler halide_set_error_handler(ErrorHandler handler) {
  ++handlerInstalls;
  ErrorHandler old = installedHandler;
  installedHandler = handler;
  return old;
}
int halide_set_num_threads(int n) { return n; }
int halide_device_free(void *, void *) { return 0; }
}

namespace {

/// What the stub forward function of the current thread reports.
thread_local const char *stubMessage = nullptr;

/// The model's forward function: fails with `stubMessage` when set.
int stubForward(void **) {
  if (!stubMessage)
    return 0;
  installedHandler(nullptr, stubMessage);
  return -1;
}

const int64_t kShapeX[] = {2, 3};
const int64_t kShapeY[] = {4};
const netc_tensor kInputs[] = {{"x", NETC_F32, 2, kShapeX, NETC_INIT_UNIFORM, -1, 1, 0}};
const netc_tensor kOutputs[] = {{"y", NETC_F64, 1, kShapeY, NETC_INIT_CONSTANT, 0, 0, 0}};
const netc_slot kSlots[] = {{NETC_SLOT_INPUT, 0}, {NETC_SLOT_OUTPUT, 0}};
/// A one-input, one-output model without loss, named `name`.
netc_model makeModel(const char *name) {
  netc_model m{};
  m.name = name;
  m.num_inputs = m.num_outputs = 1;
  m.inputs = kInputs;
  m.outputs = kOutputs;
  m.forward = stubForward;
  m.num_forward_slots = 2;
  m.forward_slots = kSlots;
  return m;
}
const netc_model kModel = makeModel("toy");
const netc_model kOther = makeModel("other");

struct Buffers {
  float x[6] = {};
  double y[4] = {};
  const void *inputs[1] = {x};
  size_t inputBytes[1] = {sizeof x};
  void *outputs[1] = {y};
  size_t outputBytes[1] = {sizeof y};
};

std::string threadError() { return capi::lastError(kModel, nullptr); }

TEST(CApiTest, ForwardChecksEveryArgument) {
  void *ctx = capi::create(kModel, 1);
  ASSERT_NE(ctx, nullptr);
  EXPECT_TRUE(capi::isLive(ctx));
  Buffers b;
  EXPECT_EQ(capi::forward(kModel, ctx, b.inputs, b.inputBytes, b.outputs, b.outputBytes), 0);
  EXPECT_STREQ(capi::lastError(kModel, ctx), "");

  EXPECT_EQ(capi::forward(kModel, nullptr, b.inputs, b.inputBytes, b.outputs, b.outputBytes), -1);
  EXPECT_EQ(threadError(), "toy_forward: the context is NULL");

  auto expectError = [&](int rc, const std::string &message) {
    EXPECT_EQ(rc, -1);
    EXPECT_EQ(std::string(capi::lastError(kModel, ctx)), message);
  };
  expectError(capi::forward(kModel, ctx, nullptr, b.inputBytes, b.outputs, b.outputBytes),
              "toy_forward: inputs is NULL (model 'toy' has 1 input)");
  expectError(capi::forward(kModel, ctx, b.inputs, nullptr, b.outputs, b.outputBytes),
              "toy_forward: input_bytes is NULL (model 'toy' has 1 input)");
  expectError(capi::forward(kModel, ctx, b.inputs, b.inputBytes, nullptr, b.outputBytes),
              "toy_forward: outputs is NULL (model 'toy' has 1 output)");
  size_t small[1] = {sizeof b.x - 4};
  expectError(capi::forward(kModel, ctx, b.inputs, small, b.outputs, b.outputBytes),
              "toy_forward: input 'x' (f32[2, 3], inputs[0]) needs 24 bytes, got 20");
  size_t large[1] = {sizeof b.y * 2};
  expectError(capi::forward(kModel, ctx, b.inputs, b.inputBytes, b.outputs, large),
              "toy_forward: output 'y' (f64[4], outputs[0]) needs 32 bytes, got 64");
  const void *nullInput[1] = {nullptr};
  expectError(capi::forward(kModel, ctx, nullInput, b.inputBytes, b.outputs, b.outputBytes),
              "toy_forward: input 'x' (f32[2, 3], inputs[0]) is NULL");
  expectError(capi::trainStep(kModel, ctx, b.inputs, b.inputBytes, nullptr),
              "model 'toy' has no loss, so it has no train step");
  expectError(capi::loadWeights(kModel, ctx, nullptr), "toy_load_weights: the path is NULL");
  expectError(capi::saveWeights(kModel, ctx, nullptr), "toy_save_weights: the path is NULL");
  EXPECT_EQ(capi::loadWeights(kModel, ctx, "/dev/zero"), -1);
  EXPECT_NE(std::string(capi::lastError(kModel, ctx)).find("not a regular file"),
            std::string::npos);
  EXPECT_EQ(capi::tensorBytes(kModel.inputs, 1, 0), 24u);
  EXPECT_EQ(capi::tensorBytes(kModel.inputs, 1, 1), 0u);
  EXPECT_EQ(capi::tensorBytes(kModel.inputs, 1, -1), 0u);
  capi::destroy(kModel, ctx);
}

TEST(CApiTest, DestroyedAndForeignContextsAreRefused) {
  void *ctx = capi::create(kModel, 1);
  ASSERT_NE(ctx, nullptr);
  Buffers b;
  EXPECT_EQ(capi::forward(kOther, ctx, b.inputs, b.inputBytes, b.outputs, b.outputBytes), -1);
  EXPECT_EQ(std::string(capi::lastError(kOther, nullptr)),
            "other_forward: the context belongs to model 'toy'");
  // A foreign context's own message is not reachable through another model.
  EXPECT_EQ(std::string(capi::lastError(kOther, ctx)),
            "other_forward: the context belongs to model 'toy'");
  capi::destroy(kOther, ctx);
  EXPECT_TRUE(capi::isLive(ctx));

  capi::destroy(kModel, ctx);
  EXPECT_FALSE(capi::isLive(ctx));
  EXPECT_EQ(capi::forward(kModel, ctx, b.inputs, b.inputBytes, b.outputs, b.outputBytes), -1);
  EXPECT_EQ(threadError(), "toy_forward: the context is not live (destroyed already, or not made "
                           "by toy_create)");
  EXPECT_EQ(capi::saveWeights(kModel, ctx, "/tmp/never-written"), -1);
  // A second destroy is a no-op that says why.
  capi::destroy(kModel, ctx);
  EXPECT_NE(threadError().find("toy_destroy: the context is not live"), std::string::npos);
  // So is a pointer that never was a context, and NULL is ignored.
  int notAContext = 0;
  capi::destroy(kModel, &notAContext);
  EXPECT_NE(threadError().find("toy_destroy: the context is not live"), std::string::npos);
  EXPECT_EQ(std::string(capi::lastError(kModel, &notAContext)), threadError());
  capi::destroy(kModel, nullptr);
  EXPECT_EQ(capi::setNumThreads(kModel, -3), -1);
  EXPECT_EQ(threadError(), "toy_set_num_threads: the number of threads must be at least 0, got -3");
}

TEST(CApiTest, ThreadErrorsAndHalideMessagesStayWithTheirThread) {
  constexpr int kThreads = 8;
  std::vector<std::string> seen(kThreads), own(kThreads);
  std::vector<std::thread> threads;
  std::atomic<int> ready{0};
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      std::string message = "failure of thread " + std::to_string(t);
      // Creation races on installing Halide's error handler: it happens once.
      void *ctx = capi::create(kModel, t);
      ++ready;
      while (ready < kThreads)
        std::this_thread::yield();
      Buffers b;
      for (int i = 0; i < 200; ++i) {
        stubMessage = message.c_str();
        capi::forward(kModel, ctx, b.inputs, b.inputBytes, b.outputs, b.outputBytes);
        std::string error = capi::lastError(kModel, ctx);
        if (error.find(message) == std::string::npos || seen[t].empty())
          seen[t] = error;
        capi::forward(kModel, nullptr, nullptr, nullptr, nullptr, nullptr);
      }
      stubMessage = nullptr;
      own[t] = capi::lastError(kModel, nullptr);
      capi::destroy(kModel, ctx);
    });
  for (std::thread &t : threads)
    t.join();
  EXPECT_EQ(handlerInstalls.load(), 1);
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(seen[t], "model 'toy': the compiled forward function failed (Halide error -1): "
                       "failure of thread " +
                           std::to_string(t));
    EXPECT_EQ(own[t], "toy_forward: the context is NULL");
  }
}

} // namespace
