//===- WeightFiles.h - tensor files of --run --------------------*- C++ -*-===//
//
// `netc FILE --run` reads and writes the files a compiled executable does,
// in any format of runtime/TensorFile.h (safetensors, .npy, .npz, ONNX .pb):
// --weights and --save-weights (parameters and buffers, by name; buffers
// such as a recurrent network's carried state included), --inputs and
// --outputs, and, with --train, --data (the inputs of every step, with a
// leading axis of batches; step i uses batch i mod count); and the model's
// default weights (ir/ModelWeights.h). Files are matched against the
// function's arguments by the runtime's rules, so the messages are the
// executable's.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_INTERP_WEIGHTFILES_H
#define NETC_INTERP_WEIGHTFILES_H

#include "interp/Tensor.h"
#include "ir/ModelWeights.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/SmallVector.h"

#include <memory>
#include <string>
#include <vector>

namespace netc::interp {

/// Replaces every parameter and buffer of `args` (the arguments of `fn`)
/// with the tensor of that name in the safetensors file `path`; a missing,
/// unknown or mistyped tensor is an error at `fn`.
mlir::LogicalResult loadWeights(mlir::func::FuncOp fn, const std::string &path,
                                llvm::SmallVectorImpl<Tensor> &args);

/// Replaces the parameters and buffers of `args` that `defaults` holds with
/// its values; those it lacks keep theirs. A tensor that is no parameter or
/// buffer of `fn`, or of another dtype or shape, is an error at `fn`.
mlir::LogicalResult loadDefaultWeights(mlir::func::FuncOp fn, const ModelWeights &defaults,
                                       llvm::SmallVectorImpl<Tensor> &args);

/// Replaces every input of `args` with the tensor of that name in the files
/// `specs` (merged; "NAME=FILE.npy" names a one-tensor file). Nothing for
/// no files.
mlir::LogicalResult loadInputs(mlir::func::FuncOp fn, const std::vector<std::string> &specs,
                               llvm::SmallVectorImpl<Tensor> &args);

/// Writes the outputs of `results` (the results of `fn`) by name, and its
/// loss as a 0-d tensor, to every file of `specs`.
mlir::LogicalResult writeOutputs(mlir::func::FuncOp fn, const std::vector<std::string> &specs,
                                 llvm::ArrayRef<Tensor> results);

/// Writes the parameters and buffers of `args` to `path`, in argument order.
mlir::LogicalResult saveWeights(mlir::func::FuncOp fn, const std::string &path,
                                llvm::ArrayRef<Tensor> args);

/// The training batches of --data: one tensor per input of a train step, of
/// the input's shape or with an extra leading axis of batches.
class TrainingData {
public:
  TrainingData();
  ~TrainingData();
  /// Reads `path` and matches it with the inputs of `step`.
  mlir::LogicalResult read(mlir::func::FuncOp step, const std::string &path);
  /// Puts batch `index mod count` of every input into `args`.
  void select(uint64_t index, llvm::SmallVectorImpl<Tensor> &args) const;

private:
  struct Batches;
  std::unique_ptr<Batches> batches;
};

} // namespace netc::interp

#endif // NETC_INTERP_WEIGHTFILES_H
