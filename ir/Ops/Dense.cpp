//===- Dense.cpp - dense linear algebra of the nn dialect -----------------===//
//
// linear, matmul and embedding, and the gradient of the lookup: shape rules,
// VJPs and costs (ir/OpCost.h). Every result element reads a whole axis of
// its operand, so a receptive field does not pass through (NN_Global).
//
//===----------------------------------------------------------------------===//

#include "ir/GradientBuilder.h"
#include "ir/OpCost.h"
#include "ir/OpShapes.h"

#include <algorithm>

using namespace mlir;
using namespace netc::nn;
using namespace netc::nn::detail;
namespace shape = netc::shape;

//===--- linear ---===//

LogicalResult LinearOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  SmallVector<Value> operands(getOperands());
  if (failed(sameElementType(*this, operands)))
    return failure();
  std::optional<shape::Shape> bias;
  if (getBias())
    bias = shapeOf(getBias());
  return pushResult(
      *this, shape::linear(shapeOf(getInput()), shapeOf(getWeight()), bias ? &*bias : nullptr),
      elementTypeOf(getInput()), types);
}

FailureOr<SmallVector<Value>> LinearOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  Value g = resultGrads[0], x = getInput();
  ArrayRef<int64_t> weight = staticShape(getWeight());
  int64_t out = weight[0], in = weight[1];
  // dx = g @ W over any leading batch axes (a 1-D input is a vector-matrix
  // product). dW = g^T @ x with the batch axes flattened into one of size m
  // (m = 1 for a 1-D input: the outer product).
  int64_t m = 1;
  for (int64_t d : staticShape(x).drop_back())
    m *= d;
  Value rows = gb.transposeLast(gb.reshape(g, {m, out}));
  SmallVector<Value> grads = {gb.create<MatmulOp>({g, getWeight()}),
                              gb.create<MatmulOp>({rows, gb.reshape(x, {m, in})})};
  if (getBias())
    grads.push_back(gb.sumTo(g, getBias()));
  return gb.finish(grads);
}

/// A contraction over the `in` axis per result element.
OpCost LinearOp::getCost(function_ref<bool(Value)> needsGradient) {
  auto w = cast<RankedTensorType>(getWeight().getType());
  int64_t k = w.getRank() == 2 ? w.getDimSize(1) : 0;
  return cost::contraction(cost::elements(getResult()), k, getInput(), getWeight(), getBias(),
                           needsGradient);
}

//===--- matmul ---===//

LogicalResult MatmulOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  if (failed(sameElementType(*this, {getLhs(), getRhs()})))
    return failure();
  return pushResult(*this, shape::matmul(shapeOf(getLhs()), shapeOf(getRhs())),
                    elementTypeOf(getLhs()), types);
}

FailureOr<SmallVector<Value>> MatmulOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  Value g = resultGrads[0], a = getLhs(), b = getRhs();
  // torch.matmul's 1-D cases as matrices: a 1-D lhs is a row [1, k], a 1-D
  // rhs a column [k, 1]; the result then has the removed unit axes back.
  bool aVector = staticShape(a).size() == 1, bVector = staticShape(b).size() == 1;
  SmallVector<int64_t> aShape(staticShape(a)), bShape(staticShape(b));
  SmallVector<int64_t> gShape(staticShape(getResult()));
  if (aVector) {
    aShape.insert(aShape.begin(), 1);
    gShape.insert(gShape.end() - (bVector ? 0 : 1), 1);
  }
  if (bVector) {
    bShape.push_back(1);
    gShape.push_back(1);
  }
  Value a2 = gb.reshape(a, aShape), b2 = gb.reshape(b, bShape), g2 = gb.reshape(g, gShape);
  // da = g @ b^T and db = a^T @ g over the broadcast batch axes, summed back
  // to each operand's own batch axes.
  Value da = gb.sumTo(gb.create<MatmulOp>({g2, gb.transposeLast(b2)}), a2);
  Value db = gb.sumTo(gb.create<MatmulOp>({gb.transposeLast(a2), g2}), b2);
  return gb.finish({gb.reshape(da, staticShape(a)), gb.reshape(db, staticShape(b))});
}

/// A contraction over the lhs's last axis per result element.
OpCost MatmulOp::getCost(function_ref<bool(Value)> needsGradient) {
  auto a = cast<RankedTensorType>(getLhs().getType());
  int64_t k = a.getRank() ? a.getShape().back() : 0;
  return cost::contraction(cost::elements(getResult()), k, getLhs(), getRhs(), Value(),
                           needsGradient);
}

//===--- embedding ---===//

LogicalResult EmbeddingOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  return pushResult(*this, shape::embedding(shapeOf(getIndices()), shapeOf(getWeight())),
                    elementTypeOf(getWeight()), types);
}

FailureOr<SmallVector<Value>> EmbeddingOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  // Indices are not differentiable; rows of repeated indices accumulate.
  Value table = gb.create<EmbeddingBackwardOp>({resultGrads[0], getIndices()},
                                               {gb.i64("num", staticShape(getWeight())[0])});
  return gb.finish({Value(), table});
}

/// A lookup moves data; its backward pass is a scatter-add over the indices.
OpCost EmbeddingOp::getCost(function_ref<bool(Value)>) {
  OpCost c;
  c.backwardFlops = cost::elements(getResult());
  c.kept.push_back(getIndices());
  return c;
}

//===--- embedding_backward ---===//

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
