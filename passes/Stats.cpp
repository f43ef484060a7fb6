//===- Stats.cpp ----------------------------------------------------------===//

#include "passes/Reports.h"

#include "llvm/Support/raw_ostream.h"

namespace netc {
mlir::LogicalResult printStats(mlir::ModuleOp module, llvm::raw_ostream &os) {
  return module.emitError("not implemented yet");
}
} // namespace netc
