//===- InterpInterface.h - the interpreter's kernel interface ---*- C++ -*-===//
//
// The op interface through which the reference interpreter evaluates an op.
// The kernel context is only forward-declared, so that ir/ stays free of the
// interpreter's headers; the kernels live in interp/Kernels/.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_IR_INTERPINTERFACE_H
#define NETC_IR_INTERPINTERFACE_H

#include "mlir/IR/OpDefinition.h"

namespace netc::interp {
/// The values an interpreter kernel reads and writes (interp/KernelContext.h).
class KernelContext;
} // namespace netc::interp

#include "ir/InterpInterface.h.inc"

#endif // NETC_IR_INTERPINTERFACE_H
