//===- Interpreter.h - the reference interpreter of the nn dialect -*- C++ -*-===//
//
// A plain, obviously correct evaluator of nn functions: every nn op, forward
// and backward, plus the few arith ops that train steps use (constants and
// i64 seed arithmetic) and func.return. It is the oracle of codegen tests and
// of --gradcheck, and runs models before code generation exists. It is not
// meant to be fast.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_INTERP_INTERPRETER_H
#define NETC_INTERP_INTERPRETER_H

#include "interp/Tensor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

namespace netc::interp {

/// The interpreter's element type of an MLIR element type (or of a tensor
/// type's element type); f32 becomes f64 when `forceF64`.
mlir::FailureOr<ElementType> elementTypeOf(mlir::Type type, bool forceF64);

/// The static shape of a ranked tensor type; empty for a scalar type.
Shape shapeOf(mlir::Type type);

/// Evaluates `fn` on `args` (one per argument, of the argument's shape; float
/// arguments are converted to the argument's element type) and returns its
/// results. Each op computes in double; results of f32 type are rounded to
/// float after every op unless `forceF64`, which evaluates the whole function
/// in f64 (the gradient check). Errors (an unsupported op, an embedding
/// index out of range) are emitted as diagnostics at the op.
mlir::FailureOr<llvm::SmallVector<Tensor>> evaluate(mlir::func::FuncOp fn,
                                                    llvm::ArrayRef<Tensor> args, bool forceF64);

/// Like evaluate(), but computes only the ops that results number
/// `resultIndices` depend on and returns those results, in that order.
mlir::FailureOr<llvm::SmallVector<Tensor>> evaluate(mlir::func::FuncOp fn,
                                                    llvm::ArrayRef<Tensor> args, bool forceF64,
                                                    llvm::ArrayRef<unsigned> resultIndices);

} // namespace netc::interp

#endif // NETC_INTERP_INTERPRETER_H
