//===- NNBackwardOps.cpp - shapes of the backward ops ---------------------===//
//
// Each backward op's result shape is fixed by its attributes or operands;
// inference also checks that the operands are what the forward op would have
// produced (the gradient of a conv has the conv's output shape, and so on),
// so a malformed backward graph is caught where it is built.
//
//===----------------------------------------------------------------------===//

#include "ir/NNOps.h"
#include "ir/OpShapes.h"

using namespace mlir;
using namespace netc::nn;
using namespace netc::nn::detail;
namespace shape = netc::shape;

/// Checks that `actual`, the shape of a gradient, is the shape the forward
/// rule gives; `what` names the forward op.
static LogicalResult expectGradShape(Operation *op, const shape::ShapeResult &forward,
                                     const shape::Shape &actual) {
  if (!forward)
    return op->emitError(forward.message());
  if (forward.shape() != actual)
    return op->emitError() << dslName(op) << " expects grad of shape " << shape::str(forward.shape())
                           << ", got " << shape::str(actual);
  return success();
}

static const int64_t kUnitPair[2] = {1, 1};

LogicalResult Conv2dBackwardInputOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  if (failed(sameElementType(*this, {getGrad(), getWeight()})))
    return failure();
  shape::Shape weight = shapeOf(getWeight());
  int64_t kernel[2] = {weight.size() == 4 ? weight[2] : 1, weight.size() == 4 ? weight[3] : 1};
  FailureOr<shape::Window2d> w =
      makeWindow(*this, kernel, getStride(), getPadding(), getDilation(), false);
  if (failed(w))
    return failure();
  shape::Shape input(getInputShape().begin(), getInputShape().end());
  if (failed(expectGradShape(*this,
                             shape::conv2d(input, weight, nullptr, *w,
                                           static_cast<int64_t>(getGroups())),
                             shapeOf(getGrad()))))
    return failure();
  types.push_back(RankedTensorType::get(input, elementTypeOf(getGrad())));
  return success();
}

LogicalResult Conv2dBackwardFilterOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  if (failed(sameElementType(*this, {getInput(), getGrad()})))
    return failure();
  FailureOr<shape::Window2d> w =
      makeWindow(*this, getKernel(), getStride(), getPadding(), getDilation(), false);
  if (failed(w))
    return failure();
  shape::Shape input = shapeOf(getInput()), grad = shapeOf(getGrad());
  if (input.size() < 3 || grad.size() != input.size())
    return emitError() << "conv2d_backward_filter expects input and grad of rank 3 or 4, got "
                       << shape::str(input) << " and " << shape::str(grad);
  int64_t channels = input[input.size() - 3], out = grad[grad.size() - 3];
  // I64Attr getters return uint64_t: read signed values through int64_t.
  int64_t groups = static_cast<int64_t>(getGroups());
  if (groups <= 0 || channels % groups != 0)
    return emitError() << "conv2d_backward_filter: input channels " << channels
                       << " are not divisible by groups " << groups;
  shape::Shape weight{out, channels / groups, getKernel()[0], getKernel()[1]};
  if (failed(expectGradShape(*this, shape::conv2d(input, weight, nullptr, *w, groups),
                             grad)))
    return failure();
  types.push_back(RankedTensorType::get(weight, elementTypeOf(getGrad())));
  return success();
}

LogicalResult MaxPool2dBackwardOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  if (failed(sameElementType(*this, {getGrad(), getInput()})))
    return failure();
  FailureOr<shape::Window2d> w =
      makeWindow(*this, getKernel(), getStride(), getPadding(), getDilation(), getCeilMode());
  if (failed(w) ||
      failed(expectGradShape(*this, shape::maxpool2d(shapeOf(getInput()), *w), shapeOf(getGrad()))))
    return failure();
  types.push_back(getInput().getType());
  return success();
}

LogicalResult AvgPool2dBackwardOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  if (failed(sameElementType(*this, {getGrad(), getInput()})))
    return failure();
  FailureOr<shape::Window2d> w =
      makeWindow(*this, getKernel(), getStride(), getPadding(), kUnitPair, getCeilMode());
  if (failed(w) ||
      failed(expectGradShape(*this, shape::avgpool2d(shapeOf(getInput()), *w), shapeOf(getGrad()))))
    return failure();
  types.push_back(getInput().getType());
  return success();
}

LogicalResult EmbeddingBackwardOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  shape::Shape grad = shapeOf(getGrad()), indices = shapeOf(getIndices());
  int64_t num = static_cast<int64_t>(getNum());
  if (num <= 0)
    return emitError() << "embedding_backward expects a positive num, got " << num;
  if (grad.size() != indices.size() + 1 ||
      !std::equal(indices.begin(), indices.end(), grad.begin()))
    return emitError() << "embedding_backward expects grad of shape " << shape::str(indices)
                       << " + [dim], got " << shape::str(grad);
  types.push_back(RankedTensorType::get({num, grad.back()}, elementTypeOf(getGrad())));
  return success();
}

/// Elementwise backward ops: operands of one shape, result of that shape.
static LogicalResult inferSameShape(Operation *op, ValueRange values,
                                    SmallVectorImpl<Type> &types) {
  if (failed(sameElementType(op, values)))
    return failure();
  for (Value v : values.drop_front())
    if (shapeOf(v) != shapeOf(values.front()))
      return op->emitError() << dslName(op) << " expects operands of one shape, got "
                             << shape::str(shapeOf(values.front())) << " and "
                             << shape::str(shapeOf(v));
  types.push_back(values.front().getType());
  return success();
}

LogicalResult LeakyReluBackwardOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  return inferSameShape(*this, {getGrad(), getInput()}, types);
}

/// Requires the 0-d gradient of a loss.
static LogicalResult checkScalarGrad(Operation *op, Value grad) {
  if (!shapeOf(grad).empty())
    return op->emitError() << dslName(op) << " expects the 0-d gradient of the loss, got "
                           << shape::str(shapeOf(grad));
  return success();
}

LogicalResult BceBackwardOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  if (failed(checkScalarGrad(*this, getGrad())) ||
      failed(sameElementType(*this, {getGrad(), getInput()})))
    return failure();
  return inferSameShape(*this, {getInput(), getTarget()}, types);
}

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

LogicalResult SumToOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  shape::Shape target(getShape().begin(), getShape().end()), input = shapeOf(getInput());
  shape::ShapeResult r = shape::broadcast(target, input);
  if (!r || r.shape() != input)
    return emitError() << "sum_to cannot sum " << shape::str(input) << " to "
                       << shape::str(target) << ": the target does not broadcast to the input";
  types.push_back(RankedTensorType::get(target, elementTypeOf(getInput())));
  return success();
}

LogicalResult BroadcastToOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  shape::Shape target(getShape().begin(), getShape().end()), input = shapeOf(getInput());
  shape::ShapeResult r = shape::broadcast(input, target);
  if (!r || r.shape() != target)
    return emitError() << "broadcast_to cannot broadcast " << shape::str(input) << " to "
                       << shape::str(target);
  types.push_back(RankedTensorType::get(target, elementTypeOf(getInput())));
  return success();
}

LogicalResult SliceOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  shape::Shape input = shapeOf(getInput());
  int64_t start = static_cast<int64_t>(getStart()), size = static_cast<int64_t>(getSize());
  std::optional<int64_t> dim =
      shape::normalizeDim(static_cast<int64_t>(getDim()), static_cast<int64_t>(input.size()));
  if (!dim || input.empty())
    return emitError() << "slice dim " << static_cast<int64_t>(getDim())
                       << " is out of range for input " << shape::str(input);
  if (start < 0 || size <= 0 || start > input[*dim] - size)
    return emitError() << "slice [" << start << ", +" << size << ") does not fit in dimension "
                       << *dim << " of " << shape::str(input);
  input[*dim] = size;
  types.push_back(RankedTensorType::get(input, elementTypeOf(getInput())));
  return success();
}
