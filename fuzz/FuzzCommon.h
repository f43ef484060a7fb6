//===- FuzzCommon.h - what netc's fuzz targets share -------------*- C++ -*-===//
//
// The context, the import of every model of an input and the diagnostic
// handler that the fuzz targets (FrontendFuzzer.cpp, PassesFuzzer.cpp) share.
// Each target defines LLVMFuzzerTestOneInput; libFuzzer (scripts/fuzz.sh) or
// the replay driver of ReplayMain.cpp calls it.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_FUZZ_FUZZCOMMON_H
#define NETC_FUZZ_FUZZCOMMON_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace netc::fuzz {

/// Returns the context for the next input: set up as `netc` sets it up, but
/// single-threaded, and renewed every few hundred inputs. A context interns
/// every name and location it sees, so one kept for the whole run would grow
/// without bound; building a new one for every input would cost more than
/// the import.
mlir::MLIRContext &nextContext();

/// Swallows the diagnostics of one input (printing would slow the fuzzer
/// down) and counts the errors among them.
class SwallowDiagnostics {
public:
  explicit SwallowDiagnostics(mlir::MLIRContext &context);
  /// The errors reported since construction.
  unsigned errors() const { return errorCount; }

private:
  unsigned errorCount = 0;
  mlir::ScopedDiagnosticHandler handler;
};

/// Imports \p source as `netc --emit=nn` does before its passes: first with no
/// --model; a file with several models fails there, so each of its first few
/// models is then imported by name as well, and an unknown name takes the "no
/// model named" path. Calls \p onModule with each module that comes back
/// (verified by the import). `repeat` may unroll to at most \p maxUnrolled
/// expressions.
void importEachModel(std::string_view source, mlir::MLIRContext &context, int64_t maxUnrolled,
                     llvm::function_ref<void(mlir::ModuleOp)> onModule);

} // namespace netc::fuzz

#endif // NETC_FUZZ_FUZZCOMMON_H
