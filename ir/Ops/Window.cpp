//===- Window.cpp - windowed ops of the nn dialect ------------------------===//
//
// Convolution, pooling and padding, and their gradients: shape rules (ir/
// ShapeMath via OpShapes.h), the window each slides for the receptive-field
// analysis, VJPs and costs (ir/OpCost.h).
//
// Each backward op's result shape is fixed by its attributes or operands;
// inference also checks that the operands are what the forward op would have
// produced (the gradient of a conv has the conv's output shape, and so on),
// so a malformed backward graph is caught where it is built.
//
//===----------------------------------------------------------------------===//

#include "ir/GradientBuilder.h"
#include "ir/OpCost.h"
#include "ir/OpShapes.h"

#include <algorithm>
#include <array>

using namespace mlir;
using namespace netc::nn;
using namespace netc::nn::detail;
namespace shape = netc::shape;

/// The dilation of the ops that have none.
static const int64_t kUnitPair[2] = {1, 1};

/// The kernel size of a conv2d weight `[O, C / groups, kH, kW]`; 1 x 1 when
/// the weight has another rank (its shape rule reports that).
static std::array<int64_t, 2> kernelOf(const shape::Shape &weight) {
  if (weight.size() != 4)
    return {1, 1};
  return {weight[2], weight[3]};
}

/// Checks that `actual`, the shape of a gradient, is the shape the forward
/// rule gives.
static LogicalResult expectGradShape(Operation *op, const shape::ShapeResult &forward,
                                     const shape::Shape &actual) {
  if (!forward)
    return op->emitError(forward.message());
  if (forward.shape() != actual)
    return op->emitError() << dslName(op) << " expects grad of shape "
                           << shape::str(forward.shape()) << ", got " << shape::str(actual);
  return success();
}

//===--- conv2d ---===//

LogicalResult Conv2dOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  SmallVector<Value> operands(getOperands());
  if (failed(sameElementType(*this, operands)))
    return failure();
  shape::Shape weight = shapeOf(getWeight());
  FailureOr<shape::Window2d> w =
      makeWindow(*this, kernelOf(weight), getStride(), getPadding(), getDilation(), false);
  if (failed(w))
    return failure();
  std::optional<shape::Shape> bias;
  if (getBias())
    bias = shapeOf(getBias());
  return pushResult(
      *this, shape::conv2d(shapeOf(getInput()), weight, bias ? &*bias : nullptr, *w, getGroups()),
      elementTypeOf(getInput()), types);
}

ReceptiveFieldRule Conv2dOp::getReceptiveFieldRule() {
  ArrayRef<int64_t> weight = cast<RankedTensorType>(getWeight().getType()).getShape();
  int64_t kernel[2] = {weight[2], weight[3]};
  return ReceptiveFieldRule::windowed(
      spatialWindowOf(kernel, getStride(), getPadding(), getDilation()));
}

FailureOr<SmallVector<Value>> Conv2dOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  Value g = resultGrads[0];
  ArrayRef<int64_t> weight = staticShape(getWeight());
  SmallVector<NamedAttribute> window = {
      gb.i64Array("stride", getStride()), gb.i64Array("padding", getPadding()),
      gb.i64Array("dilation", getDilation()), gb.i64("groups", getGroups())};
  SmallVector<NamedAttribute> inputAttrs(window), filterAttrs(window);
  inputAttrs.push_back(gb.i64Array("input_shape", staticShape(getInput())));
  filterAttrs.push_back(gb.i64Array("kernel", weight.drop_front(2)));
  SmallVector<Value> grads = {gb.create<Conv2dBackwardInputOp>({g, getWeight()}, inputAttrs),
                              gb.create<Conv2dBackwardFilterOp>({getInput(), g}, filterAttrs)};
  // The bias gradient sums over the batch and both spatial axes.
  if (getBias()) {
    SmallVector<int64_t> dims = staticShape(getInput()).size() == 4 ? SmallVector<int64_t>{0, 2, 3}
                                                                    : SmallVector<int64_t>{1, 2};
    grads.push_back(gb.create<SumOp>({g}, {gb.i64Array("dims", dims)}));
  }
  return gb.finish(grads);
}

/// A contraction over C / groups * kH * kW per result element.
OpCost Conv2dOp::getCost(function_ref<bool(Value)> needsGradient) {
  // C / groups * kH * kW, without forming the whole product.
  int64_t k = 1;
  for (int64_t d : cast<RankedTensorType>(getWeight().getType()).getShape().drop_front())
    k = cost::mul(k, d);
  return cost::contraction(cost::elements(getResult()), k, getInput(), getWeight(), getBias(),
                           needsGradient);
}

//===--- maxpool2d ---===//

LogicalResult MaxPool2dOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  FailureOr<shape::Window2d> w =
      makeWindow(*this, getKernel(), getStride(), getPadding(), getDilation(), getCeilMode());
  if (failed(w))
    return failure();
  return pushResult(*this, shape::maxpool2d(shapeOf(getInput()), *w), elementTypeOf(getInput()),
                    types);
}

ReceptiveFieldRule MaxPool2dOp::getReceptiveFieldRule() {
  return ReceptiveFieldRule::windowed(
      spatialWindowOf(getKernel(), getStride(), getPadding(), getDilation()));
}

FailureOr<SmallVector<Value>> MaxPool2dOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  return gb.finish({gb.create<MaxPool2dBackwardOp>(
      {resultGrads[0], getInput()},
      {gb.i64Array("kernel", getKernel()), gb.i64Array("stride", getStride()),
       gb.i64Array("padding", getPadding()), gb.i64Array("dilation", getDilation()),
       gb.boolean("ceil_mode", getCeilMode())})});
}

/// One op per window element; the backward pass finds the argmax in the input.
OpCost MaxPool2dOp::getCost(function_ref<bool(Value)>) {
  return cost::perElement(cost::elements(getResult()), cost::windowSize(getKernel()), {getInput()});
}

//===--- avgpool2d ---===//

LogicalResult AvgPool2dOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  FailureOr<shape::Window2d> w =
      makeWindow(*this, getKernel(), getStride(), getPadding(), kUnitPair, getCeilMode());
  if (failed(w))
    return failure();
  return pushResult(*this, shape::avgpool2d(shapeOf(getInput()), *w), elementTypeOf(getInput()),
                    types);
}

ReceptiveFieldRule AvgPool2dOp::getReceptiveFieldRule() {
  return ReceptiveFieldRule::windowed(
      spatialWindowOf(getKernel(), getStride(), getPadding(), kUnitPair));
}

FailureOr<SmallVector<Value>> AvgPool2dOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  return gb.finish({gb.create<AvgPool2dBackwardOp>(
      {resultGrads[0], getInput()},
      {gb.i64Array("kernel", getKernel()), gb.i64Array("stride", getStride()),
       gb.i64Array("padding", getPadding()), gb.boolean("ceil_mode", getCeilMode()),
       gb.boolean("count_include_pad", getCountIncludePad())})});
}

/// One op per window element; the backward pass needs only shapes.
OpCost AvgPool2dOp::getCost(function_ref<bool(Value)>) {
  return cost::perElement(cost::elements(getResult()), cost::windowSize(getKernel()));
}

//===--- pad2d ---===//

LogicalResult Pad2dOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  if (failed(checkArity(*this, "pads", getPads(), 4)))
    return failure();
  std::array<int64_t, 4> pads;
  std::copy(getPads().begin(), getPads().end(), pads.begin());
  return pushResult(*this, shape::pad2d(shapeOf(getInput()), pads), elementTypeOf(getInput()),
                    types);
}

/// A 1 x 1 window that moves the origin by the top and left amounts.
ReceptiveFieldRule Pad2dOp::getReceptiveFieldRule() {
  return ReceptiveFieldRule::windowed(
      SpatialWindow{AxisWindow{1, 1, getPads()[0]}, AxisWindow{1, 1, getPads()[2]}});
}

FailureOr<SmallVector<Value>> Pad2dOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  // Padding by the negated amounts crops what was padded and pads with zeros
  // what was cropped; the padding value's gradient goes nowhere.
  SmallVector<int64_t> pads;
  for (int64_t p : getPads())
    pads.push_back(-p);
  return gb.finish({gb.create<Pad2dOp>({resultGrads[0]}, {gb.i64Array("pads", pads)})});
}

/// Data movement.
OpCost Pad2dOp::getCost(function_ref<bool(Value)>) { return OpCost(); }

//===--- conv2d_backward_input ---===//

LogicalResult Conv2dBackwardInputOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  if (failed(sameElementType(*this, {getGrad(), getWeight()})))
    return failure();
  shape::Shape weight = shapeOf(getWeight());
  FailureOr<shape::Window2d> w =
      makeWindow(*this, kernelOf(weight), getStride(), getPadding(), getDilation(), false);
  if (failed(w))
    return failure();
  shape::Shape input(getInputShape().begin(), getInputShape().end());
  if (failed(expectGradShape(
          *this, shape::conv2d(input, weight, nullptr, *w, static_cast<int64_t>(getGroups())),
          shapeOf(getGrad()))))
    return failure();
  types.push_back(RankedTensorType::get(input, elementTypeOf(getGrad())));
  return success();
}

/// The op is linear in each operand: the gradient of `grad` is the conv2d
/// of the result's gradient with `weight`, and that of `weight` the filter
/// gradient of a conv2d whose input is the result's gradient and whose
/// output gradient is `grad`. (conv_transpose2d decomposes into this op.)
FailureOr<SmallVector<Value>> Conv2dBackwardInputOp::buildVJP(OpBuilder &builder,
                                                              ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  Value dy = resultGrads[0];
  SmallVector<NamedAttribute> window = {
      gb.i64Array("stride", getStride()), gb.i64Array("padding", getPadding()),
      gb.i64Array("dilation", getDilation()), gb.i64("groups", getGroups())};
  SmallVector<NamedAttribute> filterAttrs(window);
  filterAttrs.push_back(gb.i64Array("kernel", staticShape(getWeight()).drop_front(2)));
  return gb.finish({gb.create<Conv2dOp>({dy, getWeight()}, window),
                    gb.create<Conv2dBackwardFilterOp>({dy, getGrad()}, filterAttrs)});
}

//===--- conv2d_backward_filter ---===//

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
  if (failed(expectGradShape(*this, shape::conv2d(input, weight, nullptr, *w, groups), grad)))
    return failure();
  types.push_back(RankedTensorType::get(weight, elementTypeOf(getGrad())));
  return success();
}

//===--- maxpool2d_backward ---===//

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

//===--- avgpool2d_backward ---===//

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
