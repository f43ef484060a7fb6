//===- Model.h - model functions as the interpreter's driver sees them -*- C++ -*-===//
//
// The roles of a model function's arguments and results (their nn.*
// attributes), seeded values for its inputs and parameters, and the JSON
// files that --dump writes and --load reads.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_INTERP_MODEL_H
#define NETC_INTERP_MODEL_H

#include "interp/Tensor.h"
#include "ir/Signature.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/SmallVector.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace netc::interp {

// The roles of arguments and results are the dialect's (ir/Signature.h).
using nn::ArgInfo;
using nn::ArgRole;
using nn::describeArguments;
using nn::describeResults;
using nn::ResultInfo;
using nn::ResultRole;

/// Named tensors: what --dump writes and --load reads. After --train,
/// `params` are the initial parameters, `trainedParams` those after the last
/// step and `losses` the loss of every step. Buffers travel with the
/// parameters (in `params` and `trainedParams`), as they do in weight files.
struct TensorSet {
  std::map<std::string, Tensor> inputs, params, outputs, trainedParams;
  std::optional<double> loss;
  std::vector<double> losses;
};

/// The model's forward function: the function `name` or, when `name` is
/// empty, the first function that is not a train step; null if none.
mlir::func::FuncOp findForward(mlir::ModuleOp module, llvm::StringRef name = {});

/// The model's train step: a function marked nn.train_step_of or with an
/// nn.grad result; with a `name`, the one named so or marked
/// nn.train_step_of = name; null if none.
mlir::func::FuncOp findTrainStep(mlir::ModuleOp module, llvm::StringRef name = {});

/// Values for every argument of `fn`: inputs and parameters from `loaded`
/// when it has them (checked against the argument's shape), else seeded as
/// runtime/Init.h describes (parameters by their nn.init; float inputs from
/// U(-1, 1), or U(0, 1) when a bce takes them; integer inputs uniform in
/// [0, bound) with bound the smallest embedding table or cross_entropy class
/// count among their uses, else 10); seed
/// arguments get `dropoutSeed`; buffers by their nn.init (from stream
/// runtime::bufferStream, at zero without one) and optimizer state at zero
/// (buffers load from `loaded->params` like parameters).
mlir::FailureOr<llvm::SmallVector<Tensor>>
makeArguments(mlir::func::FuncOp fn, uint64_t seed, const TensorSet *loaded, int64_t dropoutSeed);

/// Writes `set` as {"inputs": {name: {"dtype", "shape", "data"}}, "params":
/// {...}, "outputs": {...}, "loss": x}, plus "trained_params" and "losses"
/// when set; errors are reported at `loc`.
mlir::LogicalResult writeTensorJSON(llvm::StringRef path, const TensorSet &set, mlir::Location loc);

/// Reads a file that writeTensorJSON wrote (or one like it); a file that
/// cannot be read is reported at `loc`, errors in its contents at the file.
mlir::FailureOr<TensorSet> readTensorJSON(llvm::StringRef path, mlir::Location loc);

} // namespace netc::interp

#endif // NETC_INTERP_MODEL_H
