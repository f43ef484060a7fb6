//===- NNFolds.cpp - folders of the nn dialect -----------------------------===//
//
// The canonical simplifications users expect of a graph they wrote by hand:
// idempotent activations, chains of shape ops that cancel or merge, adding
// zeros and multiplying by ones, dropouts that drop nothing. Each is a folder,
// so `canonicalize` applies them and every pass that folds gets them too.
//
// Folders here only ever return an existing value or modify their op in
// place; none returns a constant attribute, so the dialect needs no constant
// materializer. Every fold that replaces a result by another value checks that
// the two have the same static type: before shape inference results may be
// unranked (`tensor<*xf32>`), and equal unranked types prove nothing.
//
//===----------------------------------------------------------------------===//

#include "ir/NNOps.h"

#include "mlir/IR/BuiltinAttributes.h"

#include <algorithm>

using namespace mlir;
using namespace netc::nn;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// Whether `replacement` may stand for a result of type `resultType`: both
/// have one static tensor type.
static bool keepsType(Value replacement, Type resultType) {
  auto ranked = dyn_cast<RankedTensorType>(resultType);
  return ranked && ranked.hasStaticShape() && replacement.getType() == resultType;
}

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

/// The axis `dim` of a tensor of rank `rank`, negative values counting from
/// the end.
static int64_t normalizeAxis(int64_t dim, int64_t rank) { return dim < 0 ? dim + rank : dim; }

//===----------------------------------------------------------------------===//
// Dropout
//===----------------------------------------------------------------------===//

/// dropout(x, p = 0) keeps every element and scales by 1 / (1 - 0) = 1: it is
/// x, in training (whatever its seed) as in inference.
OpFoldResult DropoutOp::fold(FoldAdaptor) {
  if (getP().isZero() && keepsType(getInput(), getType()))
    return getInput();
  return {};
}

//===----------------------------------------------------------------------===//
// Activations and elementwise arithmetic
//===----------------------------------------------------------------------===//

/// relu is idempotent: relu(relu(x)) = relu(x), so the outer one is the inner.
OpFoldResult ReluOp::fold(FoldAdaptor) {
  if (getInput().getDefiningOp<ReluOp>() && keepsType(getInput(), getType()))
    return getInput();
  return {};
}

/// x + 0 and 0 + x fold to x when broadcasting the zeros does not change the
/// shape of x.
OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  if (isZeroSplat(adaptor.getRhs()) && keepsType(getLhs(), getType()))
    return getLhs();
  if (isZeroSplat(adaptor.getLhs()) && keepsType(getRhs(), getType()))
    return getRhs();
  return {};
}

/// x - 0 folds to x (0 - x is a negation, not x).
OpFoldResult SubOp::fold(FoldAdaptor adaptor) {
  if (isZeroSplat(adaptor.getRhs()) && keepsType(getLhs(), getType()))
    return getLhs();
  return {};
}

/// x * 1 and 1 * x fold to x when broadcasting the ones does not change the
/// shape of x. x * 0 is not folded: it is NaN where x is infinite or NaN.
OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  if (isOneSplat(adaptor.getRhs()) && keepsType(getLhs(), getType()))
    return getLhs();
  if (isOneSplat(adaptor.getLhs()) && keepsType(getRhs(), getType()))
    return getRhs();
  return {};
}

/// x / 1 folds to x.
OpFoldResult DivOp::fold(FoldAdaptor adaptor) {
  if (isOneSplat(adaptor.getRhs()) && keepsType(getLhs(), getType()))
    return getLhs();
  return {};
}

//===----------------------------------------------------------------------===//
// Shape manipulation
//===----------------------------------------------------------------------===//

/// A flatten whose result has its operand's type covers a range of one axis
/// (the default range 1..-1 of a 2-d tensor, say): it is its operand.
OpFoldResult FlattenOp::fold(FoldAdaptor) {
  if (keepsType(getInput(), getType()))
    return getInput();
  return {};
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
