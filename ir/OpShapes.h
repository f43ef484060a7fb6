//===- OpShapes.h - helpers of the ops' shape inference ---------*- C++ -*-===//
//
// Shared by the family files of ir/Ops: adapting operands and attributes to
// the rules of ir/ShapeMath and reporting their errors at ops, and the
// questions about axes and types that folders and receptive-field rules ask.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_IR_OPSHAPES_H
#define NETC_IR_OPSHAPES_H

#include "ir/NNInterfaces.h"
#include "ir/ShapeMath.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Operation.h"

#include <optional>
#include <utility>

namespace netc::nn::detail {

/// The static shape of a ranked tensor value.
shape::Shape shapeOf(mlir::Value v);

/// The element type of a tensor value.
mlir::Type elementTypeOf(mlir::Value v);

/// Appends the tensor type of a successful shape computation, or reports its
/// message at the op.
mlir::LogicalResult pushResult(mlir::Operation *op, const shape::ShapeResult &r,
                               mlir::Type elementType, llvm::SmallVectorImpl<mlir::Type> &types);

/// The DSL name of an op: its mnemonic without the dialect prefix.
llvm::StringRef dslName(mlir::Operation *op);

/// Requires all given values to share one element type, naming both when not.
mlir::LogicalResult sameElementType(mlir::Operation *op, mlir::ValueRange values);

/// Requires an array attribute to hold exactly `count` values.
mlir::LogicalResult checkArity(mlir::Operation *op, llvm::StringRef attr,
                               llvm::ArrayRef<int64_t> values, size_t count);

/// Builds the window of a conv2d or pool from its attributes, checking their arity.
mlir::FailureOr<shape::Window2d> makeWindow(mlir::Operation *op, llvm::ArrayRef<int64_t> kernel,
                                            llvm::ArrayRef<int64_t> stride,
                                            llvm::ArrayRef<int64_t> padding,
                                            llvm::ArrayRef<int64_t> dilation, bool ceilMode);

/// The receptive-field geometry of a window op along H and W.
SpatialWindow spatialWindowOf(llvm::ArrayRef<int64_t> kernel, llvm::ArrayRef<int64_t> stride,
                              llvm::ArrayRef<int64_t> padding, llvm::ArrayRef<int64_t> dilation);

/// Binary elementwise ops: the broadcast shape of `lhs` and `rhs`.
mlir::LogicalResult inferBroadcast(mlir::Operation *op, mlir::Value lhs, mlir::Value rhs,
                                   llvm::SmallVectorImpl<mlir::Type> &types);

/// Elementwise backward ops: operands of one shape, result of that shape.
mlir::LogicalResult inferSameShape(mlir::Operation *op, mlir::ValueRange values,
                                   llvm::SmallVectorImpl<mlir::Type> &types);

/// Whether `replacement` may stand for a result of type `resultType` in a
/// fold: both have one static tensor type (equal unranked types prove nothing).
bool keepsType(mlir::Value replacement, mlir::Type resultType);

/// The rank of a ranked tensor value, or -1 for anything else.
int64_t rankOf(mlir::Value v);

/// Axis `dim` of a value of rank `rank` in [0, rank), negative values counting
/// from the end; -1 when out of range.
int64_t wrapAxis(int64_t dim, int64_t rank);

/// Whether axis `dim` (negative counting from the end) is one of the two
/// trailing, spatial axes of a value of rank `rank`; an axis out of range
/// counts as spatial.
bool isSpatialAxis(int64_t dim, int64_t rank);

/// The sizes of the two trailing (spatial) axes of a value of rank >= 2.
std::optional<std::pair<int64_t, int64_t>> spatialSizes(mlir::Value v);

} // namespace netc::nn::detail

#endif // NETC_IR_OPSHAPES_H
