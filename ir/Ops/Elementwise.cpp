//===- Elementwise.cpp - elementwise ops of the nn dialect ----------------===//
//
// Activations, arithmetic with broadcasting, dropout and the gradient of the
// rectifiers. The unary and binary ops get their shape rules from their ODS
// classes and their receptive-field behaviour from NN_Elementwise; here are
// their folders, VJPs and costs (ir/OpCost.h).
//
// Folders here only ever return an existing value; none returns a constant
// attribute, so the dialect needs no constant materializer. A fold that
// replaces a result by another value checks that the two have the same static
// type (keepsType).
//
//===----------------------------------------------------------------------===//

#include "ir/GradientBuilder.h"
#include "ir/OpCost.h"
#include "ir/OpShapes.h"

#include "mlir/IR/BuiltinAttributes.h"

#include <fmt/format.h>

using namespace mlir;
using namespace netc::nn;
using namespace netc::nn::detail;

/// Whether `attr` (an operand's constant value, if any) is a float splat for
/// which `pred` holds.
template <typename Pred> static bool isFloatSplat(Attribute attr, Pred pred) {
  auto dense = dyn_cast_or_null<DenseElementsAttr>(attr);
  if (!dense || !dense.isSplat() || !isa<FloatType>(dense.getElementType()))
    return false;
  return pred(dense.getSplatValue<APFloat>());
}

/// Whether `attr` is a splat of zeros. Either sign counts: x + (-0.0) is x
/// exactly, and x + (+0.0) differs from x only in turning -0.0 into +0.0, a
/// difference no layer of a network observes.
static bool isZeroSplat(Attribute attr) {
  return isFloatSplat(attr, [](const APFloat &v) { return v.isZero(); });
}

/// Whether `attr` is a splat of ones.
static bool isOneSplat(Attribute attr) {
  return isFloatSplat(attr, [](const APFloat &v) { return v.isExactlyValue(1.0); });
}

//===--- relu ---===//

/// relu is idempotent: relu(relu(x)) = relu(x), so the outer one is the inner.
OpFoldResult ReluOp::fold(FoldAdaptor) {
  if (getInput().getDefiningOp<ReluOp>() && keepsType(getInput(), getType()))
    return getInput();
  return {};
}

FailureOr<SmallVector<Value>> ReluOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  // threshold_backward: g where the result (so the input) is positive, 0
  // elsewhere (and at 0). The result is what the next layer reads anyway;
  // the input (a batch norm's output) need not be kept for the backward.
  return gb.finish(
      {gb.create<LeakyReluBackwardOp>({resultGrads[0], getResult()}, {gb.f64("slope", 0.0)})});
}

OpCost ReluOp::getCost(function_ref<bool(Value)>) {
  return cost::perElement(cost::elements(getResult()), 1, {getResult()});
}

//===--- sigmoid ---===//

FailureOr<SmallVector<Value>> SigmoidOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  // sigmoid_backward: g * (1 - y) * y.
  Value y = getResult();
  return gb.finish({gb.mul(gb.mul(resultGrads[0], gb.sub(gb.scalar(y, 1.0), y)), y)});
}

OpCost SigmoidOp::getCost(function_ref<bool(Value)>) {
  return cost::perElement(cost::elements(getResult()), 1, {getResult()});
}

//===--- tanh ---===//

FailureOr<SmallVector<Value>> TanhOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  // tanh_backward: g * (1 - y * y).
  Value y = getResult();
  return gb.finish({gb.mul(resultGrads[0], gb.sub(gb.scalar(y, 1.0), gb.mul(y, y)))});
}

OpCost TanhOp::getCost(function_ref<bool(Value)>) {
  return cost::perElement(cost::elements(getResult()), 1, {getResult()});
}

//===--- exp ---===//

FailureOr<SmallVector<Value>> ExpOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  // g * exp(x), reusing the result.
  return gb.finish({gb.mul(resultGrads[0], getResult())});
}

OpCost ExpOp::getCost(function_ref<bool(Value)>) {
  return cost::perElement(cost::elements(getResult()), 1, {getResult()});
}

//===--- log ---===//

FailureOr<SmallVector<Value>> LogOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  return gb.finish({gb.div(resultGrads[0], getInput())});
}

OpCost LogOp::getCost(function_ref<bool(Value)>) {
  return cost::perElement(cost::elements(getResult()), 1, {getInput()});
}

//===--- sqrt ---===//

FailureOr<SmallVector<Value>> SqrtOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  // g / (2 * sqrt(x)), reusing the result.
  Value y = getResult();
  return gb.finish({gb.div(resultGrads[0], gb.mul(gb.scalar(y, 2.0), y))});
}

OpCost SqrtOp::getCost(function_ref<bool(Value)>) {
  return cost::perElement(cost::elements(getResult()), 1, {getResult()});
}

//===--- neg ---===//

FailureOr<SmallVector<Value>> NegOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  return gb.finish({gb.neg(resultGrads[0])});
}

OpCost NegOp::getCost(function_ref<bool(Value)>) {
  return cost::perElement(cost::elements(getResult()), 1);
}

//===--- leaky_relu ---===//

LogicalResult LeakyReluOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  types.push_back(getInput().getType());
  return success();
}

FailureOr<SmallVector<Value>> LeakyReluOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  // leaky_relu_backward: g where x > 0, else slope * g (so slope * g at 0).
  return gb.finish({gb.create<LeakyReluBackwardOp>(
      {resultGrads[0], getInput()}, {gb.f64("slope", getSlope().convertToDouble())})});
}

OpCost LeakyReluOp::getCost(function_ref<bool(Value)>) {
  return cost::perElement(cost::elements(getResult()), 1, {getInput()});
}

//===--- add ---===//

// Each operand's gradient of the binary ops is summed back over the axes it
// was broadcast along.

/// x + 0 and 0 + x fold to x when broadcasting the zeros does not change the
/// shape of x.
OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  if (isZeroSplat(adaptor.getRhs()) && keepsType(getLhs(), getType()))
    return getLhs();
  if (isZeroSplat(adaptor.getLhs()) && keepsType(getRhs(), getType()))
    return getRhs();
  return {};
}

FailureOr<SmallVector<Value>> AddOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  Value g = resultGrads[0];
  return gb.finish({gb.sumTo(g, getLhs()), gb.sumTo(g, getRhs())});
}

OpCost AddOp::getCost(function_ref<bool(Value)>) {
  return cost::perElement(cost::elements(getResult()), 1);
}

//===--- sub ---===//

/// x - 0 folds to x (0 - x is a negation, not x).
OpFoldResult SubOp::fold(FoldAdaptor adaptor) {
  if (isZeroSplat(adaptor.getRhs()) && keepsType(getLhs(), getType()))
    return getLhs();
  return {};
}

FailureOr<SmallVector<Value>> SubOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  Value g = resultGrads[0];
  // Negation is exact, so negating after the sum gives PyTorch's values.
  return gb.finish({gb.sumTo(g, getLhs()), gb.neg(gb.sumTo(g, getRhs()))});
}

OpCost SubOp::getCost(function_ref<bool(Value)>) {
  return cost::perElement(cost::elements(getResult()), 1);
}

//===--- mul ---===//

/// x * 1 and 1 * x fold to x when broadcasting the ones does not change the
/// shape of x. x * 0 is not folded: it is NaN where x is infinite or NaN.
OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  if (isOneSplat(adaptor.getRhs()) && keepsType(getLhs(), getType()))
    return getLhs();
  if (isOneSplat(adaptor.getLhs()) && keepsType(getRhs(), getType()))
    return getRhs();
  return {};
}

FailureOr<SmallVector<Value>> MulOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  Value g = resultGrads[0];
  return gb.finish(
      {gb.sumTo(gb.mul(g, getRhs()), getLhs()), gb.sumTo(gb.mul(g, getLhs()), getRhs())});
}

/// Each operand's gradient reads the other operand.
OpCost MulOp::getCost(function_ref<bool(Value)> needsGradient) {
  SmallVector<Value> kept;
  if (needsGradient(getLhs()))
    kept.push_back(getRhs());
  if (needsGradient(getRhs()))
    kept.push_back(getLhs());
  return cost::perElement(cost::elements(getResult()), 1, kept);
}

//===--- div ---===//

/// x / 1 folds to x.
OpFoldResult DivOp::fold(FoldAdaptor adaptor) {
  if (isOneSplat(adaptor.getRhs()) && keepsType(getLhs(), getType()))
    return getLhs();
  return {};
}

FailureOr<SmallVector<Value>> DivOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  Value g = resultGrads[0];
  // div_tensor_other_backward: -g * ((a / b) / b), with a / b the result.
  Value rhsGrad = gb.mul(gb.neg(g), gb.div(getResult(), getRhs()));
  return gb.finish({gb.sumTo(gb.div(g, getRhs()), getLhs()), gb.sumTo(rhsGrad, getRhs())});
}

/// Both gradients read the divisor; the divisor's also reads the dividend.
OpCost DivOp::getCost(function_ref<bool(Value)> needsGradient) {
  SmallVector<Value> kept = {getRhs()};
  if (needsGradient(getRhs()))
    kept.push_back(getLhs());
  return cost::perElement(cost::elements(getResult()), 1, kept);
}

//===--- dropout ---===//

LogicalResult DropoutOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  types.push_back(getInput().getType());
  return success();
}

LogicalResult DropoutOp::verify() {
  double p = getP().convertToDouble();
  if (!(p >= 0.0 && p < 1.0))
    return emitError() << "dropout probability p must lie in [0, 1), got " << fmt::format("{}", p);
  return success();
}

/// dropout(x, p = 0) keeps every element and scales by 1 / (1 - 0) = 1: it is
/// x, in training (whatever its seed) as in inference.
OpFoldResult DropoutOp::fold(FoldAdaptor) {
  if (getP().isZero() && keepsType(getInput(), getType()))
    return getInput();
  return {};
}

FailureOr<SmallVector<Value>> DropoutOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  Value g = resultGrads[0];
  // Without a seed dropout is the identity. With one, the same seed and p
  // draw the same mask and scale, which is the whole derivative.
  if (!getSeed())
    return gb.finish({g});
  Value grad = gb.create<DropoutOp>({g, getSeed()}, {gb.f64("p", getP().convertToDouble())});
  return gb.finish({grad, Value()});
}

/// The backward pass recomputes the mask from the seed: nothing is kept.
OpCost DropoutOp::getCost(function_ref<bool(Value)>) {
  return cost::perElement(cost::elements(getResult()), 1);
}

//===--- leaky_relu_backward ---===//

LogicalResult LeakyReluBackwardOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  return inferSameShape(*this, {getGrad(), getInput()}, types);
}

//===--- gelu ---===//

FailureOr<SmallVector<Value>> GeluOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  // PyTorch's gelu_backward (approximate="none") as one elementwise op: its
  // erf has no composition from the other nn ops.
  return gb.finish({gb.create<GeluBackwardOp>({resultGrads[0], getInput()})});
}

OpCost GeluOp::getCost(function_ref<bool(Value)>) {
  return cost::perElement(cost::elements(getResult()), 1, {getInput()});
}

//===--- silu ---===//

FailureOr<SmallVector<Value>> SiluOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  Value g = resultGrads[0];
  if (!g)
    return gb.finish({Value()});
  // PyTorch's silu_backward, in its order of operations:
  // g * s * (1 + x * (1 - s)) with s = sigmoid(x).
  Value x = getInput();
  Value s = gb.create<SigmoidOp>({x});
  Value one = gb.scalar(x, 1.0);
  return gb.finish({gb.mul(gb.mul(g, s), gb.add(one, gb.mul(x, gb.sub(one, s))))});
}

OpCost SiluOp::getCost(function_ref<bool(Value)>) {
  return cost::perElement(cost::elements(getResult()), 1, {getInput()});
}

//===--- gelu_backward ---===//

LogicalResult GeluBackwardOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  return inferSameShape(*this, {getGrad(), getInput()}, types);
}

//===--- gelu_tanh (composite: nn-decompose) ---===//

LogicalResult GeluTanhOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  types.push_back(getInput().getType());
  return success();
}
