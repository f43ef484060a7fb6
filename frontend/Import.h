//===- Import.h - .net files into the nn dialect ----------------*- C++ -*-===//
//
// The public entry points of the frontend: parse a .net buffer, report every
// error as an MLIR diagnostic at its FILE:LINE:COL, and import one model as a
// func.func of nn ops (inputs and parameters as marked arguments).
//
//===----------------------------------------------------------------------===//

#ifndef NETC_FRONTEND_IMPORT_H
#define NETC_FRONTEND_IMPORT_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "ir/ModelWeights.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace llvm {
class SourceMgr;
class raw_ostream;
} // namespace llvm

namespace mlir {
class MLIRContext;
} // namespace mlir

namespace netc::frontend {

/// The value of `-D NAME=VALUE`: an integer or a float constant.
struct ConstOverride {
  bool isInt = true;
  int64_t i = 0;
  double f = 0;
};

/// Parses the VALUE of `-D NAME=VALUE` by the rules of .net literals: an
/// integer (`64`, `-1`) or a float (`0.1`, `1e-3`); nullopt for anything else.
std::optional<ConstOverride> parseConstOverride(const std::string &text);

/// Choices that shape an import.
struct ImportOptions {
  /// The model to import; empty picks the file's only model.
  std::string modelName;
  /// The most expressions `repeat` may unroll to in one model (each statement
  /// weighs one plus its expressions). Bounds the time and memory of an
  /// import, since a short file can ask for any number of iterations.
  int64_t maxUnrolled = 100000;
  /// `-D NAME=VALUE`: replaces the value of the file-level or model-level
  /// `const NAME` (the expression is still checked). A NAME that no such
  /// constant has is an error.
  std::map<std::string, ConstOverride> constOverrides;
  /// The model will be given a loss and an optimizer after import
  /// (frontend/Training.h): its buffers get their train-step updates, and
  /// train-only checks apply, as if it had `train`.
  bool trainedLater = false;
  /// Where the model's `weights "file"` statement puts the file's values;
  /// null: the statement is checked and its values dropped.
  ModelWeights *weights = nullptr;
};

/// Adds `-D NAME=VALUE` (the text after -D) to `options`; the misuse of the
/// flag (no '=', a value that is no number, a name given twice), or nullopt.
std::optional<std::string> addConstOverride(const std::string &define, ImportOptions &options);

/// Imports the model chosen by `options` from the main buffer of `sourceMgr`.
/// Every error is emitted as a diagnostic (all independent errors of the file,
/// not only the first); returns null if there was any.
mlir::OwningOpRef<mlir::ModuleOp> importNetFile(llvm::SourceMgr &sourceMgr,
                                                mlir::MLIRContext &context,
                                                const ImportOptions &options);

/// Parses the main buffer of `sourceMgr` and prints its syntax tree to `os`;
/// syntax errors are emitted as diagnostics and make it fail.
mlir::LogicalResult emitAST(llvm::SourceMgr &sourceMgr, mlir::MLIRContext &context,
                            llvm::raw_ostream &os);

} // namespace netc::frontend

#endif // NETC_FRONTEND_IMPORT_H
