//===- Driver.h - netc --run and --gradcheck on the interpreter -*- C++ -*-===//
//
// What netc's --run, --train and --gradcheck do once the module holds the
// functions they need (the forward function; the train step for --train and
// --gradcheck). netc.cpp only parses flags and builds pipelines.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_INTERP_DRIVER_H
#define NETC_INTERP_DRIVER_H

#include "interp/Tensor.h"
#include "ir/ModelWeights.h"
#include "runtime/GradStats.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace netc::interp {

/// Runs one function on tensors: interp::evaluate by default, or compiled code
/// (codegen's JITEvaluator) with --engine=jit. `forceF64` evaluates in double.
using Evaluator = std::function<mlir::FailureOr<llvm::SmallVector<Tensor>>(
    mlir::func::FuncOp, llvm::ArrayRef<Tensor>, bool forceF64)>;

/// The evaluator to use: `chosen` when set, else the interpreter.
Evaluator evaluatorOr(const Evaluator &chosen);

/// The %seed argument of train step number `step` (from 0) of a run seeded
/// with `seed`: mix64(mix64(seed) + step), so that consecutive steps draw
/// unrelated dropout masks.
int64_t stepSeed(uint64_t seed, uint64_t step);

/// The choices of --run.
struct RunOptions {
  /// The model (function) to run; empty runs the first.
  std::string model;
  /// Seeds parameters, inputs and dropout masks.
  uint64_t seed = 0;
  /// Where to write the tensors as JSON; empty prints a summary instead.
  std::string dumpPath;
  /// A JSON file (the --dump format) to take inputs and parameters from.
  std::string loadPath;
  /// Run `steps` train steps instead of the forward function.
  bool train = false;
  unsigned steps = 1;
  /// What runs the functions; empty means the interpreter.
  Evaluator evaluator;
  /// Safetensors files, as a compiled executable takes them: parameters and
  /// buffers to start from (after --load's), where to write them after the
  /// run, and, with `train`, the inputs of every step (step i on batch
  /// i mod count).
  std::string weightsPath, saveWeightsPath, dataPath;
  /// --inputs: tensor files holding the inputs by name (merged), which
  /// replace the seeded (or --load) inputs of the forward function and of
  /// every train step; --outputs: files to write the outputs (and a forward
  /// loss) to instead of printing them, after training with `train`.
  std::vector<std::string> inputsPaths, outputsPaths;
  /// The model's default weights (ir/ModelWeights.h), or null: parameters
  /// and buffers start from them unless --load gives them; --weights
  /// replaces them.
  const ModelWeights *defaultWeights = nullptr;
  /// --grad-stats and its files (interp/GradStats.h).
  runtime::GradStatsOptions gradStats;
};

/// Reports, at the op or the argument, every tensor of the functions of
/// `module` with more than kMaxTensorElements elements, and a function whose
/// tensors together pass kMaxFunctionElements: running them would exhaust
/// memory. Checked before anything is allocated.
mlir::LogicalResult checkInterpretable(mlir::ModuleOp module);

/// Runs the forward function of `module` (or, with `train`, its train step
/// `steps` times, feeding updated parameters and optimizer state back) and
/// prints each output and the loss, or writes them to the dump file.
mlir::LogicalResult runModel(mlir::ModuleOp module, const RunOptions &options,
                             llvm::raw_ostream &os);

/// The choices of --gradcheck.
struct GradCheckOptions {
  /// The model whose train step is checked; empty checks the first.
  std::string model;
  uint64_t seed = 0;
  std::string loadPath;
  /// The largest error (see gradCheck) that passes.
  double tolerance = 1e-6;
  /// Tensors with more elements are checked on a seeded sample of this many.
  unsigned maxElements = 64;
  /// What runs the train step; empty means the interpreter.
  Evaluator evaluator;
  /// The engine's name for the table's title.
  std::string engineName = "interpreter";
  /// The model's default weights, or null: the check starts from them
  /// unless --load gives the parameters.
  const ModelWeights *defaultWeights = nullptr;
};

/// Compares every parameter gradient of the train step in `module` with
/// central finite differences of its loss, all in f64, and prints one row per
/// parameter. Returns whether all passed; failure if the check could not run.
mlir::FailureOr<bool> gradCheck(mlir::ModuleOp module, const GradCheckOptions &options,
                                llvm::raw_ostream &os);

} // namespace netc::interp

#endif // NETC_INTERP_DRIVER_H
