//===- EmitNetPrinter.h - the printer of --emit=net (internal) --*- C++ -*-===//
//
// The printer's state, shared by EmitNet.cpp (ops, declarations, results)
// and EmitNetPlan.cpp (the pieces printed as blocks).
//
//===----------------------------------------------------------------------===//

#ifndef NETC_TOOLS_NETC_EMITNETPRINTER_H
#define NETC_TOOLS_NETC_EMITNETPRINTER_H

#include "EmitNetLayers.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/raw_ostream.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace netc::tool {

/// A piece of the model printed as a block call: ops [begin, end) of the
/// model's op list, its tensor inputs and its one result.
struct Piece {
  size_t begin = 0, end = 0;
  std::string path;
  llvm::SmallVector<mlir::Value> inputs;
  int64_t firstArg = -1, lastArg = -1;
  /// The block it calls and the numbers it passes.
  std::string block;
  std::vector<std::string> values;
};

/// Prints one model function, or the body of a block from a piece of it.
class ModelPrinter {
public:
  ModelPrinter(mlir::func::FuncOp fn, LayerForms &layers) : fn(fn), layers(layers) {
    args = nn::describeArguments(fn);
    results = nn::describeResults(fn);
  }

  mlir::LogicalResult print(llvm::raw_ostream &os, const std::string &weightsFile);

private:
  /// Declares every argument up to index `last` not declared yet.
  void declareUpTo(int64_t last);
  void declare(unsigned index);
  /// The expression of `value` as an operand.
  std::string operand(mlir::Value value);
  /// The expression of op `op` (its first result).
  std::optional<std::string> expression(mlir::Operation *op);
  std::optional<std::string> genericCall(mlir::Operation *op);
  /// A fresh local name made from `hint`.
  std::string freshName(llvm::StringRef hint);
  /// Prints the results from `nextResult` on, as far as their values are
  /// named (all of them when `all`).
  void printResults(bool all);
  /// The head of the statement (`  output y = `) that gives `result` when it
  /// is the next result to print, binding its name; else nullopt.
  std::optional<std::string> resultStatement(mlir::Value result);
  /// Prints `ops` as statements into `pending` (a block body ends with `return`).
  void emitOps(llvm::ArrayRef<mlir::Operation *> ops);
  /// The call of `piece`, or nullopt when it cannot be one after all.
  std::optional<std::string> emitCall(const Piece &piece);
  /// Finds the pieces worth a block and writes the blocks' definitions.
  void planBlocks(llvm::ArrayRef<mlir::Operation *> ops, llvm::raw_ostream &os);
  std::optional<Piece> makePiece(llvm::ArrayRef<mlir::Operation *> ops, size_t begin, size_t end,
                                 const std::string &path);
  /// The body of `piece` as a block's statements, or nullopt.
  std::optional<std::string> pieceBody(llvm::ArrayRef<mlir::Operation *> ops, const Piece &piece,
                                       std::vector<std::string> &locals);

  mlir::func::FuncOp fn;
  LayerForms &layers;
  llvm::SmallVector<nn::ArgInfo> args;
  llvm::SmallVector<nn::ResultInfo> results;
  /// Names of values (arguments and bound ops), and inlined expressions.
  llvm::DenseMap<mlir::Value, std::string> names;
  llvm::DenseMap<mlir::Operation *, std::string> inlined;
  llvm::StringSet<> taken;
  /// The local names given so far (a subset of `taken`).
  llvm::StringSet<> locals;
  int64_t declared = 0;
  unsigned nextResult = 0;
  std::string pending;
  bool failedOp = false;
  /// Set in the printer of a block's body: the path of its piece.
  std::optional<std::string> blockPath;
  /// The pieces printed as calls, by their first op's index.
  std::map<size_t, Piece> pieces;
};

} // namespace netc::tool

#endif // NETC_TOOLS_NETC_EMITNETPRINTER_H
