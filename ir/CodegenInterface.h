//===- CodegenInterface.h - the Halide algorithm of an op -------*- C++ -*-===//
//
// The op interface of codegen's algorithms, declared without Halide: ir/ and
// the tools see only a forward declaration of the lowering it fills.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_IR_CODEGENINTERFACE_H
#define NETC_IR_CODEGENINTERFACE_H

#include "mlir/IR/OpDefinition.h"

namespace netc::codegen {
class FunctionLowering;
} // namespace netc::codegen

#include "ir/CodegenInterface.h.inc"

#endif // NETC_IR_CODEGENINTERFACE_H
