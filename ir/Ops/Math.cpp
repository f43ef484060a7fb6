//===- Math.cpp - elementwise math, selection and casts of nn -------------===//
//
// abs, pow, erf, sin, cos, maximum, minimum, where, detach and cast: their
// shape rules where the ODS classes do not give them, their VJPs in the
// formulas of PyTorch's derivatives, and their costs (ir/OpCost.h).
//
//===----------------------------------------------------------------------===//

#include "ir/GradientBuilder.h"
#include "ir/OpCost.h"
#include "ir/OpShapes.h"

#include <cmath>

using namespace mlir;
using namespace netc::nn;
using namespace netc::nn::detail;

/// One FLOP per element; the gradient reads the values `kept`.
static OpCost elementCost(Operation *op, SmallVector<Value> kept) {
  return cost::perElement(cost::elements(op->getResult(0)), 1, std::move(kept));
}

//===--- abs and sign ---===//

FailureOr<SmallVector<Value>> AbsOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  // grad * sgn(x): 0 at 0 and at NaN.
  return gb.finish({gb.mul(resultGrads[0], gb.create<SignOp>({getInput()}))});
}

OpCost AbsOp::getCost(function_ref<bool(Value)>) { return elementCost(*this, {getInput()}); }

LogicalResult SignOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  types.push_back(getInput().getType());
  return success();
}

//===--- erf ---===//

FailureOr<SmallVector<Value>> ErfOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  // 2 / sqrt(pi) * exp(-x^2) * grad, in PyTorch's order.
  Value x = getInput();
  Value e = gb.create<ExpOp>({gb.neg(gb.mul(x, x))});
  return gb.finish({gb.mul(gb.mul(gb.scalar(x, 2.0 / std::sqrt(M_PI)), e), resultGrads[0])});
}

OpCost ErfOp::getCost(function_ref<bool(Value)>) { return elementCost(*this, {getInput()}); }

//===--- sin and cos ---===//

FailureOr<SmallVector<Value>> SinOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  return gb.finish({gb.mul(resultGrads[0], gb.create<CosOp>({getInput()}))});
}

OpCost SinOp::getCost(function_ref<bool(Value)>) { return elementCost(*this, {getInput()}); }

FailureOr<SmallVector<Value>> CosOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  return gb.finish({gb.mul(resultGrads[0], gb.neg(gb.create<SinOp>({getInput()})))});
}

OpCost CosOp::getCost(function_ref<bool(Value)>) { return elementCost(*this, {getInput()}); }

//===--- pow ---===//

LogicalResult PowOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  types.push_back(getInput().getType());
  return success();
}

FailureOr<SmallVector<Value>> PowOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  Value x = getInput(), g = resultGrads[0];
  double e = getExponent().convertToDouble();
  // pow_backward: zeros for the exponent 0 (even where x or grad is not
  // finite), else grad * (e * x^(e - 1)).
  if (e == 0.0)
    return gb.finish({gb.broadcastTo(gb.scalar(x, 0.0), staticShape(x))});
  Value power = gb.create<PowOp>({x}, {gb.f64("exponent", e - 1.0)});
  return gb.finish({gb.mul(g, gb.mul(gb.scalar(x, e), power))});
}

OpCost PowOp::getCost(function_ref<bool(Value)>) { return elementCost(*this, {getInput()}); }

//===--- maximum and minimum ---===//

/// Each operand's gradient is minmax_backward with it as `self`, summed back
/// over the axes it was broadcast along.
static FailureOr<SmallVector<Value>> minMaxVJP(OpBuilder &builder, Operation *op, Value grad,
                                               bool maximum) {
  GradientBuilder gb(builder, op);
  Value a = op->getOperand(0), b = op->getOperand(1);
  auto share = [&](Value self, Value other) {
    return gb.sumTo(gb.create<MinMaxBackwardOp>({grad, self, other},
                                                {gb.boolean("maximum", maximum)}),
                    self);
  };
  return gb.finish({share(a, b), share(b, a)});
}

FailureOr<SmallVector<Value>> MaximumOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  return minMaxVJP(builder, *this, resultGrads[0], /*maximum=*/true);
}

OpCost MaximumOp::getCost(function_ref<bool(Value)>) {
  return elementCost(*this, {getLhs(), getRhs()});
}

FailureOr<SmallVector<Value>> MinimumOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  return minMaxVJP(builder, *this, resultGrads[0], /*maximum=*/false);
}

OpCost MinimumOp::getCost(function_ref<bool(Value)>) {
  return elementCost(*this, {getLhs(), getRhs()});
}

//===--- minmax_backward ---===//

LogicalResult MinMaxBackwardOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  if (failed(sameElementType(*this, {getGrad(), getSelf(), getOther()})))
    return failure();
  shape::ShapeResult r = shape::broadcast(shapeOf(getSelf()), shapeOf(getOther()));
  if (!r || r.shape() != shapeOf(getGrad()))
    return emitError() << "minmax_backward expects operands that broadcast to the gradient's "
                       << "shape " << shape::str(shapeOf(getGrad())) << ", got "
                       << shape::str(shapeOf(getSelf())) << " and "
                       << shape::str(shapeOf(getOther()));
  types.push_back(getGrad().getType());
  return success();
}

//===--- where ---===//

LogicalResult WhereOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  if (failed(sameElementType(*this, {getLhs(), getRhs()})))
    return failure();
  shape::ShapeResult r = shape::broadcast(shapeOf(getLhs()), shapeOf(getRhs()));
  if (r)
    r = shape::broadcast(shapeOf(getCondition()), r.shape());
  if (!r)
    return emitError() << "where: condition " << shape::str(shapeOf(getCondition()))
                       << ", values " << shape::str(shapeOf(getLhs())) << " and "
                       << shape::str(shapeOf(getRhs())) << " do not broadcast: " << r.message();
  return pushResult(*this, r, elementTypeOf(getLhs()), types);
}

FailureOr<SmallVector<Value>> WhereOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  Value g = resultGrads[0], c = getCondition();
  Value zero = gb.scalar(g, 0.0);
  // The gradient goes to the side that was selected; the condition has none.
  Value lhs = gb.sumTo(gb.create<WhereOp>({c, g, zero}), getLhs());
  Value rhs = gb.sumTo(gb.create<WhereOp>({c, zero, g}), getRhs());
  return gb.finish({Value(), lhs, rhs});
}

OpCost WhereOp::getCost(function_ref<bool(Value)>) {
  return elementCost(*this, {getCondition()});
}

//===--- detach ---===//

FailureOr<SmallVector<Value>> DetachOp::buildVJP(OpBuilder &builder, ValueRange) {
  // No gradient reaches the operand: autodiff stops here.
  GradientBuilder gb(builder, *this);
  return gb.finish({Value()});
}

OpCost DetachOp::getCost(function_ref<bool(Value)>) { return elementCost(*this, {}); }

//===--- cast ---===//

LogicalResult CastOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  Type to = getDtype();
  bool known = to.isF32() || to.isF64() || to.isSignlessInteger(32) || to.isSignlessInteger(64);
  if (!known)
    return emitError() << "cast expects dtype f32, f64, i32 or i64, got " << to;
  types.push_back(RankedTensorType::get(shapeOf(getInput()), to));
  return success();
}

FailureOr<SmallVector<Value>> CastOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  Type from = elementTypeOf(getInput());
  // Float to float: the gradient is cast back. Through an integer type no
  // gradient flows (integers have none in PyTorch).
  if (!isa<FloatType>(from) || !isa<FloatType>(getDtype()))
    return gb.finish({Value()});
  return gb.finish(
      {gb.create<CastOp>({resultGrads[0]}, {builder.getNamedAttr("dtype", TypeAttr::get(from))})});
}

OpCost CastOp::getCost(function_ref<bool(Value)>) { return elementCost(*this, {}); }
