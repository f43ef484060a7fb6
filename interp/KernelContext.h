//===- KernelContext.h - what the interpreter's kernels share ---*- C++ -*-===//
//
// The state a kernel reads and writes (the tensors computed so far), the
// external model that attaches one kernel function to one op, and the
// registration function of each family file under interp/Kernels/.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_INTERP_KERNELCONTEXT_H
#define NETC_INTERP_KERNELCONTEXT_H

#include "interp/Interpreter.h"
#include "ir/InterpInterface.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Operation.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/DenseMap.h"

#include <functional>

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace netc::interp {

/// The values computed so far while evaluating one function.
class KernelContext {
public:
  /// A context that rounds f32 results unless `forceF64`.
  explicit KernelContext(bool forceF64) : forceF64(forceF64) {}

  /// The tensor of a value computed earlier (or of an argument).
  const Tensor &get(mlir::Value v) const;
  /// A zero tensor of the shape and element type of `v` (usually a result).
  Tensor zerosLike(mlir::Value v) const;
  /// Records the tensor of `v`, rounding it to f32 when `v` is f32.
  void set(mlir::Value v, Tensor t);
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

/// Normalises a possibly negative axis against `rank`.
inline int64_t normalizeAxis(int64_t axis, int64_t rank) { return axis < 0 ? axis + rank : axis; }

namespace detail {
/// The op type a kernel function takes: OpT of LogicalResult(OpT, KernelContext &).
template <typename OpT> OpT kernelOp(mlir::LogicalResult (*)(OpT, KernelContext &));

/// Implements the kernel interface of `OpT` with the function `Kernel`.
template <typename OpT, auto Kernel>
struct KernelModel : nn::InterpKernelOpInterface::ExternalModel<KernelModel<OpT, Kernel>, OpT> {
  mlir::LogicalResult interpret(mlir::Operation *op, KernelContext &context) const {
    return Kernel(mlir::cast<OpT>(op), context);
  }
};
} // namespace detail

/// Attaches each of `Kernels`, functions LogicalResult(OpT, KernelContext &),
/// to its op OpT in `context`.
template <auto... Kernels> void attachKernels(mlir::MLIRContext *context) {
  (decltype(detail::kernelOp(Kernels))::template attachInterface<
       detail::KernelModel<decltype(detail::kernelOp(Kernels)), Kernels>>(*context),
   ...);
}

/// The kernels of each family (interp/Kernels/<Family>.cpp), attached when
/// the dialect loads.
void registerElementwiseKernels(mlir::DialectRegistry &registry);
void registerWindowKernels(mlir::DialectRegistry &registry);
void registerDenseKernels(mlir::DialectRegistry &registry);
void registerReductionKernels(mlir::DialectRegistry &registry);
void registerLossKernels(mlir::DialectRegistry &registry);
void registerShapeKernels(mlir::DialectRegistry &registry);
void registerTensorKernels(mlir::DialectRegistry &registry);
void registerStatefulKernels(mlir::DialectRegistry &registry);
void registerActivationKernels(mlir::DialectRegistry &registry);
void registerMathKernels(mlir::DialectRegistry &registry);
void registerRecurrentKernels(mlir::DialectRegistry &registry);
void registerRandomKernels(mlir::DialectRegistry &registry);

/// Sets `op`'s float result to `fn` of its operands' elements at each
/// position, the operands broadcast with NumPy rules and read as doubles
/// whatever their element type (Kernels/Math.cpp).
mlir::LogicalResult mapElements(mlir::Operation *op, KernelContext &ctx,
                                const std::function<double(llvm::ArrayRef<double>)> &fn);
/// The arith ops of train steps: constants and scalar arithmetic.
void registerArithKernels(mlir::DialectRegistry &registry);

} // namespace netc::interp

#endif // NETC_INTERP_KERNELCONTEXT_H
