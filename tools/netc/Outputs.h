//===- Outputs.h - netc's object files and quoted diagnostics -*- C++ -*-===//

#ifndef NETC_TOOLS_NETC_OUTPUTS_H
#define NETC_TOOLS_NETC_OUTPUTS_H

#include "reports/Reports.h"

#include "mlir/Support/LogicalResult.h"

#include <optional>
#include <string>

namespace llvm {
class SourceMgr;
class raw_ostream;
} // namespace llvm
namespace mlir {
class MLIRContext;
class ModuleOp;
} // namespace mlir
namespace netc::codegen {
struct CodegenOptions;
} // namespace netc::codegen

namespace netc::tool {

/// What netc writes (--emit).
enum class Emit {
  Ast,
  NN,
  Opt,
  Grad,
  RF,
  RFJson,
  RFSvg,
  Stats,
  Dot,
  Halide,
  Obj,
  Lib,
  So,
  Exe,
  Net
};

/// Generates code for `kind` (Halide, Obj, Lib, So or Exe) from the
/// optimized, differentiated `module`: Halide statements to `os`, the other
/// kinds as files at `outputFilename`.
mlir::LogicalResult emitCode(mlir::ModuleOp module, Emit kind,
                             const codegen::CodegenOptions &options,
                             const std::string &outputFilename, llvm::raw_ostream &os);

/// Writes NAME.o and NAME.h for `-o NAME.o` (`outputFilename`); nothing is
/// left behind on failure.
mlir::LogicalResult emitObject(mlir::ModuleOp module, const std::string &outputFilename,
                               const codegen::CodegenOptions &options);

/// The peak memory of `model`'s train step in the executable netc would
/// compile from the optimized module holding it (codegen/StepMemory.h), for
/// --emit=stats; nullopt, silently, where there is no such executable.
std::optional<StepPeak> predictStepPeak(mlir::func::FuncOp model);

/// Registers a diagnostic handler that gives files netc has not read an
/// empty buffer, so that their lines are never quoted (Outputs.cpp).
void guardQuotedFiles(mlir::MLIRContext &context, llvm::SourceMgr &sourceMgr);

} // namespace netc::tool

#endif // NETC_TOOLS_NETC_OUTPUTS_H
