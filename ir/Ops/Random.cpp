//===- Random.cpp - seeded random tensors of nn ---------------------------===//
//
// rand and randn: the shape rule (the operand's type), the VJP (none: the
// values depend on the operand's shape only) and the cost.
//
//===----------------------------------------------------------------------===//

#include "ir/NNOps.h"
#include "ir/OpCost.h"

using namespace mlir;
using namespace netc::nn;

namespace {

/// FLOPs per element: a few integer operations for one 64-bit word; randn
/// mixes two words and calls log, sqrt and cos.
constexpr int64_t kUniformFlops = 4;
constexpr int64_t kNormalFlops = 30;

/// The gradient of a draw: nothing reaches its operand (whose values it
/// never reads) or its seed. Autodiff goes on past it, it is no error.
FailureOr<SmallVector<Value>> noGradient() { return SmallVector<Value>{Value(), Value()}; }

/// A draw has its operand's type.
LogicalResult drawType(Value input, SmallVectorImpl<Type> &types) {
  types.push_back(input.getType());
  return success();
}

/// `flops` per element; nothing is kept for the backward pass.
OpCost drawCost(Value result, int64_t flops) {
  return cost::perElement(cost::elements(result), flops);
}

} // namespace

//===--- rand ---===//

LogicalResult RandOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  return drawType(getInput(), types);
}
FailureOr<SmallVector<Value>> RandOp::buildVJP(OpBuilder &, ValueRange) { return noGradient(); }
OpCost RandOp::getCost(function_ref<bool(Value)>) { return drawCost(getResult(), kUniformFlops); }

//===--- randn ---===//

LogicalResult RandnOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  return drawType(getInput(), types);
}
FailureOr<SmallVector<Value>> RandnOp::buildVJP(OpBuilder &, ValueRange) { return noGradient(); }
OpCost RandnOp::getCost(function_ref<bool(Value)>) { return drawCost(getResult(), kNormalFlops); }
