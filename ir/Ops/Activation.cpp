//===- Activation.cpp - piecewise activations of the nn dialect -----------===//
//
// elu, softplus, clamp and hardtanh: their VJPs (each a backward op that
// reads the forward operand, as PyTorch's) and costs. Shape rules come from
// the ODS classes in Activation.td; the composites hardswish and hardsigmoid
// have only their decompositions (passes/DecomposeElementwise.cpp).
//
//===----------------------------------------------------------------------===//

#include "ir/GradientBuilder.h"
#include "ir/OpCost.h"
#include "ir/OpShapes.h"

using namespace mlir;
using namespace netc::nn;
using namespace netc::nn::detail;

/// One FLOP per element; the backward op reads the forward operand.
static OpCost readsInput(Operation *op) {
  return cost::perElement(cost::elements(op->getResult(0)), 1, {op->getOperand(0)});
}

//===--- elu ---===//

FailureOr<SmallVector<Value>> EluOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  return gb.finish({gb.create<EluBackwardOp>({resultGrads[0], getInput()},
                                             {gb.f64("alpha", getAlpha().convertToDouble())})});
}

OpCost EluOp::getCost(function_ref<bool(Value)>) { return readsInput(*this); }

//===--- softplus ---===//

FailureOr<SmallVector<Value>> SoftplusOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  return gb.finish({gb.create<SoftplusBackwardOp>(
      {resultGrads[0], getInput()},
      {gb.f64("beta", getBeta().convertToDouble()),
       gb.f64("threshold", getThreshold().convertToDouble())})});
}

OpCost SoftplusOp::getCost(function_ref<bool(Value)>) { return readsInput(*this); }

//===--- clamp and hardtanh ---===//

/// The clamp_backward of `forward` (clamp or hardtanh) with its bounds.
static FailureOr<SmallVector<Value>> clampVJP(OpBuilder &builder, Operation *forward,
                                              Value grad, std::optional<double> min,
                                              std::optional<double> max, bool inclusive) {
  GradientBuilder gb(builder, forward);
  SmallVector<NamedAttribute> attrs{gb.boolean("inclusive", inclusive)};
  if (min)
    attrs.push_back(gb.f64("min", *min));
  if (max)
    attrs.push_back(gb.f64("max", *max));
  return gb.finish({gb.create<ClampBackwardOp>({grad, forward->getOperand(0)}, attrs)});
}

/// The value of an optional f64 attribute.
static std::optional<double> valueOf(std::optional<APFloat> attr) {
  if (!attr)
    return std::nullopt;
  return attr->convertToDouble();
}

FailureOr<SmallVector<Value>> ClampOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  // clamp_backward: the bounds themselves pass the gradient.
  return clampVJP(builder, *this, resultGrads[0], valueOf(getMin()), valueOf(getMax()),
                  /*inclusive=*/true);
}

OpCost ClampOp::getCost(function_ref<bool(Value)>) { return readsInput(*this); }

FailureOr<SmallVector<Value>> HardtanhOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  // hardtanh_backward: 0 at the bounds.
  return clampVJP(builder, *this, resultGrads[0], valueOf(getMin()), valueOf(getMax()),
                  /*inclusive=*/false);
}

OpCost HardtanhOp::getCost(function_ref<bool(Value)>) { return readsInput(*this); }
