//===- NNOps.h - operations of the nn dialect -------------------*- C++ -*-===//

#ifndef NETC_IR_NNOPS_H
#define NETC_IR_NNOPS_H

#include "ir/NNDialect.h"
#include "ir/NNInterfaces.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "ir/NNOps.h.inc"

#endif // NETC_IR_NNOPS_H
