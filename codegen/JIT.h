//===- JIT.h - compiled functions run in this process -----------*- C++ -*-===//
//
// Runs a function through the same lowering and schedules as the AOT
// artifacts, JIT-compiled by Halide, on the reference interpreter's tensors:
// the engine that tests and --gradcheck compare with the interpreter.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_CODEGEN_JIT_H
#define NETC_CODEGEN_JIT_H

#include "codegen/Codegen.h"
#include "interp/Tensor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/SmallVector.h"

#include <memory>

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

} // namespace netc::codegen

#endif // NETC_CODEGEN_JIT_H
