//===- Reports.h - human and machine readable reports -----------*- C++ -*-===//
//
// The printers behind netc's --emit=rf, rf-json, rf-svg, stats and dot. Each reads a
// module that has been through the pipeline the report needs (see
// tools/netc) and writes text; errors are emitted as diagnostics.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_REPORTS_REPORTS_H
#define NETC_REPORTS_REPORTS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace llvm {
class raw_ostream;
} // namespace llvm

namespace netc {

/// The receptive-field table (line, name, op, shape, rf, stride, padding) of
/// each model; expects the `nn.rf` attributes of nn-receptive-field.
mlir::LogicalResult printReceptiveFieldTable(mlir::ModuleOp module, llvm::raw_ostream &os);

/// The receptive fields as the JSON object of DESIGN.md's contract.
mlir::LogicalResult printReceptiveFieldJSON(mlir::ModuleOp module, llvm::raw_ostream &os);

/// An SVG picture per model: the receptive field of the centre output pixel
/// of each layer, nested on the input plane and labelled with its size,
/// stride and padding; expects the `nn.rf` attributes of nn-receptive-field.
mlir::LogicalResult printReceptiveFieldSvg(mlir::ModuleOp module, llvm::raw_ostream &os);

/// The peak memory of a model's training step as its compiled executable
/// holds it: the total and its parts, each with a remark ("" for none).
struct StepPeak {
  struct Row {
    std::string what;
    int64_t bytes = 0;
    std::string remark;
  };
  int64_t total = 0;
  std::vector<Row> rows;
};

/// Predicts the StepPeak of one model (a function of the module printStats
/// reads), or nullopt where it cannot (no train step, not compilable).
using StepPeakPredictor = std::function<std::optional<StepPeak>(mlir::func::FuncOp)>;

/// Per op and in total: parameters, forward and backward FLOPs, activation
/// bytes kept for the backward pass, and the peak memory of inference and of
/// the training step: the executable's, where `predict` gives it, else the
/// model's tensors alone (StatsModel.h).
mlir::LogicalResult printStats(mlir::ModuleOp module, llvm::raw_ostream &os,
                               const StepPeakPredictor &predict = {});

/// The graph in Graphviz's dot language, with shapes on the edges.
mlir::LogicalResult printDot(mlir::ModuleOp module, llvm::raw_ostream &os);

} // namespace netc

#endif // NETC_REPORTS_REPORTS_H
