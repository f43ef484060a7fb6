//===- JIT.h - compiled functions run in this process -----------*- C++ -*-===//
//
// Runs a function through the same lowering and schedules as the AOT
// artifacts, JIT-compiled by Halide, on the reference interpreter's tensors:
// the engine that tests and --gradcheck compare with the interpreter. A
// library of its own (NetCJIT), so that code generation does not depend on
// the interpreter.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_JIT_JIT_H
#define NETC_JIT_JIT_H

#include "codegen/Codegen.h"
#include "interp/Tensor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/SmallVector.h"

#include <map>
#include <memory>
#include <vector>

namespace netc::codegen {

/// One function, lowered, scheduled and compiled once, run many times.
class JITFunction {
public:
  /// Lowers and schedules `func`; errors are emitted as diagnostics.
  static mlir::FailureOr<std::unique_ptr<JITFunction>> compile(mlir::func::FuncOp func,
                                                               const CodegenOptions &options);
  ~JITFunction();

  /// Runs on `args` (one per function argument; i64 scalars as 0-d integer
  /// tensors) and returns the results. Float arguments are converted to the
  /// argument's element type.
  mlir::FailureOr<llvm::SmallVector<interp::Tensor>> run(llvm::ArrayRef<interp::Tensor> args);

private:
  struct Impl;
  explicit JITFunction(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl;
};

/// Runs functions the way interp::evaluate does, but through compiled code:
/// each function is compiled once and cached. With `forceF64`, an f64 copy
/// of the function (every f32 tensor widened) is compiled instead, so that
/// --gradcheck on compiled code runs the generated kernels in double.
class JITEvaluator {
public:
  explicit JITEvaluator(CodegenOptions options);
  ~JITEvaluator();
  mlir::FailureOr<llvm::SmallVector<interp::Tensor>>
  operator()(mlir::func::FuncOp func, llvm::ArrayRef<interp::Tensor> args, bool forceF64);

private:
  CodegenOptions options;
  std::vector<mlir::OwningOpRef<mlir::func::FuncOp>> widened;
  std::map<std::pair<mlir::Operation *, bool>, std::unique_ptr<JITFunction>> cache;
};

/// A copy of `func` with every f32 tensor (arguments, results, constants)
/// widened to f64; the nn ops are polymorphic in their element type.
mlir::OwningOpRef<mlir::func::FuncOp> widenToF64(mlir::func::FuncOp func);

} // namespace netc::codegen

#endif // NETC_JIT_JIT_H
