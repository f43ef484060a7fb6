//===- OpShapes.cpp - helpers of the ops' shape inference -----------------===//
//
// The adapters between nn ops and ir/ShapeMath that every family file uses;
// declared and described in OpShapes.h.
//
//===----------------------------------------------------------------------===//

#include "ir/OpShapes.h"

#include <algorithm>

using namespace mlir;
namespace shape = netc::shape;

namespace netc::nn::detail {

shape::Shape shapeOf(Value v) {
  ArrayRef<int64_t> dims = cast<RankedTensorType>(v.getType()).getShape();
  return shape::Shape(dims.begin(), dims.end());
}

Type elementTypeOf(Value v) { return cast<TensorType>(v.getType()).getElementType(); }

LogicalResult pushResult(Operation *op, const shape::ShapeResult &r, Type elementType,
                         SmallVectorImpl<Type> &types) {
  if (!r)
    return op->emitError(r.message());
  types.push_back(RankedTensorType::get(r.shape(), elementType));
  return success();
}

StringRef dslName(Operation *op) { return op->getName().stripDialect(); }

LogicalResult sameElementType(Operation *op, ValueRange values) {
  Type first = elementTypeOf(values.front());
  for (Value v : values.drop_front())
    if (elementTypeOf(v) != first)
      return op->emitError() << dslName(op) << " expects operands of one element type, got "
                             << first << " and " << elementTypeOf(v);
  return success();
}

LogicalResult checkArity(Operation *op, StringRef attr, ArrayRef<int64_t> values, size_t count) {
  if (values.size() == count)
    return success();
  return op->emitError() << dslName(op) << " expects '" << attr << "' to hold " << count
                         << " values, got " << values.size();
}

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

SpatialWindow spatialWindowOf(ArrayRef<int64_t> kernel, ArrayRef<int64_t> stride,
                              ArrayRef<int64_t> padding, ArrayRef<int64_t> dilation) {
  auto axis = [&](unsigned i) {
    return AxisWindow{dilation[i] * (kernel[i] - 1) + 1, stride[i], padding[2 * i]};
  };
  return SpatialWindow{axis(0), axis(1)};
}

LogicalResult inferBroadcast(Operation *op, Value lhs, Value rhs, SmallVectorImpl<Type> &types) {
  if (failed(sameElementType(op, {lhs, rhs})))
    return failure();
  shape::ShapeResult r = shape::broadcast(shapeOf(lhs), shapeOf(rhs));
  if (!r)
    return op->emitError() << dslName(op) << ": " << r.message();
  return pushResult(op, r, elementTypeOf(lhs), types);
}

LogicalResult inferSameShape(Operation *op, ValueRange values, SmallVectorImpl<Type> &types) {
  if (failed(sameElementType(op, values)))
    return failure();
  for (Value v : values.drop_front())
    if (shapeOf(v) != shapeOf(values.front()))
      return op->emitError() << dslName(op) << " expects operands of one shape, got "
                             << shape::str(shapeOf(values.front())) << " and "
                             << shape::str(shapeOf(v));
  types.push_back(values.front().getType());
  return success();
}

bool keepsType(Value replacement, Type resultType) {
  auto ranked = dyn_cast<RankedTensorType>(resultType);
  return ranked && ranked.hasStaticShape() && replacement.getType() == resultType;
}

int64_t rankOf(Value v) {
  if (auto type = dyn_cast<RankedTensorType>(v.getType()))
    return type.getRank();
  return -1;
}

int64_t wrapAxis(int64_t dim, int64_t rank) {
  if (dim < 0)
    dim += rank;
  return dim >= 0 && dim < rank ? dim : -1;
}

bool isSpatialAxis(int64_t dim, int64_t rank) {
  int64_t axis = wrapAxis(dim, rank);
  return axis < 0 || axis >= rank - 2;
}

std::optional<std::pair<int64_t, int64_t>> spatialSizes(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || type.getRank() < 2)
    return std::nullopt;
  ArrayRef<int64_t> s = type.getShape();
  return std::make_pair(s[s.size() - 2], s.back());
}

} // namespace netc::nn::detail
