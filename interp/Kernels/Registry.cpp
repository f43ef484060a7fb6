//===- Registry.cpp - registering the interpreter's kernels ---------------===//

#include "interp/KernelContext.h"
#include "interp/Kernels.h"

#include "mlir/IR/DialectRegistry.h"

namespace netc::interp {

void registerInterpKernels(mlir::DialectRegistry &registry) {
  registerElementwiseKernels(registry);
  registerActivationKernels(registry);
  registerMathKernels(registry);
  registerRandomKernels(registry);
  registerWindowKernels(registry);
  registerDenseKernels(registry);
  registerReductionKernels(registry);
  registerLossKernels(registry);
  registerShapeKernels(registry);
  registerTensorKernels(registry);
  registerStatefulKernels(registry);
  registerArithKernels(registry);
  registerRecurrentKernels(registry);
}

} // namespace netc::interp
