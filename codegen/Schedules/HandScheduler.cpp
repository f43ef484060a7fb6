//===- HandScheduler.cpp - the CPU hand schedule: inlining, defaults ------===//
//
// What is fused, what is computed at the root and how, contractions, and the
// order in which ops claim their owners. Convolutions: ConvSchedules.cpp.
//
//===----------------------------------------------------------------------===//

#include "codegen/Schedules/HandScheduler.h"

using namespace mlir;
using namespace Halide;

namespace netc::codegen::hand {

namespace {

/// Whether a pooling op reads each input element about once (windows that
/// tile the input without overlap), so that an elementwise producer inlined
/// into it is computed about once per element too.
bool readsInputsOnce(Operation *op) {
  auto tiles = [](ArrayRef<int64_t> kernel, ArrayRef<int64_t> stride) {
    return kernel == stride;
  };
  if (auto pool = dyn_cast<nn::MaxPool2dOp>(op))
    return tiles(pool.getKernel(), pool.getStride()) &&
           llvm::all_of(pool.getDilation(), [](int64_t d) { return d == 1; });
  if (auto pool = dyn_cast<nn::AvgPool2dOp>(op))
    return tiles(pool.getKernel(), pool.getStride());
  if (auto pool = dyn_cast<nn::MaxPool2dBackwardOp>(op))
    return tiles(pool.getKernel(), pool.getStride()) &&
           llvm::all_of(pool.getDilation(), [](int64_t d) { return d == 1; });
  return false;
}

} // namespace

void HandScheduler::decideInlining() {
  for (const LoweredFunc &lf : fl.loweredFuncs()) {
    if (lf.func.has_update_definition())
      continue;
    // Pure window ops (pools and their gradients) are inlined into
    // elementwise consumers, which read each of their elements once.
    bool window = lf.family == OpFamily::Window &&
                  isa<nn::MaxPool2dOp, nn::AvgPool2dOp, nn::MaxPool2dBackwardOp,
                      nn::AvgPool2dBackwardOp>(lf.op);
    if (lf.family != OpFamily::Elementwise && !window)
      continue;
    Value result = lf.op->getResult(0);
    if (result.use_empty())
      continue;
    bool allowed = true;
    int returns = 0;
    for (OpOperand &use : result.getUses()) {
      Operation *user = use.getOwner();
      if (isa<func::ReturnOp>(user)) {
        ++returns;
        continue;
      }
      auto it = byOp.find(user);
      if (it == byOp.end() || it->second->func.has_update_definition()) {
        allowed = false;
        continue;
      }
      bool elementwise = it->second->family == OpFamily::Elementwise;
      // Elementwise ops also fuse into pools that read each element once.
      allowed &= elementwise || (!window && readsInputsOnce(user));
    }
    // A value only returned is computed by its result Func; one also used
    // elsewhere is recomputed there too, which only small tensors afford.
    bool small = lf.type.getNumElements() <= kSmallElements;
    if (allowed && (returns == 0 || (!window && returns == 1 && (result.hasOneUse() || small))))
      inlined.insert(lf.op);
  }
}

bool HandScheduler::rootCallers(Value v, SmallVectorImpl<Func> &out) const {
  for (OpOperand &use : v.getUses()) {
    Operation *user = use.getOwner();
    if (isa<func::ReturnOp>(user)) {
      out.push_back(fl.outputs()[use.getOperandNumber()]);
      continue;
    }
    if (isInlined(user)) {
      if (!rootCallers(user->getResult(0), out))
        return false;
      continue;
    }
    auto it = byOp.find(user);
    if (it == byOp.end())
      return false;
    out.push_back(it->second->func);
  }
  return true;
}

std::optional<Func> HandScheduler::fusableOwner(const LoweredFunc &lf) const {
  SmallVector<Func> callers;
  if (!rootCallers(lf.op->getResult(0), callers) || callers.empty())
    return std::nullopt;
  for (const Func &c : callers)
    if (c.name() != callers.front().name())
      return std::nullopt;
  Func owner = callers.front();
  if (owner.has_update_definition() || owned.count(owner.name()) ||
      owner.dimensions() != lf.func.dimensions())
    return std::nullopt;
  // The owner must be elementwise over the op's shape: a result or the Func
  // of an elementwise op that is not inlined.
  for (auto [index, out] : llvm::enumerate(fl.outputs()))
    if (out.name() == owner.name()) {
      auto type = cast<RankedTensorType>(fl.function().getResultTypes()[index]);
      return type.getShape() == lf.type.getShape() ? std::optional<Func>(owner) : std::nullopt;
    }
  for (const LoweredFunc &other : fl.loweredFuncs())
    if (other.func.name() == owner.name())
      return other.family == OpFamily::Elementwise && other.type.getShape() == lf.type.getShape()
                 ? std::optional<Func>(owner)
                 : std::nullopt;
  return std::nullopt;
}

Func HandScheduler::tileOwner(const LoweredFunc &lf) {
  std::optional<Func> fused = fusableOwner(lf);
  Func owner = fused ? *fused : Func(lf.func).in();
  if (!fused)
    wrappers[lf.func.name()] = owner;
  owned.insert(owner.name());
  owner.compute_root();
  return owner;
}

Func HandScheduler::sourceOf(Value v) const {
  Func f = fl.get(v).func;
  auto it = wrappers.find(f.name());
  return it == wrappers.end() ? f : it->second;
}

void HandScheduler::parallelOuter(Stage s, std::vector<VarOrRVar> outerToInner,
                                  std::vector<int64_t> extents, int64_t work) {
  if (cores < 2 || work < kParallelWork || outerToInner.empty())
    return;
  VarOrRVar loop = outerToInner[0];
  int64_t tasks = extents[0];
  for (size_t i = 1; i < outerToInner.size() && tasks < 4 * cores; ++i) {
    Var fused(Internal::unique_name("par"));
    s.fuse(outerToInner[i], loop, fused);
    loop = fused;
    tasks *= extents[i];
  }
  if (tasks > 1)
    s.parallel(loop);
}

void HandScheduler::vectorizeRoot(Func f, ArrayRef<int64_t> extentsInnerFirst, int64_t work) {
  std::vector<Var> args = f.args();
  if (args.empty())
    return;
  bool pure = !f.has_update_definition();
  // Whole vectors only: the last one overlaps the one before (pure
  // definitions may recompute) or is guarded (updates may not).
  int width = std::min<int64_t>(lanes(f), floorPow2(extentsInnerFirst[0]));
  // A consumer may need fewer elements of a row than a vector (a slice of a
  // few columns): shifted inwards, the vector would then read past the
  // producer's inputs. The whole row is computed instead, never narrower
  // than the vector.
  if (width > 1 && pure)
    f.bound(args[0], 0, static_cast<int>(extentsInnerFirst[0]));
  if (width > 1)
    f.vectorize(args[0], width, pure ? TailStrategy::ShiftInwards : TailStrategy::GuardWithIf);
  std::vector<VarOrRVar> outer;
  std::vector<int64_t> extents;
  for (size_t i = args.size(); i-- > 1;) {
    outer.push_back(args[i]);
    extents.push_back(extentsInnerFirst[i]);
  }
  parallelOuter(f, outer, extents, work);
  for (int u = 0; u < f.num_update_definitions(); ++u)
    if (width > 1)
      f.update(u).vectorize(args[0], width, TailStrategy::GuardWithIf);
}

/// A sum, mean or sum_to over axes that include the input's innermost one (a
/// bias gradient, or a batch norm's mean and its gradient's sums, reduce
/// [N, C, H, W] over N, H and W). Vectorized across the kept
/// axes, as other Funcs are, it would gather elements H * W apart. Its
/// reduction runs instead along memory, over the innermost axis (with the
/// next one when that is reduced too: H * W in a row), in vectors of partial
/// sums (rfactor) that a last pass adds up. False where it does not apply.
bool HandScheduler::scheduleRowReduction(const LoweredFunc &lf) {
  Operation *op = lf.op;
  if (!isa<nn::SumOp, nn::MeanOp, nn::SumToOp>(op))
    return false;
  auto inType = cast<RankedTensorType>(op->getOperand(0).getType());
  int rank = static_cast<int>(inType.getRank());
  std::vector<bool> reduced = summedAxes(op);
  if (rank < 2 || !reduced[rank - 1] || lf.type.getNumElements() == 1)
    return false;
  // The reduction is the one Func the result calls (sum(), in f64 for f32).
  std::map<std::string, Internal::Function> calls = Internal::find_direct_calls(lf.func.function());
  if (calls.size() != 1)
    return false;
  Func red(calls.begin()->second);
  if (red.num_update_definitions() != 1)
    return false;
  // Rows of the reduced innermost axes, as one when the next axis is reduced too.
  bool two = reduced[rank - 2] && red.update(0).get_schedule().rvars().size() >= 2;
  int64_t row = inType.getShape()[rank - 1] * (two ? inType.getShape()[rank - 2] : 1);
  // The extent of each of the reduction's Vars: it is one of the result's
  // (Halide's order, innermost first). A kept axis of size 1 (keepdim,
  // sum_to's 1s) the sum never mentions is none of them.
  std::vector<Var> resultVars = lf.func.args();
  std::vector<int64_t> kept;
  for (const Var &v : red.args()) {
    auto it = llvm::find_if(resultVars, [&](const Var &r) { return r.name() == v.name(); });
    if (it == resultVars.end())
      return false;
    kept.push_back(lf.type.getShape()[resultVars.size() - 1 - (it - resultVars.begin())]);
  }
  return sumRowsInVectors(red, row, two, kept, inType.getNumElements());
}

bool HandScheduler::sumRowsInVectors(Func red, int64_t row, bool two,
                                     const std::vector<int64_t> &keptExtents, int64_t elements) {
  Stage u = red.update(0);
  std::vector<Internal::ReductionVariable> rvars = u.get_schedule().rvars();
  int vl = std::max(1, target.natural_vector_size(red.value().type()));
  if (vl < 2 || row < vl)
    return false;
  RVar rx(rvars[0].var), rxo("rxo"), rxi("rxi");
  size_t firstOuter = 1;
  if (two) {
    RVar rxy("rxy");
    u.fuse(rx, RVar(rvars[1].var), rxy);
    rx = rxy;
    firstOuter = 2;
  }
  u.split(rx, rxo, rxi, vl, TailStrategy::GuardWithIf);
  Var lane("lane");
  Func partial = u.rfactor(rxi, lane);
  red.compute_root();
  std::vector<Var> storage{lane};
  for (const Var &v : partial.args())
    if (v.name() != lane.name())
      storage.push_back(v);
  partial.compute_root().reorder_storage(storage).vectorize(lane);
  Stage pu = partial.update(0);
  std::vector<VarOrRVar> order{lane, rxo};
  for (size_t i = firstOuter; i < rvars.size(); ++i)
    order.push_back(RVar(rvars[i].var));
  std::vector<Var> kept = red.args();
  for (const Var &v : kept)
    order.push_back(v);
  pu.reorder(order).vectorize(lane);
  // The kept axes (channels) are the parallel loop.
  std::vector<VarOrRVar> outer;
  std::vector<int64_t> extents;
  for (size_t i = kept.size(); i-- > 0;) {
    outer.push_back(kept[i]);
    extents.push_back(keptExtents[i]);
  }
  parallelOuter(pu, outer, extents, elements);
  return true;
}

void HandScheduler::scheduleDefault(const LoweredFunc &lf) {
  Func f = lf.func;
  f.compute_root();
  if (lf.family == OpFamily::Reduction)
    (void)scheduleRowReduction(lf);
  std::vector<int64_t> extents(lf.type.getShape().rbegin(), lf.type.getShape().rend());
  int64_t elements = lf.type.getNumElements();
  // Data movement costs about what a few multiply-adds do; gathers of the
  // backward window ops and reductions do several per element.
  int64_t work = lf.family == OpFamily::Elementwise || lf.family == OpFamily::Shape
                     ? elements * (kParallelWork / kParallelElements)
                     : elements * 16;
  if (lf.family == OpFamily::Recurrent) {
    scheduleRecurrence(lf);
    return;
  }
  if (lf.family == OpFamily::Scatter) {
    // Several iterations of the scatter's update may hit one row: it stays
    // serial, vectorized along the row.
    std::vector<Var> args = f.args();
    int width = args.empty() ? 1 : std::min<int64_t>(lanes(f), floorPow2(extents[0]));
    if (width > 1) {
      f.vectorize(args[0], width, TailStrategy::ShiftInwards);
      for (int u = 0; u < f.num_update_definitions(); ++u)
        f.update(u).vectorize(args[0], width, TailStrategy::GuardWithIf);
    }
    return;
  }
  vectorizeRoot(f, extents, work);
  for (Func stat : lf.handles.softmaxStats())
    if (stat.dimensions() > 0)
      stat.compute_root();
  // A softmax along the innermost axis (attention's, over the keys) sums
  // exp(x - max) along its rows: in vectors of partial sums, as rows of a sum.
  if (isa<nn::SoftmaxOp, nn::LogSoftmaxOp>(lf.op) && lf.handles.sum &&
      lf.handles.sum->dimensions() > 0) {
    auto inType = cast<RankedTensorType>(lf.op->getOperand(0).getType());
    int64_t rank = inType.getRank();
    int64_t dim = isa<nn::SoftmaxOp>(lf.op) ? cast<nn::SoftmaxOp>(lf.op).getDim()
                                            : cast<nn::LogSoftmaxOp>(lf.op).getDim();
    std::map<std::string, Internal::Function> calls =
        Internal::find_direct_calls(lf.handles.sum->function());
    if ((dim < 0 ? dim + rank : dim) == rank - 1 && calls.size() == 1) {
      Func red(calls.begin()->second);
      std::vector<int64_t> kept;
      for (int64_t i = rank - 2; i >= 0; --i)
        kept.push_back(inType.getShape()[i]);
      if (red.num_update_definitions() == 1 && red.dimensions() == rank - 1)
        (void)sumRowsInVectors(red, inType.getShape()[rank - 1], false, kept,
                               inType.getNumElements());
    }
  }
}

/// The maximum pool's gradient compares against each window's argmax: once
/// per window at the root, not once per covering input position.
void HandScheduler::scheduleArgmax(const LoweredFunc &lf) {
  Func argmax = *lf.handles.argmax;
  argmax.compute_root();
  std::vector<Var> ha = argmax.args();
  int width = std::max(1, target.natural_vector_size(argmax.output_types().back()));
  if (width > 1)
    argmax.vectorize(ha[0], width, TailStrategy::GuardWithIf);
  int64_t elements = lf.type.getNumElements();
  std::vector<VarOrRVar> outer;
  std::vector<int64_t> extents;
  for (size_t i = ha.size(); i-- > 1;) {
    outer.push_back(ha[i]);
    extents.push_back(lf.type.getShape()[ha.size() - 1 - i]);
  }
  parallelOuter(argmax, outer, extents, elements * 4);
  if (!lf.handles.phases)
    return;
  // The phases of a strided max-pool gradient (Window.cpp): stored phase
  // innermost, so that the result reads them as plain vectors; computed in
  // vectors along the quotients, the phases unrolled (each knows its kernel
  // offsets), so that their strided stores interleave into plain ones.
  Func phases = *lf.handles.phases;
  std::vector<Var> pa = phases.args(); // qx, phx, qy, phy, c[, n]
  std::vector<Var> storage{pa[1], pa[0], pa[3], pa[2], pa[4]};
  if (pa.size() == 6)
    storage.push_back(pa[5]);
  int64_t rank = lf.type.getRank();
  int64_t sx = cast<nn::MaxPool2dBackwardOp>(lf.op).getStride()[1];
  int64_t qwidth = (lf.type.getShape()[rank - 1] + sx - 1) / sx;
  int vl = std::min(lanes(phases), floorPow2(qwidth));
  Var qo("qo"), qv("qv");
  phases.compute_root().reorder_storage(storage);
  phases.split(pa[0], qo, qv, vl, TailStrategy::GuardWithIf)
      .reorder(qv, pa[1], qo, pa[3], pa[2])
      .unroll(pa[1])
      .unroll(pa[3]);
  if (vl > 1)
    phases.vectorize(qv);
  std::vector<VarOrRVar> pouter;
  std::vector<int64_t> pextents;
  if (pa.size() == 6) {
    pouter.push_back(pa[5]);
    pextents.push_back(lf.type.getShape()[0]);
  }
  pouter.push_back(pa[4]);
  pextents.push_back(lf.type.getShape()[rank - 3]);
  parallelOuter(phases, pouter, pextents, elements * 4);
}

void HandScheduler::run() {
  for (const LoweredFunc &lf : fl.loweredFuncs())
    byOp[lf.op] = &lf;
  decideInlining();
  // Register-tiled ops first: they claim their owners.
  for (const LoweredFunc &lf : fl.loweredFuncs()) {
    if (lf.handles.winograd)
      scheduleWinograd(lf);
    else if (lf.handles.columns)
      scheduleConvColumns(lf);
    else if (isa<nn::Conv2dBackwardInputOp>(lf.op) && !lf.func.has_update_definition())
      scheduleStridedConvInput(lf);
    else if (isa<nn::Conv2dOp, nn::Conv2dBackwardInputOp>(lf.op) &&
             channelConvPossible(lf.op, target) &&
             variantOf(lf.op, channelConvByDefault(lf.op, target)) == 1)
      scheduleConvByChannel(lf);
    else if (isa<nn::Conv2dOp, nn::Conv2dBackwardInputOp>(lf.op))
      scheduleConv(lf);
    else if (isa<nn::Conv2dBackwardFilterOp>(lf.op))
      scheduleConvFilter(lf);
    else if (isa<nn::LinearOp, nn::MatmulOp>(lf.op))
      scheduleContraction(lf);
  }
  for (const LoweredFunc &lf : fl.loweredFuncs()) {
    if (isa<nn::MaxPool2dBackwardOp>(lf.op))
      scheduleArgmax(lf);
    if (isInlined(lf.op) || owned.count(lf.func.name()) ||
        isa<nn::Conv2dOp, nn::Conv2dBackwardInputOp, nn::Conv2dBackwardFilterOp, nn::LinearOp,
            nn::MatmulOp>(lf.op))
      continue;
    scheduleDefault(lf);
  }
  for (auto [index, out] : llvm::enumerate(fl.outputs())) {
    if (owned.count(out.name()))
      continue;
    auto type = cast<RankedTensorType>(fl.function().getResultTypes()[index]);
    std::vector<int64_t> extents(type.getShape().rbegin(), type.getShape().rend());
    vectorizeRoot(out, extents, type.getNumElements() * (kParallelWork / kParallelElements));
  }
}

} // namespace netc::codegen::hand
