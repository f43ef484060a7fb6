//===- NNDialect.cpp - the nn dialect -------------------------------------===//

#include "ir/NNDialect.h"
#include "ir/CodegenInterface.h"
#include "ir/InterpInterface.h"
#include "ir/NNOps.h"
#include "ir/Names.h"
#include "ir/Signature.h"

#include "mlir/IR/SymbolTable.h"

using namespace mlir;
using namespace netc::nn;

#include "ir/NNDialect.cpp.inc"

void NNDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "ir/NNOps.cpp.inc"
      >();
  // Every op has a Halide algorithm, attached by codegen (an external model):
  // the dialect names no backend, and using it uncompiled fails loudly.
  declarePromisedInterfaces<HalideAlgorithmOpInterface,
#define GET_OP_LIST
#include "ir/NNOps.cpp.inc"
                            >();
  // The interpreter's kernels attach the same way (interp/Kernels/).
  declarePromisedInterfaces<InterpKernelOpInterface,
#define GET_OP_LIST
#include "ir/NNOps.cpp.inc"
                            >();
}

namespace {

/// Checks a name attribute `attr` of `op` (what names where it is).
LogicalResult verifyNameAttr(Operation *op, NamedAttribute attr, const Twine &where) {
  // The roles' table in ir/Signature.cpp says which attributes hold names.
  size_t limit = netc::nn::nameLimit(attr.getName().getValue());
  if (limit == 0)
    return success();
  auto name = dyn_cast<StringAttr>(attr.getValue());
  if (!name)
    return op->emitError() << "'" << attr.getName().getValue() << "' of " << where
                           << " must be a string";
  if (std::optional<std::string> why = netc::checkName(name.getValue(), limit))
    return op->emitError() << "name '" << netc::printableName(name.getValue()) << "' in '"
                           << attr.getName().getValue() << "' of " << where << " " << *why;
  return success();
}

/// Checks the symbol name of a function that carries nn attributes: it names
/// the functions of generated code.
LogicalResult verifySymbolName(Operation *op) {
  auto symbol = op->getAttrOfType<StringAttr>(SymbolTable::getSymbolAttrName());
  if (!symbol)
    return success();
  if (std::optional<std::string> why =
          netc::checkName(symbol.getValue(), netc::kMaxDerivedNameBytes))
    return op->emitError() << "function name '" << netc::printableName(symbol.getValue()) << "' "
                           << *why;
  return success();
}

} // namespace

LogicalResult NNDialect::verifyRegionArgAttribute(Operation *op, unsigned, unsigned argIndex,
                                                  NamedAttribute attr) {
  // The first failure ends the function's verification: one error.
  if (failed(verifySymbolName(op)))
    return failure();
  return verifyNameAttr(op, attr, "argument " + Twine(argIndex));
}

LogicalResult NNDialect::verifyRegionResultAttribute(Operation *op, unsigned, unsigned resultIndex,
                                                     NamedAttribute attr) {
  if (failed(verifySymbolName(op)))
    return failure();
  return verifyNameAttr(op, attr, "result " + Twine(resultIndex));
}

LogicalResult NNDialect::verifyOperationAttribute(Operation *op, NamedAttribute attr) {
  if (attr.getName() == TrainStepOfAttrHelper::getNameStr() && failed(verifySymbolName(op)))
    return failure();
  return verifyNameAttr(op, attr, "'" + Twine(op->getName().getStringRef()) + "'");
}
