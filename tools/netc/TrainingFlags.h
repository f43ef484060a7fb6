//===- TrainingFlags.h - --loss, --target-input, --train-with -*- C++ -*-===//
//
// The flags that give a model without a loss (an imported ONNX graph, a .net
// model written for inference) a loss and an optimizer; the frontend builds
// them (frontend/Training.h).
//
//===----------------------------------------------------------------------===//

#ifndef NETC_TOOLS_NETC_TRAININGFLAGS_H
#define NETC_TOOLS_NETC_TRAININGFLAGS_H

#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/CommandLine.h"

#include <optional>
#include <string>

namespace llvm {
class SourceMgr;
} // namespace llvm
namespace mlir {
class ModuleOp;
} // namespace mlir

namespace netc::tool {

/// The --help group of the training flags.
llvm::cl::OptionCategory &trainingFlagsCategory();

/// Whether --loss or --train-with was given: the model will be trained
/// whatever its source says (ImportOptions::trainedLater).
bool trainingFlagsGiven();

/// A misuse of the training flags (given twice, --target-input without
/// --loss, ...), or nullopt.
std::optional<std::string> trainingFlagsMisuse();

/// Adds the loss and optimizer the flags ask for to `module`, after putting
/// each flag's text in `sourceMgr` so that its errors are quoted.
mlir::LogicalResult applyTrainingFlags(mlir::ModuleOp module, llvm::SourceMgr &sourceMgr,
                                       llvm::StringRef modelName);

} // namespace netc::tool

#endif // NETC_TOOLS_NETC_TRAININGFLAGS_H
