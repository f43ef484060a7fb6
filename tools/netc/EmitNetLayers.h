//===- EmitNetLayers.h - layer calls that reproduce the IR ------*- C++ -*-===//
//
// conv2d, linear and batch_norm1d/2d create their own parameters (and
// buffers) with the language's names and initialisers. Where an op's
// parameters are exactly those, --emit=net prints the layer call
// (`conv2d(x, out=64, kernel=3, padding=1, name="layer1.0.conv1")`) instead
// of declaring them. This file finds those ops and spells their calls, and
// spells the model's `train` statements.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_TOOLS_NETC_EMITNETLAYERS_H
#define NETC_TOOLS_NETC_EMITNETLAYERS_H

#include "ir/Signature.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <map>
#include <optional>
#include <string>

namespace netc::tool {

/// An op printed as a layer call: the arguments it creates, in order.
struct LayerForm {
  mlir::Operation *op = nullptr;
  /// The language's op (conv2d, linear, batch_norm2d), the parameters'
  /// prefix and the call's keywords after `x`.
  std::string callee, prefix, keywords;
  int64_t firstArg = 0, lastArg = 0;
  /// batch norm's counter update, printed by the call.
  mlir::Operation *increment = nullptr;
};

/// The layer forms of one model function.
class LayerForms {
public:
  explicit LayerForms(mlir::func::FuncOp fn);

  /// The layer form of `op`, or null.
  const LayerForm *formOf(mlir::Operation *op) const;
  /// The op whose layer form creates argument `index`, or null.
  mlir::Operation *ownerOf(unsigned index) const;
  /// Prints `op` explicitly after all (its arguments are needed elsewhere first).
  void demote(mlir::Operation *op) { demoted.insert(op); }
  bool isDemoted(mlir::Operation *op) const { return demoted.contains(op); }
  /// Ops a layer call creates besides its main op (batch norm's counter).
  bool isAbsorbed(mlir::Operation *op) const { return absorbed.contains(op); }
  /// Whether `value` is a buffer update that a layer call makes by itself.
  bool isImplicitUpdate(mlir::Value value) const;
  /// The call of `form` on the operand text `x`; counts the calls of each
  /// layer so that default names (conv2d0) are left out.
  std::string spell(const LayerForm &form, const std::string &x);
  /// The call inside a block whose path is `blockPath`: named by the rest
  /// of its prefix, always with name=; counted as spell counts.
  std::string spellInBlock(const LayerForm &form, const std::string &x,
                           const std::string &blockPath);
  /// The counts spell keeps, to be put back after printing trial text.
  std::map<std::string, int64_t> counts() const { return counters; }
  void setCounts(std::map<std::string, int64_t> saved) { counters = std::move(saved); }
  /// The `train` statements of the function's optimizers.
  std::string trainStatements(llvm::ArrayRef<nn::ResultInfo> results) const;

private:
  void tryConv(mlir::Operation *op);
  void tryLinear(mlir::Operation *op);
  void tryBatchNorm(mlir::Operation *op);
  /// Claims the weight (operand 1) and the bias (operand 2, if any) of a
  /// conv2d or linear, both initialised by `init`.
  void claimWeightAndBias(mlir::Operation *op, mlir::DictionaryAttr init, LayerForm form);
  /// Whether the parameters `values` are consecutive arguments named
  /// prefix + suffixes, each used only by `op` (and its counter), with the
  /// initialisers `inits` (nn.init dictionaries); records the form.
  bool claim(mlir::Operation *op, llvm::ArrayRef<mlir::Value> values,
             llvm::ArrayRef<const char *> suffixes, llvm::ArrayRef<mlir::DictionaryAttr> inits,
             LayerForm form);

  mlir::func::FuncOp fn;
  std::map<mlir::Operation *, LayerForm> forms;
  llvm::DenseMap<unsigned, mlir::Operation *> owners;
  llvm::DenseSet<mlir::Operation *> demoted, absorbed;
  llvm::DenseSet<mlir::Value> implicitUpdates;
  std::map<std::string, int64_t> counters;
};

/// `op` as the language's own call (EmitNetCalls.cpp), its operands spelt by
/// `operand`; nullopt when no call builds it exactly.
std::optional<std::string> spellLanguageCall(mlir::Operation *op,
                                             llvm::function_ref<std::string(mlir::Value)> operand);

} // namespace netc::tool

#endif // NETC_TOOLS_NETC_EMITNETLAYERS_H
