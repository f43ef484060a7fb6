//===- Codegen.h - nn functions into native code ----------------*- C++ -*-===//
//
// The entry points of code generation, free of Halide's header so that the
// driver compiles without it. Errors (Halide's included) are diagnostics.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_CODEGEN_CODEGEN_H
#define NETC_CODEGEN_CODEGEN_H

#include "codegen/Schedules/ConvTune.h"
#include "codegen/Schedules/HostTune.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

#include <string>
#include <vector>

namespace llvm {
class raw_ostream;
} // namespace llvm

namespace netc {
struct ModelWeights;
} // namespace netc

namespace netc::codegen {

/// How to generate code.
struct CodegenOptions {
  /// A Halide target string; "host" is this machine.
  std::string target = "host";
  /// A name of scheduleNames(): "hand" by default.
  std::string schedule = "hand";
  /// How the hand schedule picks the vector width of multiply-add tiles:
  /// from a measurement of this host (cached by default), or Off for the
  /// target's natural width. Targets other than the host always get the
  /// natural width.
  TuneMode tune = TuneMode::Cached;
  /// How 3x3 stride-1 convolutions are computed: directly, by Winograd, or
  /// (Auto) as measured on this host under `tune` (ConvTune.h).
  ConvAlgo convAlgo = ConvAlgo::Auto;
  /// The model's default weights (ir/ModelWeights.h), or null: libraries and
  /// executables embed them, and every context starts from them.
  const ModelWeights *defaultWeights = nullptr;
};

/// The largest buffer compiled code can index: Halide 14 without its
/// large_buffers feature computes offsets with 32-bit integers.
constexpr int64_t kMaxBufferBytes = 2147483647;

/// Reports, at the op (or at the argument), every tensor of `func` larger
/// than kMaxBufferBytes; checked before Halide sees the function.
mlir::LogicalResult checkIndexable(mlir::func::FuncOp func);

/// Makes Halide's compile-time warnings that a pipeline is guaranteed to
/// fail at runtime throw a Halide::CompileError, like its errors; other
/// warnings are kept for reportHalideWarnings(). Idempotent and thread-safe.
void installHalideReporter();

/// Emits Halide's warnings kept since the last call as warnings at `at`.
void reportHalideWarnings(mlir::Operation *at);

/// Whether `target` is a valid Halide target string with a GPU feature.
bool isGpuTarget(const std::string &target);

/// Prints Halide's lowered statement (the loop nests) of every function.
mlir::LogicalResult emitHalideStatements(mlir::ModuleOp module, const CodegenOptions &options,
                                         llvm::raw_ostream &os);

/// Compiles every function of the module into one object file with the
/// Halide runtime (`objectPath`) and a C header declaring one entry point per
/// function (`headerPath`): `int NAME(halide_buffer_t *arg..., halide_buffer_t
/// *result...)` and its `NAME_argv(void **)` form, arguments in the function's
/// argument order, then its results.
mlir::LogicalResult compileToObject(mlir::ModuleOp module, const CodegenOptions &options,
                                    const std::string &objectPath, const std::string &headerPath);

/// As compileToObject, for libraries and executables: the functions are
/// compiled on all cores, into one object per worker (OBJECTBASE.K.o, listed
/// in `objects`; Halide's runtime is in the first), without a header.
mlir::LogicalResult compileToObjects(mlir::ModuleOp module, const CodegenOptions &options,
                                     const std::string &objectBase,
                                     std::vector<std::string> &objects);

} // namespace netc::codegen

#endif // NETC_CODEGEN_CODEGEN_H
