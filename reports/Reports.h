//===- Reports.h - human and machine readable reports -----------*- C++ -*-===//
//
// The printers behind netc's --emit=rf, rf-json, rf-svg, stats and dot. Each reads a
// module that has been through the pipeline the report needs (see
// tools/netc) and writes text; errors are emitted as diagnostics.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_REPORTS_REPORTS_H
#define NETC_REPORTS_REPORTS_H

#include "mlir/IR/BuiltinOps.h"

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

/// Per op and in total: parameters, forward and backward FLOPs, activation
/// bytes kept for the backward pass, and the peak memory of inference and of
/// the training step.
mlir::LogicalResult printStats(mlir::ModuleOp module, llvm::raw_ostream &os);

/// The graph in Graphviz's dot language, with shapes on the edges.
mlir::LogicalResult printDot(mlir::ModuleOp module, llvm::raw_ostream &os);

} // namespace netc

#endif // NETC_REPORTS_REPORTS_H
