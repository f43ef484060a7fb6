//===- Reduction.cpp - reductions of the nn dialect -----------------------===//
//
// sum, mean, sqnorm, softmax and log_softmax, and sum_to: shape rules,
// receptive-field rules, VJPs and costs (ir/OpCost.h). A reduction or a
// softmax along a non-spatial axis keeps each position's receptive field;
// along a spatial axis, or over all axes, it makes it global.
//
//===----------------------------------------------------------------------===//

#include "ir/GradientBuilder.h"
#include "ir/OpCost.h"
#include "ir/OpShapes.h"

using namespace mlir;
using namespace netc::nn;
using namespace netc::nn::detail;
namespace shape = netc::shape;

/// sum and mean reduce the listed axes, or all of them.
static LogicalResult inferReduce(Operation *op, Value input, std::optional<ArrayRef<int64_t>> dims,
                                 bool keepdim, SmallVectorImpl<Type> &types) {
  std::vector<int64_t> axes;
  if (dims)
    axes.assign(dims->begin(), dims->end());
  std::string name = dslName(op).str();
  return pushResult(op,
                    shape::reduce(shapeOf(input), dims ? &axes : nullptr, keepdim, name.c_str()),
                    elementTypeOf(input), types);
}

/// A reduction keeps receptive fields when it lists its axes and none is spatial.
static ReceptiveFieldRule reduceRule(Value input, std::optional<ArrayRef<int64_t>> dims) {
  int64_t rank = rankOf(input);
  return ReceptiveFieldRule::passThroughIf(
      dims && !dims->empty() &&
      llvm::none_of(*dims, [&](int64_t d) { return isSpatialAxis(d, rank); }));
}

//===--- sum ---===//

LogicalResult SumOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  return inferReduce(*this, getInput(), getDims(), getKeepdim(), types);
}

ReceptiveFieldRule SumOp::getReceptiveFieldRule() { return reduceRule(getInput(), getDims()); }

FailureOr<SmallVector<Value>> SumOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  return gb.finish({gb.unreduce(resultGrads[0], staticShape(getInput()), getDims(), getKeepdim(),
                                /*mean=*/false)});
}

/// One addition per input element.
OpCost SumOp::getCost(function_ref<bool(Value)>) {
  return cost::perElement(cost::elements(getInput()), 1);
}

//===--- mean ---===//

LogicalResult MeanOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  return inferReduce(*this, getInput(), getDims(), getKeepdim(), types);
}

ReceptiveFieldRule MeanOp::getReceptiveFieldRule() { return reduceRule(getInput(), getDims()); }

FailureOr<SmallVector<Value>> MeanOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  return gb.finish({gb.unreduce(resultGrads[0], staticShape(getInput()), getDims(), getKeepdim(),
                                /*mean=*/true)});
}

/// One addition per input element.
OpCost MeanOp::getCost(function_ref<bool(Value)>) {
  return cost::perElement(cost::elements(getInput()), 1);
}

//===--- sqnorm ---===//

LogicalResult SqNormOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  types.push_back(RankedTensorType::get({}, elementTypeOf(getInput())));
  return success();
}

FailureOr<SmallVector<Value>> SqNormOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  // d/dx sum(x^2) = 2 x, times the 0-d g (broadcast).
  Value x = getInput();
  return gb.finish({gb.mul(gb.mul(gb.scalar(x, 2.0), x), resultGrads[0])});
}

/// A multiply-add per input element; the gradient reads the input.
OpCost SqNormOp::getCost(function_ref<bool(Value)>) {
  return cost::perElement(cost::elements(getInput()), 2, {getInput()});
}

//===--- softmax ---===//

LogicalResult SoftmaxOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  return pushResult(*this, shape::softmax(shapeOf(getInput()), getDim(), "softmax"),
                    elementTypeOf(getInput()), types);
}

/// Normalising along a spatial axis mixes the positions of that axis.
ReceptiveFieldRule SoftmaxOp::getReceptiveFieldRule() {
  return ReceptiveFieldRule::passThroughIf(!isSpatialAxis(getDim(), rankOf(getInput())));
}

FailureOr<SmallVector<Value>> SoftmaxOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  // _softmax_backward_data: y * (g - sum(g * y, dim, keepdim)).
  Value g = resultGrads[0], y = getResult();
  Value dot =
      gb.create<SumOp>({gb.mul(g, y)}, {gb.i64Array("dims", {static_cast<int64_t>(getDim())}),
                                        gb.boolean("keepdim", true)});
  return gb.finish({gb.mul(y, gb.sub(g, dot))});
}

/// Max, subtract, exp, sum and normalise per element; the gradient reads the result.
OpCost SoftmaxOp::getCost(function_ref<bool(Value)>) {
  return cost::perElement(cost::elements(getResult()), 5, {getResult()});
}

//===--- log_softmax ---===//

LogicalResult LogSoftmaxOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  return pushResult(*this, shape::softmax(shapeOf(getInput()), getDim(), "log_softmax"),
                    elementTypeOf(getInput()), types);
}

/// As softmax.
ReceptiveFieldRule LogSoftmaxOp::getReceptiveFieldRule() {
  return ReceptiveFieldRule::passThroughIf(!isSpatialAxis(getDim(), rankOf(getInput())));
}

FailureOr<SmallVector<Value>> LogSoftmaxOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  // _log_softmax_backward_data: g - exp(y) * sum(g, dim, keepdim).
  Value g = resultGrads[0];
  Value total = gb.create<SumOp>(
      {g}, {gb.i64Array("dims", {static_cast<int64_t>(getDim())}), gb.boolean("keepdim", true)});
  return gb.finish({gb.sub(g, gb.mul(gb.create<ExpOp>({getResult()}), total))});
}

/// As softmax.
OpCost LogSoftmaxOp::getCost(function_ref<bool(Value)>) {
  return cost::perElement(cost::elements(getResult()), 5, {getResult()});
}

//===--- sum_to ---===//

LogicalResult SumToOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  shape::Shape target(getShape().begin(), getShape().end()), input = shapeOf(getInput());
  shape::ShapeResult r = shape::broadcast(target, input);
  if (!r || r.shape() != input)
    return emitError() << "sum_to cannot sum " << shape::str(input) << " to " << shape::str(target)
                       << ": the target does not broadcast to the input";
  types.push_back(RankedTensorType::get(target, elementTypeOf(getInput())));
  return success();
}

//===--- layer_norm (composite: nn-decompose) ---===//

LogicalResult LayerNormOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  SmallVector<Value> operands(getOperands());
  if (failed(sameElementType(*this, operands)))
    return failure();
  shape::Shape input = shapeOf(getInput());
  shape::Shape normalized(getNormalizedShape().begin(), getNormalizedShape().end());
  // torch.nn.functional.layer_norm's rule: a non-empty normalized_shape equal
  // to the input's trailing dimensions.
  bool trailing = !normalized.empty() && normalized.size() <= input.size() &&
                  std::equal(normalized.begin(), normalized.end(),
                             input.end() - static_cast<std::ptrdiff_t>(normalized.size()));
  if (!trailing)
    return emitError() << "layer_norm expects normalized_shape " << shape::str(normalized)
                       << " to match the trailing dimensions of the input "
                       << shape::str(input);
  if (getAffine().size() != 0 && getAffine().size() != 2)
    return emitError() << "layer_norm expects no affine operands or two (weight, bias), got "
                       << getAffine().size();
  for (Value v : getAffine())
    if (shapeOf(v) != normalized)
      return emitError() << "layer_norm expects weight and bias of shape "
                         << shape::str(normalized) << ", got " << shape::str(shapeOf(v));
  if (!(getEps().convertToDouble() >= 0.0))
    return emitError() << "layer_norm expects eps >= 0";
  types.push_back(getInput().getType());
  return success();
}
