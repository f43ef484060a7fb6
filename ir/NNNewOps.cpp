//===- NNNewOps.cpp - gelu, silu and layer_norm ---------------------------===//
//
// Shape rules, verifiers and vector-Jacobian products of the activations
// gelu and silu, gelu's backward op, and the composite ops gelu_tanh and
// layer_norm (which need shape rules only: nn-decompose rewrites them into
// primitives before autodiff and every backend). One banner per op.
//
//===----------------------------------------------------------------------===//

#include "ir/GradientBuilder.h"
#include "ir/OpShapes.h"

using namespace mlir;
using namespace netc::nn;
using namespace netc::nn::detail;
namespace shape = netc::shape;

//===----------------------------------------------------------------------===//
// gelu
//===----------------------------------------------------------------------===//

LogicalResult GeluOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  types.push_back(getInput().getType());
  return success();
}

FailureOr<SmallVector<Value>> GeluOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  // PyTorch's gelu_backward (approximate="none") as one elementwise op: its
  // erf has no composition from the other nn ops.
  return gb.finish({gb.create<GeluBackwardOp>({resultGrads[0], getInput()})});
}

//===----------------------------------------------------------------------===//
// gelu_backward
//===----------------------------------------------------------------------===//

LogicalResult GeluBackwardOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  if (failed(sameElementType(*this, {getGrad(), getInput()})))
    return failure();
  if (shapeOf(getGrad()) != shapeOf(getInput()))
    return emitError() << "gelu_backward expects operands of one shape, got "
                       << shape::str(shapeOf(getGrad())) << " and "
                       << shape::str(shapeOf(getInput()));
  types.push_back(getGrad().getType());
  return success();
}

//===----------------------------------------------------------------------===//
// silu
//===----------------------------------------------------------------------===//

LogicalResult SiluOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  types.push_back(getInput().getType());
  return success();
}

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

//===----------------------------------------------------------------------===//
// gelu_tanh (composite)
//===----------------------------------------------------------------------===//

LogicalResult GeluTanhOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  types.push_back(getInput().getType());
  return success();
}

//===----------------------------------------------------------------------===//
// layer_norm (composite)
//===----------------------------------------------------------------------===//

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
