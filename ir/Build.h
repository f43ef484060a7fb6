//===- Build.h - creating nn ops with inferred result types -----*- C++ -*-===//

#ifndef NETC_IR_BUILD_H
#define NETC_IR_BUILD_H

#include "mlir/IR/Builders.h"

namespace netc::nn {

/// Creates the nn op `opName` with its result type inferred from the operands
/// and attributes (ShapeInferenceOpInterface), so callers never spell result
/// types. On failure the op's error has been emitted at `loc`, the op is
/// erased, and null is returned.
mlir::Value createInferred(mlir::OpBuilder &builder, mlir::Location loc, llvm::StringRef opName,
                           mlir::ValueRange operands,
                           llvm::ArrayRef<mlir::NamedAttribute> attrs = {});

/// The typed form: `createInferred<nn::AddOp>(b, loc, {x, y})`.
template <typename OpTy>
mlir::Value createInferred(mlir::OpBuilder &builder, mlir::Location loc, mlir::ValueRange operands,
                           llvm::ArrayRef<mlir::NamedAttribute> attrs = {}) {
  return createInferred(builder, loc, OpTy::getOperationName(), operands, attrs);
}

} // namespace netc::nn

#endif // NETC_IR_BUILD_H
