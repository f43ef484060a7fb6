//===- OpInterfacesTest.cpp - every nn op states its knowledge ------------===//
//
// Passes ask ops through interfaces instead of listing them, so an op that
// lacks one is silently misjudged (a receptive field made global, a cost of
// one FLOP an element). This test walks every registered nn op and requires
// a shape rule, a receptive-field behaviour, a cost, and either a VJP or a
// mark saying why it has none.
//
//===----------------------------------------------------------------------===//

#include "ir/NNDialect.h"
#include "ir/NNOps.h"

#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace netc::nn;

namespace {

/// The registered operations of the nn dialect.
SmallVector<RegisteredOperationName> nnOps(MLIRContext &context) {
  context.loadDialect<NNDialect>();
  SmallVector<RegisteredOperationName> ops;
  for (RegisteredOperationName name : context.getRegisteredOperations())
    if (name.getDialectNamespace() == "nn")
      ops.push_back(name);
  return ops;
}

TEST(OpInterfacesTest, EveryOpStatesShapeFieldAndCost) {
  MLIRContext context;
  SmallVector<RegisteredOperationName> ops = nnOps(context);
  ASSERT_FALSE(ops.empty());
  for (RegisteredOperationName name : ops) {
    EXPECT_TRUE(name.hasInterface<ShapeInferenceOpInterface>()) << name.getStringRef().str();
    EXPECT_TRUE(name.hasInterface<ReceptiveFieldOpInterface>()) << name.getStringRef().str();
    EXPECT_TRUE(name.hasInterface<CostOpInterface>()) << name.getStringRef().str();
  }
}

TEST(OpInterfacesTest, EveryOpHasAVJPOrSaysWhyNot) {
  MLIRContext context;
  for (RegisteredOperationName name : nnOps(context)) {
    bool vjp = name.hasInterface<GradientOpInterface>();
    bool none = name.hasTrait<traits::NotDifferentiable>();
    bool composite = name.hasTrait<traits::Composite>();
    EXPECT_TRUE(vjp || none || composite) << name.getStringRef().str() << " has no VJP";
    EXPECT_FALSE(vjp && none) << name.getStringRef().str()
                              << " has a VJP but is marked NotDifferentiable";
  }
}

TEST(OpInterfacesTest, ElementwiseOpsJoinAndBackwardOpsAreGlobal) {
  MLIRContext context;
  nnOps(context);
  EXPECT_TRUE(RegisteredOperationName::lookup("nn.add", &context)->hasTrait<traits::Elementwise>());
  EXPECT_TRUE(RegisteredOperationName::lookup("nn.linear", &context)->hasTrait<traits::Global>());
  auto backward = RegisteredOperationName::lookup("nn.conv2d_backward_filter", &context);
  EXPECT_TRUE(backward->hasTrait<traits::Global>());
  EXPECT_TRUE(backward->hasTrait<traits::NotDifferentiable>());
  // conv_transpose2d decomposes into conv2d_backward_input, which therefore
  // has a VJP of its own.
  auto transposed = RegisteredOperationName::lookup("nn.conv2d_backward_input", &context);
  EXPECT_TRUE(transposed->hasTrait<traits::Global>());
  EXPECT_FALSE(transposed->hasTrait<traits::NotDifferentiable>());
}

} // namespace
