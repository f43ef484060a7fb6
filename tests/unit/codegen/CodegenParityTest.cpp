//===- CodegenParityTest.cpp - compiled code against the interpreter ------===//
//
// Every op of DSL.md, alone or in a small model, and every example, compiled by Halide's JIT with
// the hand schedule (and, for a subset, with the naive schedule and an
// autoscheduler), must compute what the reference interpreter computes: the
// forward outputs and, for models with a loss, the whole train step (loss,
// outputs, gradients, updated parameters and optimizer state). Arguments are
// seeded (runtime/Init.h), so runs are reproducible.
//
// Tolerance: after dividing by the reference tensor's largest magnitude (at
// least 1), results agree to 1e-4 in f32 (summation order differs between
// the engines) and 1e-9 in f64.
//
//===----------------------------------------------------------------------===//

#include "codegen/Codegen.h"
#include "codegen/Register.h"
#include "frontend/Import.h"
#include "interp/Interpreter.h"
#include "interp/Kernels.h"
#include "interp/Model.h"
#include "ir/NNDialect.h"
#include "jit/JIT.h"
#include "passes/Passes.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace mlir;
using namespace netc;

namespace {

struct Case {
  const char *name;
  const char *source;
};

/// Names a case in GoogleTest's messages.
void PrintTo(const Case &c, std::ostream *os) { *os << c.name; }

/// Small models, one op (or one idea) each; those with a loss and an
/// optimizer also exercise their train step.
const Case kCases[] = {
    {"relu_sigmoid_tanh", R"(model m { input x: f32[3, 17]
       output a = relu(x); output b = sigmoid(x); output c = tanh(x) })"},
    {"exp_log_sqrt_neg", R"(model m { input x: f32[2, 9]
       output a = exp(x); output b = log(exp(x) + 1); output c = sqrt(exp(x)); output d = -x })"},
    {"leaky_relu", R"(model m { input x: f32[4, 5]; output a = leaky_relu(x, slope=0.2) })"},
    {"broadcast_arith", R"(model m { input x: f32[2, 3, 4]; input y: f32[3, 1]
       output a = x + y; output b = x - y; output c = x * y; output d = x / (y * y + 1) })"},
    {"conv2d", R"(model m { input x: f32[2, 3, 11, 9]
       output y = conv2d(x, out=4, kernel=[3, 2], stride=[2, 1], padding=[1, 0, 2, 1], dilation=[1, 2]) })"},
    {"conv2d_groups_same", R"(model m { input x: f32[1, 4, 8, 8]
       output y = conv2d(x, out=6, kernel=3, groups=2, padding="same", bias=false) })"},
    {"conv2d_unbatched", R"(model m { input x: f32[3, 7, 7]; output y = conv2d(x, out=2, kernel=3) })"},
    {"maxpool", R"(model m { input x: f32[1, 2, 9, 9]
       output a = maxpool2d(x, 3, stride=2, padding=1)
       output b = maxpool2d(x, 2, ceil_mode=true)
       output c = maxpool2d(x, 2, stride=1, dilation=2) })"},
    {"avgpool", R"(model m { input x: f32[1, 2, 9, 9]
       output a = avgpool2d(x, 3, stride=2, padding=1)
       output b = avgpool2d(x, 3, stride=2, padding=1, count_include_pad=false)
       output c = avgpool2d(x, 2, ceil_mode=true) })"},
    {"pad2d", R"(model m { input x: f32[1, 2, 5, 6]
       output a = pad2d(x, [1, 2, 0, 3], value=0.5); output b = pad2d(x, [-1, 1, 2, -2]) })"},
    {"linear_matmul", R"(model m { input x: f32[2, 3, 5]; input v: f32[5]; input w: f32[4, 5, 2]
       output a = linear(x, out=7); output b = matmul(x, v); output c = matmul(v, w)
       output d = matmul(v, v); output e = matmul(reshape(x, [2, 1, 3, 5]), w) })"},
    {"embedding", R"(model m { input i: i64[3, 4]; output e = embedding(i, num=10, dim=6) })"},
    {"softmax", R"(model m { input x: f32[3, 4, 5]
       output a = softmax(x); output b = log_softmax(x, dim=1); output c = softmax(x, dim=0) })"},
    {"shape_ops", R"(model m { input x: f32[2, 3, 4]; input y: f32[2, 2, 4]
       output a = flatten(x); output b = reshape(x, [4, -1]); output c = transpose(x, 0, 2)
       output d = concat([x, y, x], dim=1) })"},
    {"reductions", R"(model m { input x: f32[2, 3, 4]
       output a = sum(x); output b = mean(x, dim=1); output c = sum(x, dim=[0, 2], keepdim=true)
       output d = sqnorm(x) })"},
    {"dropout_inference", R"(model m { input x: f32[8, 8]; output y = dropout(x, 0.5) })"},
    // Train steps: every loss and both optimizers.
    {"train_mse_sgd", R"(model m { input x: f32[6, 5]; input t: f32[6, 2]
       h = tanh(linear(x, out=4)); output y = linear(h, out=2)
       loss mse(y, t); train sgd(lr=0.1, momentum=0.9, nesterov=true, weight_decay=0.01) })"},
    {"train_bce_adam", R"(model m { input x: f32[6, 5]; input t: f32[6, 1]
       p = sigmoid(linear(x, out=1, name="fc")); output p
       loss bce(p, t) + 0.01 * sqnorm(fc.weight); train adam(lr=0.01, weight_decay=0.1) })"},
    {"train_bce_logits", R"(model m { input x: f32[6, 5]; input t: f32[6, 3]
       loss bce_logits(linear(x, out=3), t); train sgd(lr=0.5) })"},
    {"train_cnn_ce", R"(model m { input x: f32[2, 1, 12, 12]; input t: i64[2]
       h = maxpool2d(relu(conv2d(x, out=3, kernel=3, padding=1)), 2)
       h = avgpool2d(leaky_relu(conv2d(h, out=4, kernel=3, stride=2, padding=1)), 3, stride=1, padding=1)
       output logits = linear(flatten(h), out=5)
       loss cross_entropy(logits, t); train adam(lr=0.001) })"},
    {"train_dropout_embedding", R"(model m { input i: i64[4, 3]; input t: f32[4, 3, 2]
       e = dropout(embedding(i, num=7, dim=5), 0.3)
       loss mse(linear(e, out=2), t); train sgd(lr=0.1) })"},
    {"train_residual_concat", R"(model m { input x: f32[1, 2, 6, 6]; input t: f32[1, 6, 6, 6]
       h = relu(conv2d(x, out=2, kernel=3, padding=1)) + x
       c = concat([h, pad2d(x, [1, -1, 0, 0]), transpose(x, 2, 3)], dim=1)
       loss mean((c - t) * (c - t)) + sum(softmax(c, dim=1)) * 0.1; train sgd(lr=0.1) })"},
    // The losses and metrics of frontend/ImportLoss.cpp, AdamW and RMSprop.
    {"train_nll_smooth_ignore_adamw", R"(model m { input x: f32[6, 5]; input t: i64[6]
       input t2: i32[2, 3, 3]; param z: f32[2, 4, 3, 3] init=uniform(-2, 2)
       output logits = linear(x, out=4); output a = accuracy(logits, t)
       l1 = nll_loss(log_softmax(logits, dim=1), t, ignore_index=1)
       l2 = cross_entropy(logits, t, label_smoothing=0.2)
       loss l1 + l2 + cross_entropy(z, t2, label_smoothing=0.1, ignore_index=0)
       train adamw(lr=0.01, weight_decay=0.1) })"},
    {"train_l1_kl_rmsprop", R"(model m { input x: f32[6, 5]; input y: f32[6, 3]
       h = linear(x, out=3); lp = log_softmax(h)
       output k = kl_div(lp, relu(y), reduction="none")
       l1 = l1_loss(h, y) + smooth_l1_loss(h, y, beta=0.5)
       loss l1 + kl_div(lp, relu(y), reduction="batchmean") + kl_div(lp, y, log_target=true)
       train rmsprop(lr=0.01, momentum=0.9, centered=true, weight_decay=0.01) })"},
    {"train_dice_rmsprop", R"(model m { input x: f32[2, 1, 6, 6]; input y: f32[2, 1, 6, 6]
       p = sigmoid(conv2d(x, out=1, kernel=3, padding=1)); t = relu(y) / y
       output i = iou(p, t); output d = dice(p, t)
       loss dice_loss(p, t) + kl_div(log(p), t, reduction="sum") * 0.01
       train rmsprop(lr=0.01) })"},
};

/// Every example of examples/; the CNN and the embedding (too large for the
/// interpreter) and mlpirate (whose 26-layer train step takes Halide minutes
/// to compile) as the small copies the gradient checks use.
const char *const kExampleFiles[] = {
    "examples/foo.net",          "examples/mlp2.net",
    "tests/lit/gradcheck/Inputs/mlpirate_small.net", "examples/dropout2.net",
    "examples/residual.net",     "examples/lenet.net",
    "tests/lit/gradcheck/Inputs/cnn_small.net",
    "tests/lit/gradcheck/Inputs/embedding_small.net"};

/// A module of one model, imported, with its train step when it trains.
OwningOpRef<ModuleOp> buildModule(MLIRContext &context, const char *source) {
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(llvm::MemoryBuffer::getMemBufferCopy(source, "case.net"),
                               llvm::SMLoc());
  OwningOpRef<ModuleOp> module = frontend::importNetFile(sourceMgr, context, {});
  if (!module)
    return nullptr;
  PassManager pm(&context);
  buildTrainPipeline(pm, /*gradInputs=*/false);
  if (failed(pm.run(*module)) || failed(prepareForCodegen(*module)))
    return nullptr;
  return module;
}

/// The largest difference between two tensors relative to the reference's scale.
double relativeError(const interp::Tensor &ref, const interp::Tensor &got) {
  double scale = 1, worst = 0;
  for (int64_t i = 0; i < ref.numel(); ++i)
    scale = std::max(scale, std::abs(ref.get(i)));
  for (int64_t i = 0; i < ref.numel(); ++i)
    worst = std::max(worst, std::abs(ref.get(i) - got.get(i)));
  return worst / scale;
}

/// Compiles every function of the case's module with `schedule` (and
/// `convAlgo`) and compares its results on seeded arguments with the
/// interpreter's.
void checkCase(const Case &c, const char *schedule,
               codegen::ConvAlgo convAlgo = codegen::ConvAlgo::Auto) {
  DialectRegistry registry;
  registry.insert<nn::NNDialect, func::FuncDialect, arith::ArithDialect>();
  codegen::registerHalideAlgorithms(registry);
  interp::registerInterpKernels(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  std::string diagnostics;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &d) {
    diagnostics += d.str() + "\n";
    return success();
  });
  OwningOpRef<ModuleOp> module = buildModule(context, c.source);
  ASSERT_TRUE(module) << diagnostics;
  for (auto func : module->getOps<func::FuncOp>()) {
    if (func.getNumResults() == 0)
      continue; // a model with only a loss: its train step is the test
    SCOPED_TRACE(func.getSymName().str() + " with the " + schedule + " schedule");
    FailureOr<SmallVector<interp::Tensor>> args =
        interp::makeArguments(func, /*seed=*/3, nullptr, /*dropoutSeed=*/11);
    ASSERT_TRUE(succeeded(args)) << diagnostics;
    FailureOr<SmallVector<interp::Tensor>> expected = interp::evaluate(func, *args, false);
    ASSERT_TRUE(succeeded(expected)) << diagnostics;
    codegen::CodegenOptions options{"host", schedule};
    options.convAlgo = convAlgo;
    auto jit = codegen::JITFunction::compile(func, options);
    ASSERT_TRUE(succeeded(jit)) << diagnostics;
    FailureOr<SmallVector<interp::Tensor>> got = (*jit)->run(*args);
    ASSERT_TRUE(succeeded(got)) << diagnostics;
    ASSERT_EQ(expected->size(), got->size());
    for (size_t i = 0; i < expected->size(); ++i) {
      bool f64 = (*expected)[i].type == interp::ElementType::F64;
      EXPECT_LE(relativeError((*expected)[i], (*got)[i]), f64 ? 1e-9 : 1e-4)
          << "result #" << i << " of " << func.getSymName().str();
    }
  }
}

class CodegenParity : public ::testing::TestWithParam<Case> {};

TEST_P(CodegenParity, HandScheduleMatchesInterpreter) { checkCase(GetParam(), "hand"); }

INSTANTIATE_TEST_SUITE_P(Ops, CodegenParity, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case> &info) {
                           return std::string(info.param.name);
                         });

class ExampleParity : public ::testing::TestWithParam<const char *> {};

TEST_P(ExampleParity, HandScheduleMatchesInterpreter) {
  std::string path = std::string(NETC_SOURCE_DIR) + "/" + GetParam();
  auto buffer = llvm::MemoryBuffer::getFile(path);
  ASSERT_TRUE(bool(buffer)) << path;
  std::string text = (*buffer)->getBuffer().str();
  checkCase(Case{GetParam(), text.c_str()}, "hand");
}

INSTANTIATE_TEST_SUITE_P(Examples, ExampleParity, ::testing::ValuesIn(kExampleFiles),
                         [](const ::testing::TestParamInfo<const char *> &info) {
                           std::string name = llvm::sys::path::stem(info.param).str();
                           for (char &c : name)
                             if (!isalnum(static_cast<unsigned char>(c)))
                               c = '_';
                           return name;
                         });

TEST(CodegenParitySchedules, NaiveAndAutoscheduledMatchInterpreter) {
  for (const Case &c : kCases) {
    std::string name = c.name;
    if (name != "conv2d" && name != "train_cnn_ce" && name != "train_bce_adam")
      continue;
    SCOPED_TRACE(name);
    checkCase(c, "naive");
    checkCase(c, "mullapudi2016");
  }
}

/// 3x3 stride-1 convolutions forced to Winograd's F(2x2, 3x3) and F(4x4,
/// 3x3): forward and train step (whose input gradients are such
/// convolutions too), sizes that are no whole number of tiles, padding 0 and
/// 1, batch 1 and 2, f32 and f64 (to 1e-9: the transforms are exact but for
/// rounding).
const Case kWinogradCases[] = {
    {"winograd_f32", R"(model m { input x: f32[2, 3, 9, 11]; input t: f32[2, 5, 7, 9]
       h = relu(conv2d(x, out=6, kernel=3, padding=1))
       output y = conv2d(h, out=5, kernel=3)
       loss mse(y, t); train sgd(lr=0.1) })"},
    {"winograd_f64", R"(model m { input x: f64[1, 4, 6, 5]; input t: f64[1, 3, 6, 5]
       h = relu(conv2d(x, out=5, kernel=3, padding=1))
       output y = conv2d(h, out=3, kernel=3, padding=1, bias=false)
       loss mse(y, t); train sgd(lr=0.1) })"},
};

TEST(CodegenParityWinograd, ForcedWinogradMatchesInterpreter) {
  for (const Case &c : kWinogradCases)
    for (codegen::ConvAlgo algo : {codegen::ConvAlgo::Winograd2, codegen::ConvAlgo::Winograd4}) {
      SCOPED_TRACE(std::string(c.name) +
                   (algo == codegen::ConvAlgo::Winograd2 ? " F(2x2,3x3)" : " F(4x4,3x3)"));
      checkCase(c, "hand", algo);
    }
}

} // namespace
