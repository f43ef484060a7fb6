//===- Signature.h - the roles of a model function's values -----*- C++ -*-===//
//
// A model is a `func.func` whose arguments and results say what they are
// through the nn dialect's attributes (ir/NNDialect.td):
//
//   arguments  nn.input = "x"        what the caller supplies
//              nn.param = "fc.weight" a trained parameter (with nn.init)
//              nn.seed                the i64 dropout seed of a train step
//              nn.state = "w.m"       optimizer state of a train step
//              nn.hyper = "lr"        a run-time hyperparameter of a train step
//                                     (0-d f64; nn.value holds its compiled value)
//              nn.buffer = "bn.mean"  non-trainable state kept with the weights
//   results    nn.output, nn.loss, nn.grad, nn.grad_input, nn.param_update,
//              nn.state (its next value), nn.buffer_update
//   functions  nn.train_step_of = "forward", nn.optimizer = {...}
//
// This is the one reader of those roles: the interpreter, codegen, passes and
// reports ask it, and the dialect's verifier takes its name limits from the
// same table.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_IR_SIGNATURE_H
#define NETC_IR_SIGNATURE_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>
#include <string>

namespace netc::nn {

/// What an argument of a model function is.
enum class ArgRole { Input, Param, Seed, State, Buffer, Hyper, Other };

/// What a result of a model function is.
enum class ResultRole { Loss, Output, Grad, GradInput, ParamUpdate, State, BufferUpdate, Other };

/// One argument: its position, role and name (the attribute's string, "seed"
/// for the seed, or "arg#N" when it has no role).
struct ArgInfo {
  unsigned index;
  ArgRole role;
  std::string name;
};

/// One result: its position, role and name (the attribute's string, or
/// "result#N" when it has no role).
struct ResultInfo {
  unsigned index;
  ResultRole role;
  std::string name;
};

/// The attribute that marks `role` ("nn.param"); empty for Other.
llvm::StringRef roleAttrName(ArgRole role);
llvm::StringRef roleAttrName(ResultRole role);

/// The role of argument `index` of `fn`; when it carries several role
/// attributes the first of ArgRole's order wins.
ArgRole argRole(mlir::func::FuncOp fn, unsigned index);
/// The role of result `index` of `fn`, as argRole does for arguments.
ResultRole resultRole(mlir::func::FuncOp fn, unsigned index);
/// The role of `value` when it is an argument of a model function, else Other.
ArgRole argRole(mlir::Value value);

/// The name that argument `index` has in `role`, or null when the argument
/// has no such string attribute. argName(fn, i, ArgRole::Param) reads
/// `{nn.param = "NAME"}` whatever other attributes the argument has.
mlir::StringAttr argName(mlir::func::FuncOp fn, unsigned index, ArgRole role);
/// The name that result `index` has in `role`, or null.
mlir::StringAttr resultName(mlir::func::FuncOp fn, unsigned index, ResultRole role);
/// The name a function argument `value` has in `role`, or null.
mlir::StringAttr argName(mlir::Value value, ArgRole role);

/// Whether `value` is a function argument marked with `role`.
inline bool hasArgRole(mlir::Value value, ArgRole role) { return argRole(value) == role; }
inline bool isParam(mlir::Value value) { return hasArgRole(value, ArgRole::Param); }
inline bool isInput(mlir::Value value) { return hasArgRole(value, ArgRole::Input); }

/// The attribute `role = name` for an argument or result dictionary; a seed
/// takes no name (it is a unit attribute).
mlir::NamedAttribute roleAttr(mlir::MLIRContext *ctx, ArgRole role, llvm::StringRef name = {});
mlir::NamedAttribute roleAttr(mlir::MLIRContext *ctx, ResultRole role, llvm::StringRef name);

/// The compiled value (nn.value) of hyperparameter argument `index`, or
/// nullopt when it has none.
std::optional<double> hyperValue(mlir::func::FuncOp fn, unsigned index);
/// Marks argument `index` of `fn` as the hyperparameter `name` with the
/// compiled value `value`.
void setHyper(mlir::func::FuncOp fn, unsigned index, llvm::StringRef name, double value);

/// The nn.init dictionary of parameter argument `index`, or null.
mlir::DictionaryAttr paramInit(mlir::func::FuncOp fn, unsigned index);

/// The forward function a train step was derived from (nn.train_step_of),
/// or null when `fn` is not marked as a train step.
mlir::StringAttr trainStepOf(mlir::Operation *fn);
/// Marks `step` as the train step of the function `forward`.
void setTrainStepOf(mlir::Operation *step, llvm::StringRef forward);
/// The nn.optimizer dictionary of a forward function, or null.
mlir::DictionaryAttr optimizerOf(mlir::Operation *fn);

/// Every argument of `fn` with its role and name.
llvm::SmallVector<ArgInfo> describeArguments(mlir::func::FuncOp fn);
/// Every result of `fn` with its role and name.
llvm::SmallVector<ResultInfo> describeResults(mlir::func::FuncOp fn);

/// The longest value the nn attribute `attrName` may hold when it holds a
/// name, or 0 when it holds none: names a user writes (input, param, buffer,
/// output, loss) have kMaxNameBytes, names the compiler derives from them
/// kMaxDerivedNameBytes.
size_t nameLimit(llvm::StringRef attrName);

} // namespace netc::nn

#endif // NETC_IR_SIGNATURE_H
