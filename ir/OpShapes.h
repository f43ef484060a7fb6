//===- OpShapes.h - helpers of the ops' shape inference ---------*- C++ -*-===//
//
// Shared by NNOps.cpp and NNBackwardOps.cpp: adapting operands and
// attributes to the rules of ir/ShapeMath and reporting their errors at ops.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_IR_OPSHAPES_H
#define NETC_IR_OPSHAPES_H

#include "ir/NNInterfaces.h"
#include "ir/ShapeMath.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Operation.h"

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

} // namespace netc::nn::detail

#endif // NETC_IR_OPSHAPES_H
