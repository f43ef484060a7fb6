//===- InferShapes.cpp - the nn-infer-shapes pass -------------------------===//
//
// Gives unranked results of nn ops their static types, in program order, so
// that every operand is known by the time its user is visited.
//
//===----------------------------------------------------------------------===//

#include "ir/NNOps.h"
#include "passes/Passes.h"

namespace netc {
#define GEN_PASS_DEF_NNINFERSHAPES
#include "passes/Passes.h.inc"
} // namespace netc

using namespace mlir;
using namespace netc;

namespace {

/// Whether an op still has a result without a static shape.
bool needsInference(Operation *op) {
  return llvm::any_of(op->getResultTypes(), [](Type t) { return isa<UnrankedTensorType>(t); });
}

struct InferShapesPass : public netc::impl::NNInferShapesBase<InferShapesPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    WalkResult walk = func.walk([&](Operation *op) -> WalkResult {
      if (!needsInference(op))
        return WalkResult::advance();
      auto infer = dyn_cast<nn::ShapeInferenceOpInterface>(op);
      if (!infer)
        return op->emitError() << "cannot infer the result shape of '" << op->getName()
                               << "', which has no shape rules";
      for (auto [index, operand] : llvm::enumerate(op->getOperands()))
        if (isa<UnrankedTensorType>(operand.getType()))
          return op->emitError() << "operand #" << index << " of '" << op->getName()
                                 << "' has no static shape";
      SmallVector<Type> types;
      if (failed(infer.inferResultTypes(types)))
        return WalkResult::interrupt();
      for (auto [result, type] : llvm::zip(op->getResults(), types))
        result.setType(type);
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return signalPassFailure();
    updateSignature(func);
  }

  /// Makes the function's result types those of the values it returns.
  static void updateSignature(func::FuncOp func) {
    if (func.isExternal())
      return;
    auto ret = cast<func::ReturnOp>(func.getBody().back().getTerminator());
    func.setFunctionType(FunctionType::get(func.getContext(), func.getArgumentTypes(),
                                           ret.getOperandTypes()));
  }
};

} // namespace
