//===- NNOps.cpp - operations of the nn dialect ---------------------------===//
//
// The op classes generated from ODS. Their methods (shape inference,
// verifiers, folders, VJPs, receptive-field rules and costs) are in the
// family files under ir/Ops/; the shape rules that the op classes of
// ir/Ops/Elementwise.td define inline use the helpers of ir/OpShapes.h.
//
//===----------------------------------------------------------------------===//

#include "ir/NNOps.h"
#include "ir/OpShapes.h"

#define GET_OP_CLASSES
#include "ir/NNOps.cpp.inc"
