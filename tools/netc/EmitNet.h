//===- EmitNet.h - a model printed as .net source ---------------*- C++ -*-===//
//
// netc --emit=net: any model of the nn dialect (from a .net file, an .mlir
// file or an import) printed as readable .net source that compiles back to
// the same IR: its inputs, parameters and buffers under their names, its ops
// as the language's layers where they reproduce the IR exactly, else as
// explicit calls, and its outputs, losses and train statements.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_TOOLS_NETC_EMITNET_H
#define NETC_TOOLS_NETC_EMITNET_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace netc::tool {

/// Prints every model function of `module` (after the import pipeline) as
/// .net source; `weightsFile`, when not empty, is named by a `weights`
/// statement in each model. Reports an op it cannot print at its location.
mlir::LogicalResult emitNet(mlir::ModuleOp module, llvm::raw_ostream &os,
                            const std::string &weightsFile = "");

/// --emit=net: emitNet, and the model's initial values (tool::modelWeights)
/// written beside `output` as OUTPUT.safetensors, which the printed source
/// names; printed to stdout, the source names the file they came from.
mlir::LogicalResult emitNetWithWeights(mlir::ModuleOp module, const std::string &output,
                                       llvm::raw_ostream &os);

} // namespace netc::tool

#endif // NETC_TOOLS_NETC_EMITNET_H
