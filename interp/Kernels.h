//===- Kernels.h - the interpreter's op families (internal) -----*- C++ -*-===//
//
// The evaluator's state shared by the per-family files (Conv.cpp, Pool.cpp,
// Elementwise.cpp, ...). Each family exposes one function that evaluates an
// op of its family and returns std::nullopt for any other op.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_INTERP_KERNELS_H
#define NETC_INTERP_KERNELS_H

#include "interp/Interpreter.h"

#include "mlir/IR/Operation.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/DenseMap.h"

#include <optional>

namespace netc::interp {

/// The values computed so far while evaluating one function.
class Evaluator {
public:
  /// An evaluator that rounds f32 results unless `forceF64`.
  explicit Evaluator(bool forceF64) : forceF64(forceF64) {}

  /// The tensor of a value computed earlier (or of an argument).
  const Tensor &get(mlir::Value v) const;
  /// A zero tensor of the shape and element type of `v` (usually a result).
  Tensor zerosLike(mlir::Value v) const;
  /// Records the tensor of `v`, rounding it to f32 when `v` is f32.
  void set(mlir::Value v, Tensor t);
  /// Whether f32 values are kept in f64.
  bool isForcedF64() const { return forceF64; }
  /// `v` rounded to f32 when values of `like`'s element type are (f32 unless
  /// forced to f64): an intermediate that overflows to inf in PyTorch's f32
  /// kernels (a loss term, a sum before its division) overflows here too.
  double rounded(double v, mlir::Value like) const {
    bool f32 = mlir::getElementTypeOrSelf(like.getType()).isF32();
    return f32 && !forceF64 ? static_cast<double>(static_cast<float>(v)) : v;
  }

private:
  bool forceF64;
  llvm::DenseMap<mlir::Value, Tensor> values;
};

/// conv2d and its backward ops (Conv.cpp).
std::optional<mlir::LogicalResult> evalConvOp(mlir::Operation *op, Evaluator &ev);
/// maxpool2d, avgpool2d, their backward ops and pad2d (Pool.cpp).
std::optional<mlir::LogicalResult> evalPoolOp(mlir::Operation *op, Evaluator &ev);
/// Activations, arithmetic, dropout, softmax (Elementwise.cpp).
std::optional<mlir::LogicalResult> evalElementwiseOp(mlir::Operation *op, Evaluator &ev);
/// gelu and silu of one element, and the kernel of gelu_backward
/// (Activations.cpp; Elementwise.cpp dispatches to them).
double geluOf(double x);
double siluOf(double x);
mlir::LogicalResult evalGeluBackward(mlir::Operation *op, Evaluator &ev);
/// linear, matmul, embedding and embedding_backward (Linear.cpp).
std::optional<mlir::LogicalResult> evalLinearOp(mlir::Operation *op, Evaluator &ev);
/// sum, mean, sqnorm, sum_to, broadcast_to (Reduce.cpp).
std::optional<mlir::LogicalResult> evalReduceOp(mlir::Operation *op, Evaluator &ev);
/// The losses and their backward ops (Loss.cpp).
std::optional<mlir::LogicalResult> evalLossOp(mlir::Operation *op, Evaluator &ev);
/// flatten, reshape, transpose, concat, slice (Shape.cpp).
std::optional<mlir::LogicalResult> evalShapeOp(mlir::Operation *op, Evaluator &ev);
/// The arith ops of train steps: constants and scalar arithmetic (Arith.cpp).
std::optional<mlir::LogicalResult> evalArithOp(mlir::Operation *op, Evaluator &ev);

/// Normalises a possibly negative axis against `rank`.
inline int64_t normalizeAxis(int64_t axis, int64_t rank) { return axis < 0 ? axis + rank : axis; }

} // namespace netc::interp

#endif // NETC_INTERP_KERNELS_H
