//===- GradStats.h - --grad-stats of netc --run --train ---------*- C++ -*-===//
//
// The interpreter's side of runtime/GradStats.h: the norms of one train
// step's gradients and updates, read from the step's arguments (the
// parameters before it) and results (their gradients and new values).
//
//===----------------------------------------------------------------------===//

#ifndef NETC_INTERP_GRADSTATS_H
#define NETC_INTERP_GRADSTATS_H

#include "interp/Tensor.h"
#include "runtime/GradStats.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <string>

namespace netc::interp {

/// Feeds train step `step` (from 1) of `fn`, called on `args` with `results`,
/// to `recorder`; returns the table to print when the step is measured, else "".
std::string recordGradStats(runtime::GradStatsRecorder &recorder, uint64_t step,
                            mlir::func::FuncOp fn, llvm::ArrayRef<Tensor> args,
                            llvm::ArrayRef<Tensor> results, double loss);

/// The model name a train step's statistics are drawn under: the forward
/// function it was derived from, else its own name.
std::string gradStatsModelName(mlir::func::FuncOp fn);

} // namespace netc::interp

#endif // NETC_INTERP_GRADSTATS_H
