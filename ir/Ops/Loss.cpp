//===- Loss.cpp - losses of the nn dialect --------------------------------===//
//
// mse, bce, bce_logits and cross_entropy, all with mean reduction to a 0-d
// tensor, and the stable forms of their gradients: shape rules, VJPs and
// costs (ir/OpCost.h). In the VJPs g is the 0-d gradient of the loss. A loss
// reads every position, so a receptive field does not pass through
// (NN_Global).
//
//===----------------------------------------------------------------------===//

#include "ir/GradientBuilder.h"
#include "ir/OpCost.h"
#include "ir/OpShapes.h"

using namespace mlir;
using namespace netc::nn;
using namespace netc::nn::detail;
namespace shape = netc::shape;

/// Losses with a float target of compatible shape give a 0-d tensor.
static LogicalResult inferFloatLoss(Operation *op, Value input, Value target,
                                    shape::ShapeResult (*rule)(const shape::Shape &,
                                                               const shape::Shape &),
                                    SmallVectorImpl<Type> &types) {
  if (failed(sameElementType(op, {input, target})))
    return failure();
  return pushResult(op, rule(shapeOf(input), shapeOf(target)), elementTypeOf(input), types);
}

/// The number of elements of a statically shaped value.
static double numElements(Value v) {
  double n = 1;
  for (int64_t d : staticShape(v))
    n *= static_cast<double>(d);
  return n;
}

/// `flops` per element of the larger operand; the gradients read both operands.
static OpCost lossCost(Operation *op, int64_t flops) {
  return cost::perElement(cost::largestOperand(op), flops, llvm::to_vector(op->getOperands()));
}

/// Requires the 0-d gradient of a loss.
static LogicalResult checkScalarGrad(Operation *op, Value grad) {
  if (!shapeOf(grad).empty())
    return op->emitError() << dslName(op) << " expects the 0-d gradient of the loss, got "
                           << shape::str(shapeOf(grad));
  return success();
}

//===--- mse ---===//

LogicalResult MseOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  return inferFloatLoss(*this, getInput(), getTarget(), shape::mse, types);
}

FailureOr<SmallVector<Value>> MseOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  // mse_loss_backward: (2 / numel) * (a - b) * g over the broadcast shape;
  // the target's gradient is its negation.
  Value diff = gb.sub(getInput(), getTarget());
  Value grad = gb.mul(gb.mul(diff, gb.scalar(diff, 2.0 / numElements(diff))), resultGrads[0]);
  return gb.finish({gb.sumTo(grad, getInput()), gb.neg(gb.sumTo(grad, getTarget()))});
}

/// Subtract and multiply-add per element.
OpCost MseOp::getCost(function_ref<bool(Value)>) { return lossCost(*this, 3); }

//===--- bce ---===//

LogicalResult BceOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  return inferFloatLoss(*this, getInput(), getTarget(), shape::bce, types);
}

FailureOr<SmallVector<Value>> BceOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  Value g = resultGrads[0], p = getInput();
  // The input's gradient in the clamped form has its own op. The target's is
  // binary_cross_entropy_target_backward: -logit(p) * g / numel.
  Value logit = gb.create<LogOp>({gb.div(p, gb.sub(gb.scalar(p, 1.0), p))});
  Value targetGrad = gb.div(gb.mul(gb.neg(logit), g), gb.scalar(p, numElements(p)));
  return gb.finish({gb.create<BceBackwardOp>({g, p, getTarget()}), targetGrad});
}

OpCost BceOp::getCost(function_ref<bool(Value)>) { return lossCost(*this, 5); }

//===--- bce_logits ---===//

LogicalResult BceLogitsOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  return inferFloatLoss(*this, getInput(), getTarget(), shape::bceLogits, types);
}

FailureOr<SmallVector<Value>> BceLogitsOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  // binary_cross_entropy_with_logits_backward: (sigmoid(z) - y) * g / numel;
  // the target's: -z * g / numel.
  Value g = resultGrads[0], z = getInput();
  Value count = gb.scalar(z, numElements(z));
  Value inputGrad = gb.div(gb.mul(gb.sub(gb.create<SigmoidOp>({z}), getTarget()), g), count);
  Value targetGrad = gb.div(gb.mul(gb.neg(z), g), count);
  return gb.finish({inputGrad, targetGrad});
}

OpCost BceLogitsOp::getCost(function_ref<bool(Value)>) { return lossCost(*this, 5); }

//===--- cross_entropy ---===//

LogicalResult CrossEntropyOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  return pushResult(*this, shape::crossEntropy(shapeOf(getInput()), shapeOf(getTarget())),
                    elementTypeOf(getInput()), types);
}

FailureOr<SmallVector<Value>> CrossEntropyOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  // Class indices are not differentiable.
  return gb.finish(
      {gb.create<CrossEntropyBackwardOp>({resultGrads[0], getInput(), getTarget()}), Value()});
}

OpCost CrossEntropyOp::getCost(function_ref<bool(Value)>) { return lossCost(*this, 5); }

//===--- bce_backward ---===//

LogicalResult BceBackwardOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  if (failed(checkScalarGrad(*this, getGrad())) ||
      failed(sameElementType(*this, {getGrad(), getInput()})))
    return failure();
  return inferSameShape(*this, {getInput(), getTarget()}, types);
}

//===--- cross_entropy_backward ---===//

LogicalResult CrossEntropyBackwardOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  if (failed(checkScalarGrad(*this, getGrad())) ||
      failed(sameElementType(*this, {getGrad(), getInput()})))
    return failure();
  shape::ShapeResult r = shape::crossEntropy(shapeOf(getInput()), shapeOf(getTarget()));
  if (!r)
    return emitError(r.message());
  types.push_back(getInput().getType());
  return success();
}
