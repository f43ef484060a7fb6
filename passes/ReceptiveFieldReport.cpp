//===- ReceptiveFieldReport.cpp ----------------------------------------------------------===//

#include "passes/Reports.h"

#include "llvm/Support/raw_ostream.h"

namespace netc {
mlir::LogicalResult printReceptiveFieldTable(mlir::ModuleOp module, llvm::raw_ostream &os) {
  return module.emitError("not implemented yet");
}
mlir::LogicalResult printReceptiveFieldJSON(mlir::ModuleOp module, llvm::raw_ostream &os) {
  return module.emitError("not implemented yet");
}
} // namespace netc
