//===- SignatureTest.cpp - the roles of a model function's values ---------===//
//
// ir/Signature.h reads the nn.* role attributes of arguments and results:
// roles, names, fallbacks, precedence, the function marks and the name
// limits the dialect's verifier applies.
//
//===----------------------------------------------------------------------===//

#include "ir/NNDialect.h"
#include "ir/Names.h"
#include "ir/Signature.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace netc::nn;

namespace {

/// A train step with every role, written as netc prints it.
constexpr const char *kStep = R"mlir(
func.func @step(%x: tensor<4xf32> {nn.input = "x"},
                %w: tensor<4xf32> {nn.init = {dist = "constant", value = 0.0 : f64}, nn.param = "w"},
                %s: i64 {nn.seed},
                %m: tensor<4xf32> {nn.state = "w.m"},
                %b: tensor<4xf32> {nn.buffer = "mean"},
                %o: tensor<4xf32>)
    -> (tensor<f32> {nn.loss = "l"}, tensor<4xf32> {nn.output = "y"},
        tensor<4xf32> {nn.grad = "w"}, tensor<4xf32> {nn.grad_input = "x"},
        tensor<4xf32> {nn.param_update = "w"}, tensor<4xf32> {nn.state = "w.m"},
        tensor<4xf32> {nn.buffer_update = "mean"}, tensor<4xf32>)
    attributes {nn.train_step_of = "fwd"} {
  %l = arith.constant dense<0.0> : tensor<f32>
  return %l, %x, %w, %x, %w, %m, %b, %o
      : tensor<f32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>,
        tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}
)mlir";

class SignatureTest : public ::testing::Test {
protected:
  void SetUp() override {
    context.loadDialect<NNDialect, func::FuncDialect, arith::ArithDialect>();
    module = parseSourceString<ModuleOp>(kStep, &context);
    ASSERT_TRUE(module);
    fn = *module->getOps<func::FuncOp>().begin();
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
  func::FuncOp fn;
};

TEST_F(SignatureTest, DescribesArguments) {
  SmallVector<ArgInfo> args = describeArguments(fn);
  ASSERT_EQ(args.size(), 6u);
  const std::pair<ArgRole, const char *> want[] = {
      {ArgRole::Input, "x"},    {ArgRole::Param, "w"},     {ArgRole::Seed, "seed"},
      {ArgRole::State, "w.m"},  {ArgRole::Buffer, "mean"}, {ArgRole::Other, "arg#5"}};
  for (auto [info, expected] : llvm::zip_equal(args, want)) {
    EXPECT_EQ(info.role, expected.first) << "argument " << info.index;
    EXPECT_EQ(info.name, expected.second) << "argument " << info.index;
    EXPECT_EQ(argRole(fn, info.index), expected.first);
  }
}

TEST_F(SignatureTest, DescribesResults) {
  SmallVector<ResultInfo> results = describeResults(fn);
  ASSERT_EQ(results.size(), 8u);
  const std::pair<ResultRole, const char *> want[] = {
      {ResultRole::Loss, "l"},          {ResultRole::Output, "y"},
      {ResultRole::Grad, "w"},          {ResultRole::GradInput, "x"},
      {ResultRole::ParamUpdate, "w"},   {ResultRole::State, "w.m"},
      {ResultRole::BufferUpdate, "mean"}, {ResultRole::Other, "result#7"}};
  for (auto [info, expected] : llvm::zip_equal(results, want)) {
    EXPECT_EQ(info.role, expected.first) << "result " << info.index;
    EXPECT_EQ(info.name, expected.second) << "result " << info.index;
    EXPECT_EQ(resultRole(fn, info.index), expected.first);
  }
}

TEST_F(SignatureTest, Accessors) {
  EXPECT_EQ(argName(fn, 4, ArgRole::Buffer).getValue(), "mean");
  EXPECT_FALSE(argName(fn, 4, ArgRole::Param));
  EXPECT_FALSE(argName(fn, 2, ArgRole::Seed)) << "the seed is a unit attribute";
  EXPECT_EQ(resultName(fn, 6, ResultRole::BufferUpdate).getValue(), "mean");
  EXPECT_TRUE(isParam(fn.getArgument(1)));
  EXPECT_TRUE(isInput(fn.getArgument(0)));
  EXPECT_FALSE(isParam(fn.getArgument(0)));
  EXPECT_EQ(argName(fn.getArgument(1), ArgRole::Param).getValue(), "w");
  ASSERT_TRUE(paramInit(fn, 1));
  EXPECT_FALSE(paramInit(fn, 0));
  EXPECT_EQ(trainStepOf(fn).getValue(), "fwd");
  EXPECT_FALSE(optimizerOf(fn));
}

TEST_F(SignatureTest, AttributeNamesAreTheDialects) {
  EXPECT_EQ(roleAttrName(ArgRole::Buffer), "nn.buffer");
  EXPECT_EQ(roleAttrName(ArgRole::Param), NNDialect::ParamAttrHelper::getNameStr());
  EXPECT_EQ(roleAttrName(ResultRole::BufferUpdate), "nn.buffer_update");
  EXPECT_EQ(roleAttrName(ResultRole::GradInput), "nn.grad_input");
  EXPECT_TRUE(roleAttrName(ArgRole::Other).empty());
  EXPECT_TRUE(roleAttrName(ResultRole::Other).empty());
}

TEST_F(SignatureTest, RoleAttrBuildsWhatTheReaderReads) {
  NamedAttribute buffer = roleAttr(&context, ArgRole::Buffer, "bn.mean");
  EXPECT_EQ(buffer.getName(), "nn.buffer");
  EXPECT_EQ(cast<StringAttr>(buffer.getValue()).getValue(), "bn.mean");
  EXPECT_TRUE(isa<UnitAttr>(roleAttr(&context, ArgRole::Seed).getValue()));
  EXPECT_EQ(roleAttr(&context, ResultRole::Loss, "l").getName(), "nn.loss");
}

TEST_F(SignatureTest, FirstRoleWins) {
  // An argument marked both input and param is an input, as it always was.
  fn.setArgAttr(5, "nn.param", StringAttr::get(&context, "p"));
  fn.setArgAttr(5, "nn.input", StringAttr::get(&context, "i"));
  EXPECT_EQ(argRole(fn, 5), ArgRole::Input);
  EXPECT_EQ(describeArguments(fn)[5].name, "i");
  EXPECT_EQ(argName(fn, 5, ArgRole::Param).getValue(), "p");
}

TEST(SignatureLimits, UserAndDerivedNames) {
  EXPECT_EQ(nameLimit("nn.param"), netc::kMaxNameBytes);
  EXPECT_EQ(nameLimit("nn.buffer"), netc::kMaxNameBytes);
  EXPECT_EQ(nameLimit("nn.loss"), netc::kMaxNameBytes);
  EXPECT_EQ(nameLimit("nn.state"), netc::kMaxDerivedNameBytes);
  EXPECT_EQ(nameLimit("nn.buffer_update"), netc::kMaxDerivedNameBytes);
  EXPECT_EQ(nameLimit("nn.train_step_of"), netc::kMaxDerivedNameBytes);
  EXPECT_EQ(nameLimit("nn.seed"), 0u);
  EXPECT_EQ(nameLimit("nn.init"), 0u);
  EXPECT_EQ(nameLimit("nn.optimizer"), 0u);
}

} // namespace
