//===- TrainingFlags.cpp - --loss, --target-input, --train-with, --sync-bn ===//

#include "TrainingFlags.h"

#include "frontend/Training.h"
#include "ir/NNOps.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

namespace cl = llvm::cl;

namespace netc::tool {

cl::OptionCategory &trainingFlagsCategory() {
  static cl::OptionCategory category(
      "Training",
      "A loss and an optimizer for an imported ONNX model or a .net model that has none (the "
      "values are written as in the language), and the batch norms of data-parallel training.");
  return category;
}

namespace {

cl::opt<std::string> lossFlag("loss",
                              cl::desc("The loss of the model's (first) output and a new target "
                                       "input: cross_entropy, mse, nll_loss, bce_logits, "
                                       "l1_loss, smooth_l1_loss(beta=0.5), ..."),
                              cl::value_desc("loss"), cl::cat(trainingFlagsCategory()));
cl::opt<std::string> lossOutputFlag("loss-output",
                                    cl::desc("The output the --loss reads (default: the first)"),
                                    cl::value_desc("name"), cl::cat(trainingFlagsCategory()));
cl::opt<std::string> targetInputFlag(
    "target-input",
    cl::desc("The name of the target input that --loss adds (default: target); class indices "
             "(i64) for cross_entropy and nll_loss, the output's shape for the others"),
    cl::value_desc("name"), cl::cat(trainingFlagsCategory()));
cl::opt<std::string> trainWithFlag("train-with",
                                   cl::desc("The optimizer, as 'train' takes it: "
                                            "'sgd(lr=0.01, momentum=0.9)', 'adam(lr=1e-3)'"),
                                   cl::value_desc("optimizer"), cl::cat(trainingFlagsCategory()));

cl::opt<bool> syncBnFlag("sync-bn",
                         cl::desc("Train steps normalize batch norms with the statistics of the "
                                  "global batch of data-parallel training (mpirun; the "
                                  "executable's --sync-bn), as torch.nn.SyncBatchNorm"),
                         cl::cat(trainingFlagsCategory()));

/// Each flag with the name under which diagnostics locate its text.
const std::pair<cl::opt<std::string> *, const char *> kFlags[] = {
    {&lossFlag, frontend::kLossFlag},
    {&lossOutputFlag, frontend::kLossOutputFlag},
    {&targetInputFlag, frontend::kTargetInputFlag},
    {&trainWithFlag, frontend::kTrainWithFlag}};

} // namespace

bool trainingFlagsGiven() {
  return lossFlag.getNumOccurrences() || trainWithFlag.getNumOccurrences();
}

std::optional<std::string> trainingFlagsMisuse() {
  for (const auto &[flag, name] : kFlags) {
    if (flag->getNumOccurrences() > 1)
      return std::string(name) + " is given " + std::to_string(flag->getNumOccurrences()) +
             " times; give it once";
    if (flag->getNumOccurrences() && flag->empty())
      return std::string(name) + " needs a value";
  }
  for (cl::opt<std::string> *flag : {&lossOutputFlag, &targetInputFlag})
    if (flag->getNumOccurrences() && !lossFlag.getNumOccurrences())
      return "--" + flag->ArgStr.str() + " needs --loss";
  return std::nullopt;
}

mlir::LogicalResult applyTrainingFlags(mlir::ModuleOp module, llvm::SourceMgr &sourceMgr,
                                       llvm::StringRef modelName) {
  if (syncBnFlag) {
    bool any = false;
    module.walk([&](nn::BatchNormOp op) {
      op.setSync(true);
      any = true;
    });
    if (!any)
      mlir::emitWarning(module.getLoc())
          << "--sync-bn: the model has no batch_norm; the flag changes nothing";
  }
  if (!trainingFlagsGiven())
    return mlir::success();
  for (const auto &[flag, name] : kFlags)
    if (flag->getNumOccurrences())
      sourceMgr.AddNewSourceBuffer(llvm::MemoryBuffer::getMemBufferCopy(*flag, name),
                                   llvm::SMLoc());
  frontend::TrainingRequest request{lossFlag, lossOutputFlag, targetInputFlag, trainWithFlag};
  return frontend::addTraining(module, request, modelName);
}

} // namespace netc::tool
