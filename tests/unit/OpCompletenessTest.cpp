//===- OpCompletenessTest.cpp - every nn op reaches every backend ---------===//
//
// The dialect promises a Halide algorithm and an interpreter kernel for each
// op; the backends attach them as external models. This test registers both
// backends as netc does and requires, for every registered nn op, the pieces
// that ir/ cannot check on its own (tests/unit/ir/OpInterfacesTest.cpp checks
// the rest): a primitive op has an algorithm and a kernel, a composite op has
// a decomposition pattern and neither (no backend may ever see it). An op
// that misses one fails here rather than in a user's compile.
//
//===----------------------------------------------------------------------===//

#include "codegen/Register.h"
#include "interp/Kernels.h"
#include "ir/CodegenInterface.h"
#include "ir/InterpInterface.h"
#include "ir/NNDialect.h"
#include "ir/NNOps.h"
#include "passes/Passes.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/DenseSet.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace netc;

namespace {

/// A context with the nn dialect and both backends, as netc builds it.
std::unique_ptr<MLIRContext> contextWithBackends() {
  DialectRegistry registry;
  registry.insert<nn::NNDialect, func::FuncDialect, arith::ArithDialect>();
  codegen::registerHalideAlgorithms(registry);
  interp::registerInterpKernels(registry);
  auto context = std::make_unique<MLIRContext>(registry);
  context->loadAllAvailableDialects();
  return context;
}

/// The registered operations of the nn dialect.
SmallVector<RegisteredOperationName> nnOps(MLIRContext &context) {
  SmallVector<RegisteredOperationName> ops;
  for (RegisteredOperationName name : context.getRegisteredOperations())
    if (name.getDialectNamespace() == "nn")
      ops.push_back(name);
  return ops;
}

TEST(OpCompletenessTest, PrimitiveOpsHaveAnAlgorithmAndAKernel) {
  std::unique_ptr<MLIRContext> context = contextWithBackends();
  SmallVector<RegisteredOperationName> ops = nnOps(*context);
  ASSERT_GT(ops.size(), 40u);
  for (RegisteredOperationName name : ops) {
    if (name.hasTrait<nn::traits::Composite>())
      continue;
    EXPECT_TRUE(name.hasInterface<nn::HalideAlgorithmOpInterface>())
        << name.getStringRef().str() << " has no Halide algorithm";
    EXPECT_TRUE(name.hasInterface<nn::InterpKernelOpInterface>())
        << name.getStringRef().str() << " has no interpreter kernel";
  }
}

TEST(OpCompletenessTest, CompositeOpsDecomposeAndNothingElse) {
  std::unique_ptr<MLIRContext> context = contextWithBackends();
  RewritePatternSet patterns(context.get());
  populateDecompositionPatterns(patterns);
  llvm::DenseSet<OperationName> decomposed;
  for (const std::unique_ptr<RewritePattern> &pattern : patterns.getNativePatterns())
    if (std::optional<OperationName> root = pattern->getRootKind())
      decomposed.insert(*root);
  unsigned composites = 0;
  for (RegisteredOperationName name : nnOps(*context)) {
    bool composite = name.hasTrait<nn::traits::Composite>();
    composites += composite;
    EXPECT_EQ(composite, decomposed.contains(name))
        << name.getStringRef().str()
        << (composite ? " is composite but has no decomposition pattern"
                      : " has a decomposition pattern but is not marked composite");
    if (!composite)
      continue;
    EXPECT_FALSE(name.hasInterface<nn::HalideAlgorithmOpInterface>())
        << name.getStringRef().str() << " is composite: no backend may lower it";
    EXPECT_FALSE(name.hasInterface<nn::InterpKernelOpInterface>())
        << name.getStringRef().str() << " is composite: no backend may evaluate it";
  }
  EXPECT_GE(composites, 2u);
}

} // namespace
