//===- Build.cpp - creating nn ops with inferred result types -------------===//

#include "ir/Build.h"
#include "ir/NNOps.h"

#include "mlir/IR/Verifier.h"

using namespace mlir;

namespace netc::nn {

Value createInferred(OpBuilder &builder, Location loc, StringRef opName, ValueRange operands,
                     ArrayRef<NamedAttribute> attrs) {
  // The placeholder result type is replaced by the inferred one at once.
  OperationState state(loc, OperationName(opName, builder.getContext()), operands,
                       TypeRange{UnrankedTensorType::get(builder.getF32Type())}, attrs);
  Operation *op = builder.create(state);
  SmallVector<Type> types;
  auto infer = dyn_cast<ShapeInferenceOpInterface>(op);
  if (!infer || failed(infer.inferResultTypes(types))) {
    if (!infer)
      op->emitError() << "'" << opName << "' has no shape rules";
    op->erase();
    return nullptr;
  }
  op->getResult(0).setType(types.front());
  if (failed(verify(op, /*verifyRecursively=*/false))) {
    op->erase();
    return nullptr;
  }
  return op->getResult(0);
}

} // namespace netc::nn
