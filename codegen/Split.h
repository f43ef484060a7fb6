//===- Split.h - large functions as chains of smaller ones ------*- C++ -*-===//
//
// Halide 14's lowering takes time that grows with the square of the number
// of Funcs in one pipeline: a 26-layer train step (about 500 ops) took over a
// minute. Libraries and executables therefore compile a large function as a
// chain of parts, each its own pipeline of a few dozen ops in program order;
// the generated C++ (ArtifactSource.cpp) runs the parts one after the other
// through runtime/Chain.h, handing over the values that cross a boundary in
// buffers of their own. The entry point keeps its name and arguments.
//
// Parts follow repeated layers: where the op sequence is periodic (a ResNet
// stage, an unrolled MLP), a part spans whole periods, so that equal parts
// recur; each distinct part is compiled once and runs wherever it occurs.
// Compile time then grows with the number of distinct layers, not of layers.
//
// Plain MLIR: no Halide here.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_CODEGEN_SPLIT_H
#define NETC_CODEGEN_SPLIT_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

#include <cstdint>
#include <string>
#include <vector>

namespace netc::codegen {

/// Where a part finds one of its arguments or puts one of its results.
struct ChainRef {
  /// false: the entry point's argv[index] (its arguments, then its results);
  /// true: temporary buffer `index` of the chain.
  bool temp = false;
  int index = 0;
};

/// A value that crosses a boundary between parts and is no result of the
/// entry point.
struct ChainTemp {
  /// "f32", "f64", "i32" or "i64".
  std::string dtype;
  std::vector<int64_t> shape;
};

/// What a part is: a compiled pipeline, or a collective op (nn.replica_mean,
/// nn.replica_count) that the runtime's communicator computes in between
/// (runtime/Chain.h's netc_collective values).
enum class ChainCollective { None = 0, ReplicaMean = 1, ReplicaCount = 2 };

/// One part: its entry point, then its arguments and results. A collective
/// part has no entry point: its refs are its operand, if any, then its result.
struct ChainPart {
  std::string entry;
  std::vector<ChainRef> refs;
  ChainCollective collective = ChainCollective::None;
};

/// A function replaced by its parts.
struct KernelChain {
  /// The entry point (entryPointName) of the function that was split.
  std::string entry;
  /// Train steps: the first part of the optimizer update. Parts before it
  /// compute the loss, outputs, buffer updates and gradients; parts from it
  /// on read the gradients from the entry point's GRAD results only (no
  /// temporary crosses this boundary), so a caller may replace them in
  /// between (data-parallel training averages them). -1 when the function
  /// has no update or cannot be cut there.
  int updatePart = -1;
  std::vector<ChainTemp> temps;
  std::vector<ChainPart> parts;
};

/// The C identifier of a function's Halide entry point: SYMBOL_forward for
/// a model's inference function, the symbol itself for a train step or a
/// part of a split function; other characters become '_'.
std::string entryPointName(mlir::func::FuncOp func);

/// Ops (tensor-valued) per part, about. Below 1.5 times this a function stays whole.
constexpr int64_t kOpsPerPart = 24;

/// Splits every function of `module` with more than 1.5 * `opsPerPart` tensor
/// ops, every train step with an optimizer update however small, and every
/// function with a collective op, into parts with entry points
/// `ENTRY_part0`, `ENTRY_part1`, ... (marked with the unit attribute
/// nn.part) and erases it; returns the chains that replace them. Each
/// collective op is a part of its own, between the part that computes its
/// operand and those that read its result.
/// A train step's update ops (those only the PARAM_UPDATE and STATE_UPDATE
/// results need) form parts of their own after all others (updatePart).
/// Functions that return one of their arguments stay whole. Equal parts (in
/// any chain) share the entry point of the first and only it stays a function.
mlir::FailureOr<std::vector<KernelChain>> splitLargeFunctions(mlir::ModuleOp module,
                                                              int64_t opsPerPart = kOpsPerPart);

} // namespace netc::codegen

#endif // NETC_CODEGEN_SPLIT_H
