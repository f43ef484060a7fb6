//===- NNDialect.h - the nn dialect -----------------------------*- C++ -*-===//

#ifndef NETC_IR_NNDIALECT_H
#define NETC_IR_NNDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Dialect.h"

#include "ir/NNDialect.h.inc"

#endif // NETC_IR_NNDIALECT_H
