//===- Register.cpp - attaching the Halide algorithms to the nn ops -------===//

#include "codegen/Register.h"
#include "codegen/Algorithms/Common.h"

namespace netc::codegen {

void registerHalideAlgorithms(mlir::DialectRegistry &registry) {
  registerElementwiseAlgorithms(registry);
  registerActivationAlgorithms(registry);
  registerMathAlgorithms(registry);
  registerWindowAlgorithms(registry);
  registerDenseAlgorithms(registry);
  registerReductionAlgorithms(registry);
  registerLossAlgorithms(registry);
  registerShapeAlgorithms(registry);
  registerTensorAlgorithms(registry);
  registerStatefulAlgorithms(registry);
  registerRecurrentAlgorithms(registry);
  registerRandomAlgorithms(registry);
}

} // namespace netc::codegen
