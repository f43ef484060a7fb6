//===- NNOps.cpp - operations of the nn dialect ---------------------------===//
//
// Shape inference, verifiers and receptive-field geometry of every nn op. The
// shape rules themselves live in ir/ShapeMath (plain C++, unit tested); this
// file adapts operands and attributes to them and reports their errors at the
// op's location.
//
//===----------------------------------------------------------------------===//

#include "ir/NNOps.h"
#include "ir/OpShapes.h"

#include "mlir/IR/Builders.h"

#include <cmath>
#include <fmt/format.h>

using namespace mlir;
using namespace netc::nn;
using namespace netc::nn::detail;
namespace shape = netc::shape;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

static const int64_t kUnitPair[2] = {1, 1};

//===----------------------------------------------------------------------===//
// Windowed ops
//===----------------------------------------------------------------------===//

LogicalResult Conv2dOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  SmallVector<Value> operands(getOperands());
  if (failed(sameElementType(*this, operands)))
    return failure();
  shape::Shape weight = shapeOf(getWeight());
  int64_t kernel[2] = {weight.size() == 4 ? weight[2] : 1, weight.size() == 4 ? weight[3] : 1};
  FailureOr<shape::Window2d> w =
      makeWindow(*this, kernel, getStride(), getPadding(), getDilation(), false);
  if (failed(w))
    return failure();
  std::optional<shape::Shape> bias;
  if (getBias())
    bias = shapeOf(getBias());
  return pushResult(*this,
                    shape::conv2d(shapeOf(getInput()), weight, bias ? &*bias : nullptr, *w,
                                  getGroups()),
                    elementTypeOf(getInput()), types);
}

SpatialWindow Conv2dOp::getSpatialWindow() {
  ArrayRef<int64_t> weight = cast<RankedTensorType>(getWeight().getType()).getShape();
  int64_t kernel[2] = {weight[2], weight[3]};
  return spatialWindowOf(kernel, getStride(), getPadding(), getDilation());
}

LogicalResult MaxPool2dOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  FailureOr<shape::Window2d> w =
      makeWindow(*this, getKernel(), getStride(), getPadding(), getDilation(), getCeilMode());
  if (failed(w))
    return failure();
  return pushResult(*this, shape::maxpool2d(shapeOf(getInput()), *w), elementTypeOf(getInput()),
                    types);
}

SpatialWindow MaxPool2dOp::getSpatialWindow() {
  return spatialWindowOf(getKernel(), getStride(), getPadding(), getDilation());
}

LogicalResult AvgPool2dOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  FailureOr<shape::Window2d> w =
      makeWindow(*this, getKernel(), getStride(), getPadding(), kUnitPair, getCeilMode());
  if (failed(w))
    return failure();
  return pushResult(*this, shape::avgpool2d(shapeOf(getInput()), *w), elementTypeOf(getInput()),
                    types);
}

SpatialWindow AvgPool2dOp::getSpatialWindow() {
  return spatialWindowOf(getKernel(), getStride(), getPadding(), kUnitPair);
}

LogicalResult Pad2dOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  if (failed(checkArity(*this, "pads", getPads(), 4)))
    return failure();
  std::array<int64_t, 4> pads;
  std::copy(getPads().begin(), getPads().end(), pads.begin());
  return pushResult(*this, shape::pad2d(shapeOf(getInput()), pads), elementTypeOf(getInput()),
                    types);
}

SpatialWindow Pad2dOp::getSpatialWindow() {
  return SpatialWindow{AxisWindow{1, 1, getPads()[0]}, AxisWindow{1, 1, getPads()[2]}};
}

//===----------------------------------------------------------------------===//
// Layers with weights
//===----------------------------------------------------------------------===//

LogicalResult LinearOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  SmallVector<Value> operands(getOperands());
  if (failed(sameElementType(*this, operands)))
    return failure();
  std::optional<shape::Shape> bias;
  if (getBias())
    bias = shapeOf(getBias());
  return pushResult(*this,
                    shape::linear(shapeOf(getInput()), shapeOf(getWeight()),
                                  bias ? &*bias : nullptr),
                    elementTypeOf(getInput()), types);
}

LogicalResult EmbeddingOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  return pushResult(*this, shape::embedding(shapeOf(getIndices()), shapeOf(getWeight())),
                    elementTypeOf(getWeight()), types);
}

LogicalResult DropoutOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  types.push_back(getInput().getType());
  return success();
}

LogicalResult DropoutOp::verify() {
  double p = getP().convertToDouble();
  if (!(p >= 0.0 && p < 1.0))
    return emitError() << "dropout probability p must lie in [0, 1), got "
                       << fmt::format("{}", p);
  return success();
}

//===----------------------------------------------------------------------===//
// Activations and elementwise arithmetic
//===----------------------------------------------------------------------===//

/// Unary elementwise ops keep their operand's type.
#define NN_SAME_TYPE_INFERENCE(OP)                                                                 \
  LogicalResult OP::inferResultTypes(SmallVectorImpl<Type> &types) {                               \
    types.push_back(getInput().getType());                                                         \
    return success();                                                                              \
  }
NN_SAME_TYPE_INFERENCE(ReluOp)
NN_SAME_TYPE_INFERENCE(SigmoidOp)
NN_SAME_TYPE_INFERENCE(TanhOp)
NN_SAME_TYPE_INFERENCE(ExpOp)
NN_SAME_TYPE_INFERENCE(LogOp)
NN_SAME_TYPE_INFERENCE(SqrtOp)
NN_SAME_TYPE_INFERENCE(NegOp)
NN_SAME_TYPE_INFERENCE(LeakyReluOp)
#undef NN_SAME_TYPE_INFERENCE

/// Binary elementwise ops broadcast their operands.
static LogicalResult inferBroadcast(Operation *op, Value lhs, Value rhs,
                                    SmallVectorImpl<Type> &types) {
  if (failed(sameElementType(op, {lhs, rhs})))
    return failure();
  shape::ShapeResult r = shape::broadcast(shapeOf(lhs), shapeOf(rhs));
  if (!r)
    return op->emitError() << dslName(op) << ": " << r.message();
  return pushResult(op, r, elementTypeOf(lhs), types);
}

#define NN_BROADCAST_INFERENCE(OP)                                                                 \
  LogicalResult OP::inferResultTypes(SmallVectorImpl<Type> &types) {                               \
    return inferBroadcast(*this, getLhs(), getRhs(), types);                                       \
  }
NN_BROADCAST_INFERENCE(AddOp)
NN_BROADCAST_INFERENCE(SubOp)
NN_BROADCAST_INFERENCE(MulOp)
NN_BROADCAST_INFERENCE(DivOp)
#undef NN_BROADCAST_INFERENCE

LogicalResult SoftmaxOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  return pushResult(*this, shape::softmax(shapeOf(getInput()), getDim(), "softmax"),
                    elementTypeOf(getInput()), types);
}

LogicalResult LogSoftmaxOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  return pushResult(*this, shape::softmax(shapeOf(getInput()), getDim(), "log_softmax"),
                    elementTypeOf(getInput()), types);
}

//===----------------------------------------------------------------------===//
// Shape manipulation
//===----------------------------------------------------------------------===//

LogicalResult FlattenOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  return pushResult(*this, shape::flatten(shapeOf(getInput()), getStartDim(), getEndDim()),
                    elementTypeOf(getInput()), types);
}

LogicalResult ReshapeOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  shape::Shape target(getShape().begin(), getShape().end());
  return pushResult(*this, shape::reshape(shapeOf(getInput()), target),
                    elementTypeOf(getInput()), types);
}

LogicalResult TransposeOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  return pushResult(*this, shape::transpose(shapeOf(getInput()), getDim0(), getDim1()),
                    elementTypeOf(getInput()), types);
}

LogicalResult ConcatOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  if (getInputs().empty())
    return emitError("concat expects at least one tensor");
  if (failed(sameElementType(*this, getInputs())))
    return failure();
  std::vector<shape::Shape> shapes;
  for (Value v : getInputs())
    shapes.push_back(shapeOf(v));
  return pushResult(*this, shape::concat(shapes, getDim()), elementTypeOf(getInputs().front()),
                    types);
}

//===----------------------------------------------------------------------===//
// Linear algebra and reductions
//===----------------------------------------------------------------------===//

LogicalResult MatmulOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  if (failed(sameElementType(*this, {getLhs(), getRhs()})))
    return failure();
  return pushResult(*this, shape::matmul(shapeOf(getLhs()), shapeOf(getRhs())),
                    elementTypeOf(getLhs()), types);
}

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

LogicalResult SumOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  return inferReduce(*this, getInput(), getDims(), getKeepdim(), types);
}

LogicalResult MeanOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  return inferReduce(*this, getInput(), getDims(), getKeepdim(), types);
}

LogicalResult SqNormOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  types.push_back(RankedTensorType::get({}, elementTypeOf(getInput())));
  return success();
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

/// Losses with a float target of compatible shape give a 0-d tensor.
static LogicalResult inferFloatLoss(Operation *op, Value input, Value target,
                                    shape::ShapeResult (*rule)(const shape::Shape &,
                                                               const shape::Shape &),
                                    SmallVectorImpl<Type> &types) {
  if (failed(sameElementType(op, {input, target})))
    return failure();
  return pushResult(op, rule(shapeOf(input), shapeOf(target)), elementTypeOf(input), types);
}

LogicalResult MseOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  return inferFloatLoss(*this, getInput(), getTarget(), shape::mse, types);
}

LogicalResult BceOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  return inferFloatLoss(*this, getInput(), getTarget(), shape::bce, types);
}

LogicalResult BceLogitsOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  return inferFloatLoss(*this, getInput(), getTarget(), shape::bceLogits, types);
}

LogicalResult CrossEntropyOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  return pushResult(*this, shape::crossEntropy(shapeOf(getInput()), shapeOf(getTarget())),
                    elementTypeOf(getInput()), types);
}

//===----------------------------------------------------------------------===//
// Helpers shared with the backward ops
//===----------------------------------------------------------------------===//

namespace netc::nn::detail {

/// The shape of a ranked tensor value.
shape::Shape shapeOf(Value v) {
  ArrayRef<int64_t> dims = cast<RankedTensorType>(v.getType()).getShape();
  return shape::Shape(dims.begin(), dims.end());
}

Type elementTypeOf(Value v) { return cast<TensorType>(v.getType()).getElementType(); }

/// Appends the tensor type of a successful shape computation, or reports its
/// message at the op.
LogicalResult pushResult(Operation *op, const shape::ShapeResult &r, Type elementType,
                                SmallVectorImpl<Type> &types) {
  if (!r)
    return op->emitError(r.message());
  types.push_back(RankedTensorType::get(r.shape(), elementType));
  return success();
}

/// The DSL name of an op: its mnemonic without the dialect prefix.
StringRef dslName(Operation *op) { return op->getName().stripDialect(); }

/// Requires all given values to share one element type, naming both when not.
LogicalResult sameElementType(Operation *op, ValueRange values) {
  Type first = elementTypeOf(values.front());
  for (Value v : values.drop_front())
    if (elementTypeOf(v) != first)
      return op->emitError() << dslName(op) << " expects operands of one element type, got "
                             << first << " and " << elementTypeOf(v);
  return success();
}

/// Requires an array attribute to hold exactly `count` values.
LogicalResult checkArity(Operation *op, StringRef attr, ArrayRef<int64_t> values,
                                size_t count) {
  if (values.size() == count)
    return success();
  return op->emitError() << dslName(op) << " expects '" << attr << "' to hold " << count
                         << " values, got " << values.size();
}

/// Builds the window of a conv2d or pool from its attributes, checking their arity.
FailureOr<shape::Window2d> makeWindow(Operation *op, ArrayRef<int64_t> kernel,
                                             ArrayRef<int64_t> stride, ArrayRef<int64_t> padding,
                                             ArrayRef<int64_t> dilation, bool ceilMode) {
  if (failed(checkArity(op, "kernel", kernel, 2)) || failed(checkArity(op, "stride", stride, 2)) ||
      failed(checkArity(op, "padding", padding, 4)) ||
      failed(checkArity(op, "dilation", dilation, 2)))
    return failure();
  shape::Window2d w;
  std::copy(kernel.begin(), kernel.end(), w.kernel.begin());
  std::copy(stride.begin(), stride.end(), w.stride.begin());
  std::copy(padding.begin(), padding.end(), w.padding.begin());
  std::copy(dilation.begin(), dilation.end(), w.dilation.begin());
  w.ceilMode = ceilMode;
  return w;
}

/// The receptive-field geometry of a window op along H and W.
SpatialWindow spatialWindowOf(ArrayRef<int64_t> kernel, ArrayRef<int64_t> stride,
                                     ArrayRef<int64_t> padding, ArrayRef<int64_t> dilation) {
  auto axis = [&](unsigned i) {
    return AxisWindow{dilation[i] * (kernel[i] - 1) + 1, stride[i], padding[2 * i]};
  };
  return SpatialWindow{axis(0), axis(1)};
}

} // namespace netc::nn::detail

#define GET_OP_CLASSES
#include "ir/NNOps.cpp.inc"
