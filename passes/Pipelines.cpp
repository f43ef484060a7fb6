//===- Pipelines.cpp - pass pipelines shared by netc and netc-opt ---------===//

#include "passes/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace netc {

void buildImportPipeline(OpPassManager &pm) {
  pm.addNestedPass<func::FuncOp>(createNNInferShapes());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void registerAllPassesAndPipelines() {
  registerNetCPasses();
  PassPipelineRegistration<>("nn-import-pipeline",
                             "Shape inference and cleanups that follow import",
                             buildImportPipeline);
}

} // namespace netc
