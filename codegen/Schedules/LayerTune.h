//===- LayerTune.h - schedule variants chosen by measurement ----*- C++ -*-===//
//
// Some ops have several hand schedules, none best on every CPU and shape: a
// convolution's weight gradient can keep vectors along its output rows
// (partial sums folded at the end) or along its output channels (the
// gradient copied channels-innermost). Which one wins depends on the
// shape, the cache sizes and the vector units, so netc times each
// candidate on a pipeline of the op alone, on this host, and keeps the
// winner under cacheSubdir("tune/layers"), one small file per host, netc
// version, op and shape. `--tune=off` and targets other than the host use
// each op's documented default (HandScheduler::defaultVariant).
//
//===----------------------------------------------------------------------===//

#ifndef NETC_CODEGEN_SCHEDULES_LAYERTUNE_H
#define NETC_CODEGEN_SCHEDULES_LAYERTUNE_H

#include "codegen/Schedules/HostTune.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"

#include <optional>
#include <string>

namespace Halide {
struct Target;
}

namespace netc::codegen {

class FunctionLowering;

/// Layers of fewer multiply-adds keep their default schedule variant and
/// convolution algorithm unmeasured: they take microseconds either way, and
/// timing them would cost more compile time than it could ever save.
constexpr int64_t kTunedWork = int64_t(1) << 22;

/// The revision of the hand schedules' variants and algorithms, part of
/// every stored choice's key (tune/layers) and of the convolution choices'
/// version (tune/conv-*): a change to what a variant does makes earlier
/// timings of it meaningless, within one netc version too.
constexpr int kScheduleRevision = 3;

/// The schedule variant each op uses; ops absent use their default.
using ScheduleVariants = llvm::DenseMap<mlir::Operation *, int>;

/// Seconds `op` alone takes on this host under the hand schedule: a function
/// of the op on its operands, lowered (after `configure(fl, clone, variants)`,
/// which may choose the clone's algorithm or force its schedule variant),
/// JIT-compiled and run on random inputs from a fixed seed, with the heap
/// settings of executables; the best of runs adding up to about 20 ms (at
/// least 3) after a first. Infinity when it cannot be built.
double timeOpAlone(
    mlir::Operation *op, const Halide::Target &target, int fmaLanes,
    llvm::function_ref<void(FunctionLowering &, mlir::Operation *, ScheduleVariants &)> configure);

/// One cached choice: the variant and the time of each candidate (ms).
struct LayerChoice {
  int variant = 0;
  std::vector<double> ms;
};

/// Writes `choice` for `key` to `path` unless the file exists already (the
/// first process to measure a shape decides it for every later one, so that
/// concurrent compiles agree); false if it cannot be written.
bool writeLayerChoice(const std::string &path, const std::string &key, const LayerChoice &choice);

/// The choice stored in `path` for exactly `key`, or nullopt.
std::optional<LayerChoice> readLayerChoice(const std::string &path, const std::string &key);

/// For every op of `func` that has several schedule variants on `target`
/// (HandScheduler::variantCount), the fastest on this host under `mode`:
/// read from the cache, or measured (a few tens of milliseconds an op shape)
/// and stored; `--tune=full` measures again. Nothing is chosen (every op
/// keeps its default) when `mode` is Off or `targetName` is not the host.
/// Each distinct op and shape is measured at most once a process.
/// `NETC_CACHE_VERBOSE=1` prints each measurement on stderr.
ScheduleVariants chooseScheduleVariants(mlir::func::FuncOp func, TuneMode mode,
                                        const std::string &targetName,
                                        const Halide::Target &target, int fullRateF32Lanes);

} // namespace netc::codegen

#endif // NETC_CODEGEN_SCHEDULES_LAYERTUNE_H
