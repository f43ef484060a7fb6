//===- Inference.cpp - the inference form of a model ----------------------===//
//
// A model function returns its outputs and, when it has one, its loss (the
// result marked `nn.loss`) and the next values of its buffers
// (`nn.buffer_update`). Inference needs neither these nor the random masks of
// dropout: this pass makes every dropout the identity, replaces every
// nn.train_select by its inference operand, drops the loss and buffer_update
// results from the signature and the returns (the loss stays with
// keep-loss), and erases every op no result needs any more. Arguments stay, even those only the loss read (targets), so
// that callers and the generated C API keep one argument order for both forms.
//
//===----------------------------------------------------------------------===//

#include "ir/NNOps.h"
#include "ir/Signature.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/BitVector.h"

namespace netc {
#define GEN_PASS_DEF_NNINFERENCE
#include "passes/Passes.h.inc"
} // namespace netc

using namespace mlir;
namespace nn = netc::nn;
using namespace netc::nn;

namespace {

/// Whether `op` may go once nothing reads its results. Pure ops may; so may
/// every nn op, since in the inference form none of them has an effect a
/// result does not show (dropout, the one op with randomness, is gone by now).
bool isRemovableWhenUnused(Operation *op) {
  if (!op->use_empty() || op->hasTrait<OpTrait::IsTerminator>())
    return false;
  return wouldOpBeTriviallyDead(op) || isa_and_nonnull<NNDialect>(op->getDialect());
}

struct InferencePass : public netc::impl::NNInferenceBase<InferencePass> {
  using NNInferenceBase::NNInferenceBase;
  void runOnOperation() override;
};

void InferencePass::runOnOperation() {
  func::FuncOp fn = getOperation();

  // Inference scales nothing and drops nothing: each dropout is its input.
  fn.walk([](DropoutOp op) {
    op.getResult().replaceAllUsesWith(op.getInput());
    op.erase();
  });
  // Ops that differ between train steps and inference take their inference
  // value (batch normalisation its running statistics).
  fn.walk([](TrainSelectOp op) {
    op.getResult().replaceAllUsesWith(op.getEval());
    op.erase();
  });

  // Buffers change only in train steps: their next values go with the loss.
  llvm::BitVector lossResults(fn.getNumResults());
  for (unsigned i = 0, e = fn.getNumResults(); i < e; ++i)
    if ((nn::resultRole(fn, i) == nn::ResultRole::Loss && !keepLoss) ||
        nn::resultRole(fn, i) == nn::ResultRole::BufferUpdate)
      lossResults.set(i);
  if (lossResults.any()) {
    fn.walk([&](func::ReturnOp ret) { ret->eraseOperands(lossResults); });
    fn.eraseResults(lossResults);
  }

  // Ops come after their operands' producers, so one sweep from the end of
  // each block erases whole chains that fed only the loss; nested blocks are
  // swept before the block of the op that holds them.
  fn.walk([](Block *block) {
    for (Operation &op : llvm::make_early_inc_range(llvm::reverse(*block)))
      if (isRemovableWhenUnused(&op))
        op.erase();
  });
}

} // namespace
