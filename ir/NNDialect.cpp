//===- NNDialect.cpp - the nn dialect -------------------------------------===//

#include "ir/NNDialect.h"
#include "ir/NNOps.h"

using namespace mlir;
using namespace netc::nn;

#include "ir/NNDialect.cpp.inc"

void NNDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "ir/NNOps.cpp.inc"
      >();
}
