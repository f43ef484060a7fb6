//===- Training.h - a loss and an optimizer given on the command line -*- C++ -*-===//
//
// `netc model.onnx --loss cross_entropy --target-input labels --train-with
// 'sgd(lr=0.01)'` trains a model that has no loss of its own: an imported
// ONNX graph, or a .net model written for inference. The flags' values are
// written in the language and imported by the frontend's own builders, so the
// function gets exactly what `loss` and `train` statements would give it: a
// new input for the target, the loss ops and an `nn.loss` result, and the
// `nn.optimizer` dictionary.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_FRONTEND_TRAINING_H
#define NETC_FRONTEND_TRAINING_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LogicalResult.h"

#include <string>

namespace netc::frontend {

/// What the training flags ask for; an empty text is a flag not given.
struct TrainingRequest {
  /// --loss: a loss of the language by name (`cross_entropy`) or as a call
  /// whose first two arguments, the output and the target, are left out
  /// (`smooth_l1_loss(beta=0.5)`).
  std::string loss;
  /// --loss-output: the model output the loss reads; empty picks the first.
  std::string lossOutput;
  /// --target-input: the name of the new input holding the target.
  std::string targetInput;
  /// --train-with: an optimizer call as `train` takes it (`sgd(lr=0.1)`).
  std::string optimizer;

  bool empty() const {
    return loss.empty() && lossOutput.empty() && targetInput.empty() && optimizer.empty();
  }
};

/// The names under which diagnostics locate each flag's text (line 1, the
/// column in the text): a tool that adds a source buffer of that name for
/// each given flag gets its errors quoted with a caret.
inline constexpr const char *kLossFlag = "--loss";
inline constexpr const char *kLossOutputFlag = "--loss-output";
inline constexpr const char *kTargetInputFlag = "--target-input";
inline constexpr const char *kTrainWithFlag = "--train-with";

/// The target input's name when --target-input is not given.
inline constexpr const char *kDefaultTargetInput = "target";

/// Adds `request` to the model function of `module` (the one named
/// `modelName`, or the only function that is not a train step). Every mistake
/// is a diagnostic located in the flag it concerns: a --loss for a model that
/// has a loss, a --train-with for one that has an optimizer or no loss, an
/// unknown --loss-output, a --target-input that names an existing value, and
/// whatever the language reports about the loss and optimizer calls.
mlir::LogicalResult addTraining(mlir::ModuleOp module, const TrainingRequest &request,
                                llvm::StringRef modelName = {});

} // namespace netc::frontend

#endif // NETC_FRONTEND_TRAINING_H
