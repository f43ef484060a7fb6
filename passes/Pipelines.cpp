//===- Pipelines.cpp - pass pipelines shared by netc and netc-opt ---------===//

#include "passes/Passes.h"

#include "ir/Signature.h"

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

void buildOptimizePipeline(OpPassManager &pm) {
  buildImportPipeline(pm);
  // Composite ops become primitives before any rewrite, autodiff or backend.
  pm.addNestedPass<func::FuncOp>(createNNDecompose());
  pm.addNestedPass<func::FuncOp>(createNNFuseDropout());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void buildInferencePipeline(OpPassManager &pm) {
  buildOptimizePipeline(pm);
  pm.addNestedPass<func::FuncOp>(createNNInference());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void buildTrainPipeline(OpPassManager &pm, bool gradInputs) {
  buildOptimizePipeline(pm);
  pm.addPass(createNNAutodiff(NNAutodiffOptions{gradInputs}));
  pm.addPass(createNNOptimizer());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

LogicalResult prepareForCodegen(ModuleOp module, bool keepLoss) {
  for (auto func : llvm::to_vector(module.getOps<func::FuncOp>())) {
    if (func.isExternal() || nn::trainStepOf(func))
      continue;
    PassManager pm(module.getContext(), func::FuncOp::getOperationName());
    pm.addPass(createNNInference(NNInferenceOptions{keepLoss}));
    pm.addPass(createCanonicalizerPass());
    if (failed(pm.run(func)))
      return failure();
  }
  return success();
}

namespace {
/// The options of nn-train-pipeline in netc-opt.
struct TrainPipelineOptions : public PassPipelineOptions<TrainPipelineOptions> {
  Option<bool> gradInputs{*this, "grad-inputs",
                          llvm::cl::desc("Also return the gradient of every float input"),
                          llvm::cl::init(false)};
};
} // namespace

void registerAllPassesAndPipelines() {
  registerNetCPasses();
  PassPipelineRegistration<>("nn-import-pipeline",
                             "Shape inference and cleanups that follow import",
                             buildImportPipeline);
  PassPipelineRegistration<>("nn-optimize-pipeline",
                             "Import pipeline, decomposition, dropout fusion and canonicalization",
                             buildOptimizePipeline);
  PassPipelineRegistration<>("nn-inference-pipeline",
                             "Optimize pipeline, then the inference form of the model",
                             buildInferencePipeline);
  PassPipelineRegistration<TrainPipelineOptions>(
      "nn-train-pipeline", "Optimize pipeline, then the train step with its optimizer update",
      [](OpPassManager &pm, const TrainPipelineOptions &options) {
        buildTrainPipeline(pm, options.gradInputs);
      });
}

} // namespace netc
