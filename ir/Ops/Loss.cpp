//===- Loss.cpp - losses of the nn dialect --------------------------------===//
//
// mse, bce, bce_logits, cross_entropy and nll_loss with mean reduction to a
// 0-d tensor and the stable forms of their gradients, kl_div's pointwise term,
// the composite losses (l1_loss, smooth_l1_loss, dice_loss: shape rules only)
// and the metrics (iou, dice, accuracy: no VJP): shape rules, VJPs and costs
// (ir/OpCost.h). In the VJPs g is the 0-d gradient of the loss. A loss
// reads every position, so a receptive field does not pass through
// (NN_Global).
//
//===----------------------------------------------------------------------===//

#include "ir/GradientBuilder.h"
#include "ir/OpCost.h"
#include "ir/OpShapes.h"

#include <fmt/format.h>

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

//===----------------------------------------------------------------------===//
// nll_loss, kl_div, the composite losses and the metrics
//===----------------------------------------------------------------------===//

/// Reports a shape rule's failure written for the op `ruleOf` under `op`'s name.
static LogicalResult checkRenamed(Operation *op, const shape::ShapeResult &r, StringRef ruleOf) {
  if (r)
    return success();
  StringRef message = r.message();
  if (!message.starts_with(ruleOf))
    return op->emitError(message);
  return op->emitError() << dslName(op) << message.drop_front(ruleOf.size());
}

/// The class-index shape rule of cross_entropy, its errors naming `op`.
static LogicalResult checkClassTargets(Operation *op, Value input, Value target) {
  return checkRenamed(op, shape::crossEntropy(shapeOf(input), shapeOf(target)), "cross_entropy");
}

/// mse's rule (broadcastable float operands, a 0-d result), errors naming `op`.
static LogicalResult inferBroadcastLoss(Operation *op, Value input, Value target,
                                        SmallVectorImpl<Type> &types) {
  if (failed(sameElementType(op, {input, target})) ||
      failed(checkRenamed(op, shape::mse(shapeOf(input), shapeOf(target)), "mse")))
    return failure();
  types.push_back(RankedTensorType::get({}, elementTypeOf(input)));
  return success();
}

/// Requires label_smoothing in [0, 1], as torch does.
static LogicalResult checkSmoothing(Operation *op, APFloat smoothing) {
  double s = smoothing.convertToDouble();
  if (s >= 0.0 && s <= 1.0)
    return success();
  return op->emitError() << dslName(op) << " expects label_smoothing in [0, 1], got "
                         << fmt::format("{}", s);
}

/// A 0-d result of `input`'s element type.
static LogicalResult pushScalar(Value input, SmallVectorImpl<Type> &types) {
  types.push_back(RankedTensorType::get({}, elementTypeOf(input)));
  return success();
}

//===--- nll_loss ---===//

LogicalResult NllLossOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  if (failed(checkClassTargets(*this, getInput(), getTarget())) ||
      failed(checkSmoothing(*this, getLabelSmoothing())))
    return failure();
  return pushScalar(getInput(), types);
}

FailureOr<SmallVector<Value>> NllLossOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  // The same attributes: the gradient needs the kept count and the smoothing.
  Value grad = gb.create<NllLossBackwardOp>({resultGrads[0], getInput(), getTarget()},
                                            (*this)->getAttrDictionary().getValue());
  return gb.finish({grad, Value()});
}

OpCost NllLossOp::getCost(function_ref<bool(Value)>) { return lossCost(*this, 2); }

//===--- nll_loss_backward ---===//

LogicalResult NllLossBackwardOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  if (failed(checkScalarGrad(*this, getGrad())) ||
      failed(sameElementType(*this, {getGrad(), getInput()})) ||
      failed(checkClassTargets(*this, getInput(), getTarget())) ||
      failed(checkSmoothing(*this, getLabelSmoothing())))
    return failure();
  types.push_back(getInput().getType());
  return success();
}

//===--- kl_div ---===//

LogicalResult KlDivOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  if (failed(sameElementType(*this, {getInput(), getTarget()})))
    return failure();
  return inferBroadcast(*this, getInput(), getTarget(), types);
}

FailureOr<SmallVector<Value>> KlDivOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  Value g = resultGrads[0], x = getInput(), t = getTarget();
  // PyTorch 1.13's derivatives: d/dinput = -w g with w = target (or
  // exp(target) with log_target); d/dtarget = g (log(target) + 1 - input),
  // or g exp(target) (target - input + 1) with log_target.
  Value w = getLogTarget() ? gb.create<ExpOp>({t}) : t;
  Value inputGrad = gb.neg(gb.mul(g, w));
  Value one = gb.scalar(t, 1.0);
  Value targetGrad = getLogTarget() ? gb.mul(gb.mul(g, w), gb.add(gb.sub(t, x), one))
                                    : gb.mul(g, gb.add(gb.sub(gb.create<LogOp>({t}), x), one));
  return gb.finish({gb.sumTo(inputGrad, x), gb.sumTo(targetGrad, t)});
}

OpCost KlDivOp::getCost(function_ref<bool(Value)>) { return lossCost(*this, 4); }

//===--- l1_loss, smooth_l1_loss ---===//

LogicalResult L1LossOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  return inferBroadcastLoss(*this, getInput(), getTarget(), types);
}

LogicalResult SmoothL1LossOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  if (!(getBeta().convertToDouble() >= 0.0))
    return emitError() << "smooth_l1_loss expects beta >= 0, got "
                       << fmt::format("{}", getBeta().convertToDouble());
  return inferBroadcastLoss(*this, getInput(), getTarget(), types);
}

//===--- dice_loss and the mask metrics ---===//

/// Two float operands of one shape and element type give a 0-d result.
static LogicalResult inferMaskPair(Operation *op, Value input, Value target,
                                   SmallVectorImpl<Type> &types) {
  if (failed(sameElementType(op, {input, target})))
    return failure();
  if (shapeOf(input) != shapeOf(target))
    return op->emitError() << dslName(op) << " expects input and target of one shape, got "
                           << shape::str(shapeOf(input)) << " and " << shape::str(shapeOf(target));
  return pushScalar(input, types);
}

LogicalResult DiceLossOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  if (!(getEps().convertToDouble() >= 0.0))
    return emitError() << "dice_loss expects eps >= 0, got "
                       << fmt::format("{}", getEps().convertToDouble());
  return inferMaskPair(*this, getInput(), getTarget(), types);
}

LogicalResult IouOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  return inferMaskPair(*this, getInput(), getTarget(), types);
}

/// A threshold and three counts per element.
OpCost IouOp::getCost(function_ref<bool(Value)>) { return lossCost(*this, 4); }

LogicalResult DiceOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  return inferMaskPair(*this, getInput(), getTarget(), types);
}

OpCost DiceOp::getCost(function_ref<bool(Value)>) { return lossCost(*this, 4); }

//===--- accuracy ---===//

LogicalResult AccuracyOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  if (failed(checkClassTargets(*this, getInput(), getTarget())))
    return failure();
  return pushScalar(getInput(), types);
}

/// A comparison per logit.
OpCost AccuracyOp::getCost(function_ref<bool(Value)>) { return lossCost(*this, 1); }
