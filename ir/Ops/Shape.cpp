//===- Shape.cpp - shape manipulation of the nn dialect -------------------===//
//
// flatten, reshape, transpose and concat, and the slices and broadcasts that
// gradients use: shape rules, folders, receptive-field rules, VJPs and costs
// (ir/OpCost.h). They move data and compute nothing. A receptive field passes
// through them while the two trailing (spatial) axes survive as they are.
//
// The folders only ever return an existing value or modify their op in
// place, and check that a replacement has the result's static type.
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

/// The axis `dim` of a tensor of rank `rank`, negative values counting from
/// the end.
static int64_t normalizeAxis(int64_t dim, int64_t rank) { return dim < 0 ? dim + rank : dim; }

//===--- flatten ---===//

LogicalResult FlattenOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  return pushResult(*this, shape::flatten(shapeOf(getInput()), getStartDim(), getEndDim()),
                    elementTypeOf(getInput()), types);
}

/// A flatten whose result has its operand's type covers a range of one axis
/// (the default range 1..-1 of a 2-d tensor, say): it is its operand.
OpFoldResult FlattenOp::fold(FoldAdaptor) {
  if (keepsType(getInput(), getType()))
    return getInput();
  return {};
}

/// Fields pass when the merged range is one axis or lies before H and W.
ReceptiveFieldRule FlattenOp::getReceptiveFieldRule() {
  int64_t rank = rankOf(getInput());
  int64_t start = wrapAxis(getStartDim(), rank), end = wrapAxis(getEndDim(), rank);
  return ReceptiveFieldRule::passThroughIf(start >= 0 && end >= 0 &&
                                           (start == end || end < rank - 2));
}

FailureOr<SmallVector<Value>> FlattenOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  if (!isa<FloatType>(elementTypeOf(getInput())))
    return gb.finish({Value()});  // integers carry no gradient, as in PyTorch
  return gb.finish({gb.reshape(resultGrads[0], staticShape(getInput()))});
}

OpCost FlattenOp::getCost(function_ref<bool(Value)>) { return OpCost(); }

//===--- reshape ---===//

LogicalResult ReshapeOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  shape::Shape target(getShape().begin(), getShape().end());
  return pushResult(*this, shape::reshape(shapeOf(getInput()), target), elementTypeOf(getInput()),
                    types);
}

/// A reshape to the operand's own shape is the operand; a reshape of a
/// reshape reads the inner one's operand directly (row-major order makes the
/// intermediate shape irrelevant). The latter folds in place, keeping the
/// outer op's `shape` attribute: a -1 in it still resolves to the same size,
/// since the element count is unchanged.
OpFoldResult ReshapeOp::fold(FoldAdaptor) {
  if (keepsType(getInput(), getType()))
    return getInput();
  if (auto inner = getInput().getDefiningOp<ReshapeOp>()) {
    getInputMutable().assign(inner.getInput());
    return getResult();
  }
  return {};
}

/// Row-major order keeps each H x W plane intact when the two trailing sizes survive.
ReceptiveFieldRule ReshapeOp::getReceptiveFieldRule() {
  auto before = spatialSizes(getInput()), after = spatialSizes(getResult());
  return ReceptiveFieldRule::passThroughIf(before && after && *before == *after);
}

FailureOr<SmallVector<Value>> ReshapeOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  // Integer tensors (labels, indices) have no gradient, as in PyTorch.
  if (!isa<FloatType>(elementTypeOf(getInput())))
    return gb.finish({Value()});
  return gb.finish({gb.reshape(resultGrads[0], staticShape(getInput()))});
}

OpCost ReshapeOp::getCost(function_ref<bool(Value)>) { return OpCost(); }

//===--- transpose ---===//

LogicalResult TransposeOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  return pushResult(*this, shape::transpose(shapeOf(getInput()), getDim0(), getDim1()),
                    elementTypeOf(getInput()), types);
}

/// A transpose of an axis with itself is the identity, and swapping the same
/// pair of axes twice (in either order, negative or not) gives the operand
/// back. Different pairs do not cancel.
OpFoldResult TransposeOp::fold(FoldAdaptor) {
  auto type = dyn_cast<RankedTensorType>(getInput().getType());
  if (!type)
    return {};
  int64_t rank = type.getRank();
  int64_t d0 = normalizeAxis(getDim0(), rank), d1 = normalizeAxis(getDim1(), rank);
  if (d0 == d1 && keepsType(getInput(), getType()))
    return getInput();
  auto inner = getInput().getDefiningOp<TransposeOp>();
  if (!inner)
    return {};
  int64_t i0 = normalizeAxis(inner.getDim0(), rank), i1 = normalizeAxis(inner.getDim1(), rank);
  if (std::minmax(d0, d1) == std::minmax(i0, i1) && keepsType(inner.getInput(), getType()))
    return inner.getInput();
  return {};
}

/// Swapping non-spatial axes keeps fields, swapping H and W exchanges them,
/// and moving one spatial axis elsewhere makes them global.
ReceptiveFieldRule TransposeOp::getReceptiveFieldRule() {
  int64_t rank = rankOf(getInput());
  int64_t d0 = wrapAxis(getDim0(), rank), d1 = wrapAxis(getDim1(), rank);
  if (d0 == d1 || (!isSpatialAxis(getDim0(), rank) && !isSpatialAxis(getDim1(), rank)))
    return ReceptiveFieldRule::passThrough();
  if (std::min(d0, d1) == rank - 2 && std::max(d0, d1) == rank - 1)
    return ReceptiveFieldRule::swapSpatial();
  return ReceptiveFieldRule::global();
}

FailureOr<SmallVector<Value>> TransposeOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  // A swap is its own inverse.
  return gb.finish({gb.create<TransposeOp>(
      {resultGrads[0]}, {gb.i64("dim0", getDim0()), gb.i64("dim1", getDim1())})});
}

OpCost TransposeOp::getCost(function_ref<bool(Value)>) { return OpCost(); }

//===--- concat ---===//

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

/// Joining along a non-spatial axis keeps each plane's field, as an
/// elementwise op does; along H or W the planes no longer line up.
ReceptiveFieldRule ConcatOp::getReceptiveFieldRule() {
  if (isSpatialAxis(getDim(), rankOf(getResult())))
    return ReceptiveFieldRule::global();
  return ReceptiveFieldRule::join();
}

FailureOr<SmallVector<Value>> ConcatOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  Value g = resultGrads[0];
  if (getInputs().size() == 1)
    return gb.finish({g});
  // Each input's gradient is its slice of g along the concatenation axis.
  int64_t rank = static_cast<int64_t>(staticShape(getResult()).size());
  // I64Attr getters return uint64_t: read the dim back as signed.
  int64_t dim = static_cast<int64_t>(getDim());
  if (dim < 0)
    dim += rank;
  SmallVector<Value> grads;
  int64_t start = 0;
  for (Value input : getInputs()) {
    int64_t size = staticShape(input)[dim];
    grads.push_back(gb.create<SliceOp>(
        {g}, {gb.i64("dim", dim), gb.i64("start", start), gb.i64("size", size)}));
    start += size;
  }
  return gb.finish(grads);
}

OpCost ConcatOp::getCost(function_ref<bool(Value)>) { return OpCost(); }

//===--- slice ---===//

LogicalResult SliceOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  shape::Shape input = shapeOf(getInput());
  int64_t start = static_cast<int64_t>(getStart()), size = static_cast<int64_t>(getSize());
  int64_t step = static_cast<int64_t>(getStep());
  std::optional<int64_t> dim =
      shape::normalizeDim(static_cast<int64_t>(getDim()), static_cast<int64_t>(input.size()));
  if (!dim || input.empty())
    return emitError() << "slice dim " << static_cast<int64_t>(getDim())
                       << " is out of range for input " << shape::str(input);
  if (step <= 0)
    return emitError() << "slice step must be positive, got " << step;
  // The last element read, start + (size - 1) * step, must lie in the axis;
  // divided through so that huge attributes cannot overflow.
  if (start < 0 || size <= 0 || start >= input[*dim] ||
      (size - 1) > (input[*dim] - 1 - start) / step)
    return emitError() << "slice [" << start << ", +" << size << ")"
                       << (step != 1 ? " by step " + std::to_string(step) : std::string())
                       << " does not fit in dimension " << *dim << " of " << shape::str(input);
  input[*dim] = size;
  types.push_back(RankedTensorType::get(input, elementTypeOf(getInput())));
  return success();
}

FailureOr<SmallVector<Value>> SliceOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  int64_t rank = rankOf(getInput());
  int64_t dim = normalizeAxis(static_cast<int64_t>(getDim()), rank);
  return gb.finish({gb.create<SliceBackwardOp>(
      {resultGrads[0]},
      {gb.i64("dim", dim), gb.i64("start", static_cast<int64_t>(getStart())),
       gb.i64("step", static_cast<int64_t>(getStep())),
       gb.i64("length", staticShape(getInput())[dim])})});
}

//===--- broadcast_to ---===//

LogicalResult BroadcastToOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  shape::Shape target(getShape().begin(), getShape().end()), input = shapeOf(getInput());
  shape::ShapeResult r = shape::broadcast(input, target);
  if (!r || r.shape() != target)
    return emitError() << "broadcast_to cannot broadcast " << shape::str(input) << " to "
                       << shape::str(target);
  types.push_back(RankedTensorType::get(target, elementTypeOf(getInput())));
  return success();
}
