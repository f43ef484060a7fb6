//===- Tensor.cpp - tensor manipulation of the nn dialect -----------------===//
//
// permute, max/min and their indices, logsumexp, triu/tril, and the
// gradients of max/min and of strided slices: shape rules, folders,
// receptive-field rules, VJPs and costs (ir/OpCost.h). Along a non-spatial
// axis an op keeps each position's receptive field; along H or W, or when it
// moves H or W elsewhere, it makes it global.
//
//===----------------------------------------------------------------------===//

#include "ir/GradientBuilder.h"
#include "ir/OpCost.h"
#include "ir/OpShapes.h"

using namespace mlir;
using namespace netc::nn;
using namespace netc::nn::detail;
namespace shape = netc::shape;

/// A signed axis attribute (I64Attr getters return uint64_t) counted from the
/// front of a tensor of `rank`.
static int64_t signedAxis(uint64_t attr, int64_t rank) {
  int64_t dim = static_cast<int64_t>(attr);
  return dim < 0 ? dim + rank : dim;
}

/// The shape of a reduction of `input` along `dim`, for max, min, argmax,
/// argmin and logsumexp; errors name the op.
static LogicalResult inferAlongAxis(Operation *op, Value input, uint64_t dim, bool keepdim,
                                    Type element, SmallVectorImpl<Type> &types) {
  std::vector<int64_t> axes{static_cast<int64_t>(dim)};
  std::string name = dslName(op).str();
  shape::Shape in = shapeOf(input);
  if (in.empty())
    return op->emitError() << name << " expects a tensor of rank >= 1, got []";
  return pushResult(op, shape::reduce(in, &axes, keepdim, name.c_str()), element, types);
}

/// The rule of an op along one axis: fields pass unless the axis is spatial.
static ReceptiveFieldRule alongAxisRule(Value input, uint64_t dim) {
  return ReceptiveFieldRule::passThroughIf(
      !isSpatialAxis(static_cast<int64_t>(dim), rankOf(input)));
}

//===--- permute ---===//

LogicalResult PermuteOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  shape::Shape in = shapeOf(getInput());
  int64_t rank = static_cast<int64_t>(in.size());
  ArrayRef<int64_t> dims = getDims();
  std::vector<bool> seen(rank, false);
  bool valid = static_cast<int64_t>(dims.size()) == rank;
  shape::Shape out;
  for (int64_t d : dims) {
    std::optional<int64_t> axis = shape::normalizeDim(d, rank);
    valid &= axis && !seen[*axis];
    if (!valid)
      break;
    seen[*axis] = true;
    out.push_back(in[*axis]);
  }
  if (!valid)
    return emitError() << "permute dims " << shape::str(shape::Shape(dims.begin(), dims.end()))
                       << " are not a permutation of the " << rank << " axes of input "
                       << shape::str(in);
  types.push_back(RankedTensorType::get(out, elementTypeOf(getInput())));
  return success();
}

/// The identity permutation gives the operand back.
OpFoldResult PermuteOp::fold(FoldAdaptor) {
  int64_t rank = rankOf(getInput());
  for (auto [i, d] : llvm::enumerate(getDims()))
    if (signedAxis(d, rank) != static_cast<int64_t>(i))
      return {};
  return keepsType(getInput(), getType()) ? getInput() : OpFoldResult();
}

/// Keeping H and W in place keeps fields, exchanging them swaps them, and
/// moving either elsewhere makes them global.
ReceptiveFieldRule PermuteOp::getReceptiveFieldRule() {
  int64_t rank = rankOf(getInput());
  if (rank < 2)
    return ReceptiveFieldRule::passThrough();
  int64_t h = signedAxis(getDims()[rank - 2], rank), w = signedAxis(getDims()[rank - 1], rank);
  if (h == rank - 2 && w == rank - 1)
    return ReceptiveFieldRule::passThrough();
  if (h == rank - 1 && w == rank - 2)
    return ReceptiveFieldRule::swapSpatial();
  return ReceptiveFieldRule::global();
}

FailureOr<SmallVector<Value>> PermuteOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  // The inverse permutation: input axis dims[i] comes from result axis i.
  int64_t rank = rankOf(getInput());
  SmallVector<int64_t> inverse(rank);
  for (auto [i, d] : llvm::enumerate(getDims()))
    inverse[signedAxis(d, rank)] = static_cast<int64_t>(i);
  return gb.finish({gb.create<PermuteOp>({resultGrads[0]}, {gb.i64Array("dims", inverse)})});
}

OpCost PermuteOp::getCost(function_ref<bool(Value)>) { return OpCost(); }

//===--- max and min ---===//

/// The gradient of a maximum or minimum: `grad` with the axis restored goes
/// to the first extremum.
static FailureOr<SmallVector<Value>> extremumVJP(OpBuilder &builder, Operation *op,
                                                 Value input, uint64_t dim, Value grad,
                                                 bool isMin) {
  GradientBuilder gb(builder, op);
  int64_t axis = signedAxis(dim, rankOf(input));
  SmallVector<int64_t> kept(staticShape(input));
  kept[axis] = 1;
  return gb.finish({gb.create<ExtremumBackwardOp>(
      {input, gb.reshape(grad, kept)}, {gb.i64("dim", axis), gb.boolean("is_min", isMin)})});
}

LogicalResult MaxOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  return inferAlongAxis(*this, getInput(), getDim(), getKeepdim(), elementTypeOf(getInput()),
                        types);
}

ReceptiveFieldRule MaxOp::getReceptiveFieldRule() { return alongAxisRule(getInput(), getDim()); }

FailureOr<SmallVector<Value>> MaxOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  return extremumVJP(builder, *this, getInput(), getDim(), resultGrads[0], /*isMin=*/false);
}

/// One comparison per input element; the gradient reads the input.
OpCost MaxOp::getCost(function_ref<bool(Value)>) {
  return cost::perElement(cost::elements(getInput()), 1, {getInput()});
}

LogicalResult MinOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  return inferAlongAxis(*this, getInput(), getDim(), getKeepdim(), elementTypeOf(getInput()),
                        types);
}

ReceptiveFieldRule MinOp::getReceptiveFieldRule() { return alongAxisRule(getInput(), getDim()); }

FailureOr<SmallVector<Value>> MinOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  return extremumVJP(builder, *this, getInput(), getDim(), resultGrads[0], /*isMin=*/true);
}

/// As max.
OpCost MinOp::getCost(function_ref<bool(Value)>) {
  return cost::perElement(cost::elements(getInput()), 1, {getInput()});
}

//===--- argmax and argmin ---===//

LogicalResult ArgMaxOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  return inferAlongAxis(*this, getInput(), getDim(), getKeepdim(),
                        IntegerType::get(getContext(), 64), types);
}

ReceptiveFieldRule ArgMaxOp::getReceptiveFieldRule() {
  return alongAxisRule(getInput(), getDim());
}

/// One comparison per input element, and no gradient.
OpCost ArgMaxOp::getCost(function_ref<bool(Value)>) {
  return cost::perElement(cost::elements(getInput()), 1);
}

LogicalResult ArgMinOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  return inferAlongAxis(*this, getInput(), getDim(), getKeepdim(),
                        IntegerType::get(getContext(), 64), types);
}

ReceptiveFieldRule ArgMinOp::getReceptiveFieldRule() {
  return alongAxisRule(getInput(), getDim());
}

/// As argmax.
OpCost ArgMinOp::getCost(function_ref<bool(Value)>) {
  return cost::perElement(cost::elements(getInput()), 1);
}

//===--- extremum_backward ---===//

LogicalResult ExtremumBackwardOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  if (failed(sameElementType(*this, {getInput(), getGrad()})))
    return failure();
  shape::Shape in = shapeOf(getInput()), expected = in;
  std::optional<int64_t> axis =
      shape::normalizeDim(static_cast<int64_t>(getDim()), static_cast<int64_t>(in.size()));
  if (!axis || in.empty())
    return emitError() << "extremum_backward dim " << static_cast<int64_t>(getDim())
                       << " is out of range for input " << shape::str(in);
  expected[*axis] = 1;
  if (shapeOf(getGrad()) != expected)
    return emitError() << "extremum_backward expects a gradient of shape " << shape::str(expected)
                       << ", got " << shape::str(shapeOf(getGrad()));
  types.push_back(getInput().getType());
  return success();
}

//===--- logsumexp ---===//

LogicalResult LogSumExpOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  return inferAlongAxis(*this, getInput(), getDim(), getKeepdim(), elementTypeOf(getInput()),
                        types);
}

//===--- triu and tril ---===//

/// triu and tril mask the two trailing axes of a tensor of rank >= 2.
static LogicalResult inferTriangle(Operation *op, Value input, SmallVectorImpl<Type> &types) {
  shape::Shape in = shapeOf(input);
  if (in.size() < 2)
    return op->emitError() << dslName(op) << " expects a tensor of rank >= 2, got "
                           << shape::str(in);
  types.push_back(input.getType());
  return success();
}

/// The gradient of a mask is the same mask of the gradient.
template <typename OpT>
static FailureOr<SmallVector<Value>> triangleVJP(OpBuilder &builder, OpT op, Value grad) {
  GradientBuilder gb(builder, op);
  return gb.finish(
      {gb.create<OpT>({grad}, {gb.i64("diagonal", static_cast<int64_t>(op.getDiagonal()))})});
}

LogicalResult TriuOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  return inferTriangle(*this, getInput(), types);
}

/// Each element keeps its own field or becomes a constant.
ReceptiveFieldRule TriuOp::getReceptiveFieldRule() { return ReceptiveFieldRule::passThrough(); }

FailureOr<SmallVector<Value>> TriuOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  return triangleVJP(builder, *this, resultGrads[0]);
}

OpCost TriuOp::getCost(function_ref<bool(Value)>) {
  return cost::perElement(cost::elements(getResult()), 1);
}

LogicalResult TrilOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  return inferTriangle(*this, getInput(), types);
}

/// As triu.
ReceptiveFieldRule TrilOp::getReceptiveFieldRule() { return ReceptiveFieldRule::passThrough(); }

FailureOr<SmallVector<Value>> TrilOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  return triangleVJP(builder, *this, resultGrads[0]);
}

OpCost TrilOp::getCost(function_ref<bool(Value)>) {
  return cost::perElement(cost::elements(getResult()), 1);
}

//===--- slice_backward ---===//

LogicalResult SliceBackwardOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  shape::Shape g = shapeOf(getGrad());
  int64_t start = static_cast<int64_t>(getStart()), step = static_cast<int64_t>(getStep());
  int64_t length = static_cast<int64_t>(getLength());
  std::optional<int64_t> axis =
      shape::normalizeDim(static_cast<int64_t>(getDim()), static_cast<int64_t>(g.size()));
  if (!axis || g.empty())
    return emitError() << "slice_backward dim " << static_cast<int64_t>(getDim())
                       << " is out of range for gradient " << shape::str(g);
  if (step <= 0 || start < 0 || start >= length || (g[*axis] - 1) > (length - 1 - start) / step)
    return emitError() << "slice_backward: " << g[*axis] << " elements from " << start
                       << " by step " << step << " do not fit in a dimension of " << length;
  g[*axis] = length;
  types.push_back(RankedTensorType::get(g, elementTypeOf(getGrad())));
  return success();
}
