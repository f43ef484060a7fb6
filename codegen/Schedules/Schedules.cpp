//===- Schedules.cpp - hand schedules and autoschedulers ------------------===//
//
// The hand schedule (CPU) decides per op family:
//
// - Elementwise ops are inlined into their consumers (fused) when every
//   consumer is elementwise, or when the value is only returned (the result
//   Func then computes it); everything else is computed once at the root.
// - Convolutions (forward and input gradient) and contractions accumulate in
//   register tiles: the op is computed at a tile of an "owner" Func, its
//   single elementwise consumer (so ReLU, residual adds and the result copy
//   fuse into it) or else a wrapper that stores it. A tile is `rows` output
//   channels (rows of a contraction) by `vectors` vectors along x, sometimes
//   by `yrows` rows; the reduction loops run outside the unrolled tile, so
//   the accumulators stay in registers while inputs stream through. The
//   padded input of a convolution is kept per strip of output rows and
//   filled row by row (sliding window), so the inner loop reads plain memory.
// - Weight gradients split their long reduction by the vector width and
//   factor it out (rfactor): each weight accumulates a vector of partial sums.
// - Everything is vectorized along its innermost axis with the target's
//   natural width, and parallel over its outer axes only when the work pays
//   for waking the thread pool.
//
//===----------------------------------------------------------------------===//

#include "codegen/Schedules/Schedules.h"
#include "codegen/Schedules/HandScheduler.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/TypeUtilities.h"

#include <cstdlib>

using namespace mlir;
using namespace Halide;

namespace netc::codegen {

ArrayRef<StringRef> scheduleNames() {
  static const StringRef names[] = {"hand", "naive", "adams2019", "mullapudi2016", "li2018"};
  return names;
}

namespace {

//===----------------------------------------------------------------------===//
// GPU, naive, autoschedulers
//===----------------------------------------------------------------------===//

/// Whether every user of the op's result is an elementwise op (so the op
/// can be inlined into them without recomputing anything).
bool onlyFeedsElementwise(const LoweredFunc &lf, const DenseMap<Operation *, OpFamily> &families) {
  Value result = lf.op->getResult(0);
  if (result.use_empty())
    return false;
  for (Operation *user : result.getUsers()) {
    auto it = families.find(user);
    if (it == families.end() || it->second != OpFamily::Elementwise)
      return false;
  }
  return true;
}

/// The GPU form of a stage: 16x16 thread blocks over its two innermost axes
/// with the outer axes fused into a third block axis; all axes fused into
/// blocks of 256 threads when there is one axis or the two innermost are
/// small (a 3x3 kernel's); one thread for a scalar. Reductions run serially
/// inside each thread; a scatter's update owns its column.
void gpuTile(Stage stage, const std::vector<Var> &args, ArrayRef<int64_t> extentsInnerFirst = {}) {
  if (args.empty()) {
    stage.gpu_single_thread();
    return;
  }
  // Every pure axis becomes a GPU axis: axes left outside the blocks would
  // run on the host, one kernel launch per iteration (a weight gradient's
  // [O, C] axes launched O * C kernels of 3x3 threads).
  bool small2d = extentsInnerFirst.size() >= 2 &&
                 extentsInnerFirst[0] * extentsInnerFirst[1] < 256;
  if (args.size() == 1 || small2d) {
    Var flat = args[0];
    for (size_t i = 1; i < args.size(); ++i) {
      Var fused(Internal::unique_name("gf"));
      stage.fuse(flat, args[i], fused);
      flat = fused;
    }
    Var xo("xo"), xi("xi");
    stage.gpu_tile(flat, xo, xi, 256, TailStrategy::GuardWithIf);
    return;
  }
  Var xo("xo"), yo("yo"), xi("xi"), yi("yi");
  stage.gpu_tile(args[0], args[1], xo, yo, xi, yi, 16, 16, TailStrategy::GuardWithIf);
  if (args.size() > 2) {
    Var outer = args[2];
    for (size_t i = 3; i < args.size(); ++i) {
      Var fused(Internal::unique_name("gz"));
      stage.fuse(outer, args[i], fused);
      outer = fused;
    }
    stage.gpu_blocks(outer);
  }
}

/// The hand schedule for GPU targets: every op computed at the root on the
/// device (elementwise chains still fused), results copied back to the host.
void gpuHandSchedule(FunctionLowering &fl) {
  DenseMap<Operation *, OpFamily> families;
  for (const LoweredFunc &lf : fl.loweredFuncs())
    families[lf.op] = lf.family;
  for (const LoweredFunc &lf : fl.loweredFuncs()) {
    // An optimizer's f64 scalars (hyperparameters, bias corrections) are
    // worked out on the host, inlined into the cast that hands them to the
    // kernels as the parameters' type: OpenCL kernels may not use doubles.
    if (lf.type.getRank() == 0 && lf.op->getNumOperands() == 1 &&
        getElementTypeOrSelf(lf.op->getOperand(0).getType()).isF64() &&
        !lf.type.getElementType().isF64()) {
      Func scalar = lf.func;
      scalar.compute_root();
      continue;
    }
    if (lf.family == OpFamily::Elementwise && onlyFeedsElementwise(lf, families))
      continue;
    Func f = lf.func;
    f.compute_root();
    std::vector<int64_t> extents(lf.type.getShape().rbegin(), lf.type.getShape().rend());
    // A recurrence's update is serial over time: it runs on the host.
    if (lf.family == OpFamily::Recurrent)
      continue;
    gpuTile(f, f.args(), extents);
    for (int u = 0; u < f.num_update_definitions(); ++u)
      gpuTile(f.update(u), f.args(), extents);
    for (Func stat : lf.handles.softmaxStats())
      if (stat.dimensions() > 0) {
        stat.compute_root();
        gpuTile(stat, stat.args());
      }
  }
  // Results are plain copies of op values: Halide turns them into device-to-
  // host copies, so callers get their outputs in host memory.
  for (Func out : fl.outputs())
    out.copy_to_host();
}

void naiveSchedule(FunctionLowering &fl) {
  for (const LoweredFunc &lf : fl.loweredFuncs()) {
    Func f = lf.func;
    f.compute_root();
    for (Func handle : lf.handles.all())
      handle.compute_root();
  }
}

/// Tells an autoscheduler the sizes it plans for: static shapes throughout.
void setEstimates(FunctionLowering &fl) {
  func::FuncOp func = fl.function();
  auto regionOf = [](RankedTensorType type) {
    Halide::Region region;
    for (int64_t d : llvm::reverse(type.getShape()))
      region.push_back(Range(0, static_cast<int>(d)));
    return region;
  };
  for (auto &[param, type] : fl.imageParams())
    param.set_estimates(regionOf(type));
  for (auto [index, out] : llvm::enumerate(fl.outputs())) {
    out.set_estimates(regionOf(cast<RankedTensorType>(func.getResultTypes()[index])));
  }
}

} // namespace

LogicalResult applySchedule(FunctionLowering &fl, Pipeline &pipeline, StringRef name,
                            int fullRateF32Lanes, const ScheduleVariants *variants) {
  if (name == "hand") {
    if (fl.target().has_gpu_feature())
      gpuHandSchedule(fl);
    else
      hand::HandScheduler(fl, fullRateF32Lanes, variants).run();
    return success();
  }
  if (name == "naive") {
    naiveSchedule(fl);
    return success();
  }
  static const std::pair<StringRef, const char *> plugins[] = {
      {"adams2019", "Adams2019"}, {"mullapudi2016", "Mullapudi2016"}, {"li2018", "Li2018"}};
  for (auto [flag, halideName] : plugins) {
    if (name != flag)
      continue;
    std::string library = "/usr/lib/x86_64-linux-gnu/halide14/libautoschedule_" + flag.str() + ".so";
    static std::set<std::string> loaded;
    if (!loaded.count(library)) {
      load_plugin(library);
      loaded.insert(library);
    }
    // Adams2019's beam search takes minutes at its default width for the same
    // schedule quality here (BUILD-NOTES); a user's own setting wins.
    setenv("HL_BEAM_SIZE", "1", /*overwrite=*/0);
    setEstimates(fl);
    const Target &target = fl.target();
    MachineParams machine(std::max(1, static_cast<int>(std::thread::hardware_concurrency())),
                          32 * 1024 * 1024, 40);
    pipeline.auto_schedule(halideName, target, machine);
    return success();
  }
  return emitError(fl.function().getLoc())
         << "unknown schedule '" << name
         << "'; use hand, naive, adams2019, mullapudi2016 or li2018";
}

} // namespace netc::codegen
