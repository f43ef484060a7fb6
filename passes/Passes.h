//===- Passes.h - passes over the nn dialect --------------------*- C++ -*-===//

#ifndef NETC_PASSES_PASSES_H
#define NETC_PASSES_PASSES_H

#include "ir/NNDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/Pass.h"

#include <memory>

namespace netc {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

/// Adds the patterns of nn-decompose (passes/Decompose.cpp): one per
/// composite op, rewriting it into primitive ops.
void populateDecompositionPatterns(mlir::RewritePatternSet &patterns);

/// The patterns of the composite tensor ops (passes/DecomposeTensor.cpp).
void populateTensorDecompositionPatterns(mlir::RewritePatternSet &patterns);
/// The decompositions of the spatial composite ops (passes/DecomposeSpatial.cpp).
void populateSpatialDecompositionPatterns(mlir::RewritePatternSet &patterns);
/// Adds the patterns of the composite losses (passes/DecomposeLoss.cpp).
void populateLossDecompositionPatterns(mlir::RewritePatternSet &patterns);
/// Adds the decomposition of batch normalisation (DecomposeNorm.cpp); called
/// by populateDecompositionPatterns.
void populateNormDecompositionPatterns(mlir::RewritePatternSet &patterns);
/// Adds the decompositions of the composite activations hardswish and
/// hardsigmoid (passes/DecomposeElementwise.cpp).
void populateElementwiseDecompositionPatterns(mlir::RewritePatternSet &patterns);

/// Adds the passes that follow import: shape inference, then MLIR's cleanups.
void buildImportPipeline(mlir::OpPassManager &pm);

/// The import pipeline, then graph rewrites: composite ops into primitives
/// (nn-decompose), dropout fusion and the dialect's
/// folds and canonical patterns (netc --emit=opt).
void buildOptimizePipeline(mlir::OpPassManager &pm);

/// The optimize pipeline, then the inference form: dropout as identity and
/// only what the outputs need.
void buildInferencePipeline(mlir::OpPassManager &pm);

/// The optimize pipeline, then the train step: nn-autodiff (with the input
/// gradients when `gradInputs`), nn-optimizer and cleanups (netc --emit=grad).
void buildTrainPipeline(mlir::OpPassManager &pm, bool gradInputs);

/// Puts every model function that is not a train step into its inference
/// form (nn-inference, then canonicalization): codegen compiles those as
/// `NAME_forward`, and train steps (`NAME_train_step`, from nn-autodiff) as
/// they are. `keepLoss`: the forward function keeps the loss result,
/// computed in inference mode (executables report it; libraries and objects
/// keep the outputs alone).
mlir::LogicalResult prepareForCodegen(mlir::ModuleOp module, bool keepLoss = false);

/// Registers every netc pass and pipeline with MLIR's global registry (for netc-opt).
void registerAllPassesAndPipelines();

} // namespace netc

#endif // NETC_PASSES_PASSES_H
