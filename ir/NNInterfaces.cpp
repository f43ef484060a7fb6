//===- NNInterfaces.cpp - interfaces of nn ops ----------------------------===//

#include "ir/NNInterfaces.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"

using namespace mlir;

namespace netc::nn {

#include "ir/NNInterfaces.cpp.inc"

LogicalResult detail::verifyInferredShapes(Operation *op) {
  // Operands still unranked come from IR that nn-infer-shapes has not run on
  // yet: there is nothing to compare against until it has.
  for (Type t : op->getOperandTypes())
    if (isa<UnrankedTensorType>(t))
      return success();
  SmallVector<Type> inferred;
  if (failed(cast<ShapeInferenceOpInterface>(op).inferResultTypes(inferred)))
    return failure();
  for (auto [index, result] : llvm::enumerate(op->getResults())) {
    Type actual = result.getType();
    if (isa<UnrankedTensorType>(actual)) {
      auto unranked = cast<UnrankedTensorType>(actual);
      if (unranked.getElementType() != cast<TensorType>(inferred[index]).getElementType())
        return op->emitOpError() << "result #" << index << " has element type "
                                 << unranked.getElementType() << " but the operands give "
                                 << cast<TensorType>(inferred[index]).getElementType();
      continue;
    }
    if (actual != inferred[index])
      return op->emitOpError() << "result #" << index << " has type " << actual
                               << " but its operands and attributes give " << inferred[index];
  }
  return success();
}

ReceptiveFieldRule detail::receptiveFieldRuleOfTraits(Operation *op) {
  if (op->hasTrait<traits::Elementwise>())
    return ReceptiveFieldRule::join();
  return ReceptiveFieldRule::global();
}

} // namespace netc::nn
