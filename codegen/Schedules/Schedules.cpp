//===- Schedules.cpp - hand schedules and autoschedulers ------------------===//
//
// The hand schedule decides per op family: elementwise ops feeding only
// other elementwise ops are inlined into them (fused); everything else is
// computed once at the root, its innermost axis vectorized with the target's
// natural width and its outermost axis spread over the cores. Contractions
// vectorize their accumulating update the same way.
//
//===----------------------------------------------------------------------===//

#include "codegen/Schedules/Schedules.h"

#include "mlir/IR/Diagnostics.h"

#include <cstdlib>
#include <set>
#include <thread>

using namespace mlir;
using namespace Halide;

namespace netc::codegen {

ArrayRef<StringRef> scheduleNames() {
  static const StringRef names[] = {"hand", "naive", "adams2019", "mullapudi2016", "li2018"};
  return names;
}

namespace {

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

/// Vectorizes the innermost and parallelizes the outermost pure axis of a
/// definition (stage) whose Func has the given extents (innermost first).
void vectorizeAndParallelize(Stage stage, const std::vector<Var> &args,
                             ArrayRef<int64_t> extentsInnerFirst, int vectorWidth,
                             bool parallel) {
  if (args.empty())
    return;
  if (extentsInnerFirst[0] >= vectorWidth)
    stage.vectorize(args[0], vectorWidth, TailStrategy::GuardWithIf);
  if (parallel && args.size() >= 2 && extentsInnerFirst.back() > 1)
    stage.parallel(args.back());
}

/// The GPU form of a stage: 16x16 thread blocks over its two innermost axes,
/// 256 threads along a single axis, one thread for a scalar. Reductions run
/// serially inside each thread; a scatter's update owns its column.
void gpuTile(Stage stage, const std::vector<Var> &args) {
  if (args.empty()) {
    stage.gpu_single_thread();
  } else if (args.size() >= 2) {
    Var xo("xo"), yo("yo"), xi("xi"), yi("yi");
    stage.gpu_tile(args[0], args[1], xo, yo, xi, yi, 16, 16, TailStrategy::GuardWithIf);
  } else {
    Var xo("xo"), xi("xi");
    stage.gpu_tile(args[0], xo, xi, 256, TailStrategy::GuardWithIf);
  }
}

/// The hand schedule for GPU targets: every op computed at the root on the
/// device (elementwise chains still fused), results copied back to the host.
void gpuHandSchedule(FunctionLowering &fl) {
  DenseMap<Operation *, OpFamily> families;
  for (const LoweredFunc &lf : fl.loweredFuncs())
    families[lf.op] = lf.family;
  for (const LoweredFunc &lf : fl.loweredFuncs()) {
    if (lf.family == OpFamily::Elementwise && onlyFeedsElementwise(lf, families))
      continue;
    Func f = lf.func;
    f.compute_root();
    gpuTile(f, f.args());
    for (int u = 0; u < f.num_update_definitions(); ++u)
      gpuTile(f.update(u), f.args());
    for (Func helper : lf.helpers)
      if (helper.dimensions() > 0 && lf.family == OpFamily::Reduction) {
        helper.compute_root();
        gpuTile(helper, helper.args());
      }
  }
  // Results are plain copies of op values: Halide turns them into device-to-
  // host copies, so callers get their outputs in host memory.
  for (Func out : fl.outputs())
    out.copy_to_host();
}

void handSchedule(FunctionLowering &fl) {
  if (fl.target().has_gpu_feature())
    return gpuHandSchedule(fl);
  const Target &target = fl.target();
  DenseMap<Operation *, OpFamily> families;
  for (const LoweredFunc &lf : fl.loweredFuncs())
    families[lf.op] = lf.family;
  for (const LoweredFunc &lf : fl.loweredFuncs()) {
    if (lf.family == OpFamily::Elementwise && onlyFeedsElementwise(lf, families))
      continue; // inlined: fused into its consumers
    Func f = lf.func;
    f.compute_root();
    std::vector<Var> args = f.args();
    std::vector<int64_t> extents(lf.type.getShape().rbegin(), lf.type.getShape().rend());
    int width = std::max(1, target.natural_vector_size(f.value().type()));
    vectorizeAndParallelize(f, args, extents, width, true);
    for (int u = 0; u < f.num_update_definitions(); ++u)
      vectorizeAndParallelize(f.update(u), args, extents, width,
                              lf.family != OpFamily::Scatter);
    for (Func helper : lf.helpers)
      if (helper.dimensions() > 0 && lf.family == OpFamily::Reduction)
        helper.compute_root();
  }
  for (Func out : fl.outputs()) {
    std::vector<Var> args = out.args();
    if (!args.empty() && target.natural_vector_size(out.value().type()) > 1)
      out.vectorize(args[0], target.natural_vector_size(out.value().type()),
                    TailStrategy::GuardWithIf);
  }
}

void naiveSchedule(FunctionLowering &fl) {
  for (const LoweredFunc &lf : fl.loweredFuncs()) {
    Func f = lf.func;
    f.compute_root();
    for (Func helper : lf.helpers)
      helper.compute_root();
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

LogicalResult applySchedule(FunctionLowering &fl, Pipeline &pipeline, StringRef name) {
  if (name == "hand") {
    handSchedule(fl);
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
