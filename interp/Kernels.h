//===- Kernels.h - registering the interpreter's kernels --------*- C++ -*-===//
//
// Every tool that creates an MLIRContext and may run the interpreter adds
// the kernels to the context's registry: each nn op (and each arith op of a
// train step) then evaluates through nn::InterpKernelOpInterface.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_INTERP_KERNELS_H
#define NETC_INTERP_KERNELS_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace netc::interp {

/// Adds the interpreter's kernels of every family to `registry`, as external
/// models attached when the nn and arith dialects load.
void registerInterpKernels(mlir::DialectRegistry &registry);

} // namespace netc::interp

#endif // NETC_INTERP_KERNELS_H
