//===- StatsModel.h - cost model behind --emit=stats ------------*- C++ -*-===//
//
// Counts, per op of a model and in total: parameters, forward and backward
// FLOPs, the activation bytes a reverse-mode pass keeps for the backward
// pass, and the peak memory of inference and of one training step. The
// conventions are documented in ir/OpCost.h and StatsModel.cpp and printed
// by Stats.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_REPORTS_STATSMODEL_H
#define NETC_REPORTS_STATSMODEL_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Location.h"

#include <cstdint>
#include <string>
#include <vector>

namespace netc::stats {


/// A shape as "1x3x32x32", or "scalar" for rank 0 and "?" for a non-tensor.
std::string shapeText(mlir::Type type);

/// One row of the report: one op of the model's body.
struct OpStats {
  mlir::Operation *op = nullptr;
  std::string name;
  unsigned line = 0;
  std::string opName;
  std::string shape;
  /// Elements of the `nn.param` arguments that this op is the first to use.
  int64_t params = 0;
  int64_t forwardFlops = 0;
  /// Zero when the op needs no backward work (or the model has no loss).
  int64_t backwardFlops = 0;
  /// Bytes of the tensors this op keeps for the backward pass that no
  /// earlier op already keeps.
  int64_t keptBytes = 0;
  /// Bytes the op reads and writes besides parameters (see Transient).
  int64_t transientBytes = 0;
};

/// Totals and peaks of one model (one func.func).
struct ModelStats {
  std::string model;
  std::vector<OpStats> ops;
  /// All `nn.param` arguments: elements and bytes.
  int64_t params = 0, paramBytes = 0;
  int64_t forwardFlops = 0, backwardFlops = 0, keptBytes = 0;
  /// Whether a result is marked `nn.loss`; without one, every backward and
  /// training number is meaningless and printed as "-".
  bool hasLoss = false;
  /// Whether some result is marked `nn.output`; without one, inference
  /// computes every result (the loss).
  bool hasOutputs = false;

  /// Live activation bytes at the inference peak and the op where it occurs
  /// (an index into `ops`, or -1 when the model has no ops).
  int64_t inferenceActivationBytes = 0;
  int inferencePeakOp = -1;
  int64_t inferencePeakBytes = 0;

  /// The optimizer's kind ("sgd", "adam", "adamw", "rmsprop", or empty without `train`), the
  /// number of state buffers per parameter, and their bytes.
  std::string optimizer;
  int stateBuffers = 0;
  int64_t optimizerStateBytes = 0;
  /// The largest transient (an op's non-parameter operands and result) and
  /// the op where it occurs.
  int64_t transientBytes = 0;
  int transientOp = -1;
  int64_t trainingPeakBytes = 0;
};

/// Computes the statistics of one model; an error at the op when a value has
/// no static shape.
mlir::FailureOr<ModelStats> computeStats(mlir::func::FuncOp fn);

} // namespace netc::stats

#endif // NETC_REPORTS_STATSMODEL_H
