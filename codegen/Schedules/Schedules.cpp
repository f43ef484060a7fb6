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

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/SmallPtrSet.h"

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

/// Below this many multiply-adds (or elements for data movement) a loop nest
/// runs on one thread: waking the thread pool and joining it costs tens of
/// microseconds, which small layers (mlpirate's 64x128x128) do not repay.
constexpr int64_t kParallelWork = 1 << 22;
constexpr int64_t kParallelElements = 1 << 18;
/// Elementwise values this small may be computed twice (by a result and by
/// another consumer) rather than stored once.
constexpr int64_t kSmallElements = 1 << 15;
/// Accumulator registers a tile may use (of 32 vector registers on AVX-512
/// and NEON).
constexpr int kMaxAccumulators = 24;

int hostCores() { return std::max(1, static_cast<int>(std::thread::hardware_concurrency())); }

/// The largest power of two at most `n` (and at least 1).
int floorPow2(int64_t n) {
  int p = 1;
  while (2 * static_cast<int64_t>(p) <= n)
    p *= 2;
  return p;
}

//===----------------------------------------------------------------------===//
// Register tiles
//===----------------------------------------------------------------------===//

/// A register tile: `rows` output channels (rows of a contraction),
/// `vectors` vectors of `lanes` along x, `yrows` output rows.
struct Tile {
  int rows = 1, lanes = 1, vectors = 1, yrows = 1;
  int cols() const { return lanes * vectors; }
  int accumulators() const { return rows * vectors * yrows; }
};

/// The fraction of work a tiling of `extent` by `tile` keeps (overlapping
/// last tiles recompute).
double tileEfficiency(int64_t extent, int tile) {
  if (tile > extent)
    return 0.0;
  int64_t tiles = (extent + tile - 1) / tile;
  return static_cast<double>(extent) / static_cast<double>(tiles * tile);
}

/// Chooses a tile for `channels` x `height` x `width` outputs. Each step of
/// the reduction loads `vectors * yrows` input vectors (`inputCost` each: a
/// strided input costs shuffles) and broadcasts `rows` weights for
/// `accumulators` multiply-adds. The score prefers full vectors, enough
/// independent accumulators to hide the FMA latency, little recomputation at
/// the edges, then few loads per multiply-add. Lanes are powers of two.
Tile chooseTile(int64_t channels, int64_t height, int64_t width, int naturalLanes,
                double inputCost, bool allowRows, int maxAccumulators = kMaxAccumulators,
                int fullRateLanes = 0) {
  // Vectors of fullRateLanes multiply-add as many lanes per cycle as the
  // natural ones (a CPU whose wide units are two narrower ones).
  if (fullRateLanes <= 0)
    fullRateLanes = naturalLanes;
  Tile best;
  double bestScore = -1e9;
  for (int lanes = naturalLanes; lanes >= 1; lanes /= 2) {
    for (int rows = 1; rows <= std::min<int64_t>(channels, 32); ++rows) {
      if (channels % rows)
        continue;
      for (int vectors = 1; vectors <= 6; ++vectors) {
        for (int yrows : {1, 2, 4}) {
          if (yrows > 1 && (!allowRows || yrows > height))
            continue;
          Tile t{rows, lanes, vectors, yrows};
          int acc = t.accumulators();
          if (acc > maxAccumulators || t.cols() > width)
            continue;
          double eff = tileEfficiency(width, t.cols()) * tileEfficiency(height, yrows);
          double score = eff * std::min(1.0, static_cast<double>(lanes) / fullRateLanes) *
                             std::min(1.0, acc / 8.0) -
                         0.01 * (vectors * yrows * inputCost + rows) / acc;
          if (score > bestScore) {
            bestScore = score;
            best = t;
          }
        }
      }
    }
  }
  return best;
}

/// Row blocks per strip of a convolution's output (the padded input is kept
/// per strip): at most `most`, few enough for a few strips per core,
/// recomputing at most 3% of the rows where the last strip overlaps.
int64_t chooseStrip(int64_t rowBlocks, int64_t batch, int64_t most) {
  int cores = hostCores();
  for (int64_t s = std::max<int64_t>(1, std::min(most, rowBlocks)); s > 1; --s) {
    int64_t strips = (rowBlocks + s - 1) / s;
    if (batch * strips < 4 * cores)
      continue;
    if (static_cast<double>(strips * s - rowBlocks) <= 0.03 * static_cast<double>(rowBlocks))
      return s;
  }
  return 1;
}

//===----------------------------------------------------------------------===//
// The hand scheduler
//===----------------------------------------------------------------------===//

class HandScheduler {
public:
  explicit HandScheduler(FunctionLowering &fl) : fl(fl), target(fl.target()) {
    cores = hostCores();
  }
  void run();

private:
  /// Lanes of `f`'s type that run at the full multiply-add rate: half the
  /// natural AVX-512 width on AMD CPUs when compiling for this host (Zen 4
  /// executes a 512-bit multiply-add as two 256-bit halves, so 8-lane vectors
  /// cost no throughput and tile widths like 56 without waste).
  int fullRateLanes(const Func &f) const {
    int natural = lanes(f);
#if defined(__x86_64__) && defined(__GNUC__)
    Target host = get_host_target();
    if (target.arch == Target::X86 && target.has_feature(Target::AVX512) &&
        host.has_feature(Target::AVX512) && __builtin_cpu_is("amd"))
      return std::max(1, natural / 2);
#endif
    return natural;
  }
  int lanes(const Func &f) const {
    return std::max(1, target.natural_vector_size(f.value().type()));
  }
  bool isInlined(Operation *op) const { return inlined.count(op); }
  void decideInlining();
  /// The Funcs that call `v`'s Func once inlined Funcs are folded into
  /// their callers; false if a caller is not a Func of this pipeline.
  bool rootCallers(Value v, SmallVectorImpl<Func> &out) const;
  /// The elementwise Func that may own `lf`'s tiles, if there is one.
  std::optional<Func> fusableOwner(const LoweredFunc &lf) const;

  void scheduleConv(const LoweredFunc &lf);
  void scheduleConvFilter(const LoweredFunc &lf);
  void scheduleConvFilterByChannel(const LoweredFunc &lf);
  void scheduleStridedConvInput(const LoweredFunc &lf);
  void scheduleContraction(const LoweredFunc &lf);
  void scheduleDefault(const LoweredFunc &lf);
  void scheduleArgmax(const LoweredFunc &lf);
  /// Vectorizes `f`'s innermost axis and spreads its outer axes over the
  /// cores when `work` (multiply-adds or so) is large.
  void vectorizeRoot(Func f, ArrayRef<int64_t> extentsInnerFirst, int64_t work);
  /// Makes the loop over `outerToInner[0]` parallel, fused with the next
  /// ones while there are fewer than a few tasks per core.
  void parallelOuter(Stage s, std::vector<VarOrRVar> outerToInner,
                     std::vector<int64_t> extents, int64_t work);

  FunctionLowering &fl;
  const Target &target;
  int cores = 1;
  DenseMap<Operation *, const LoweredFunc *> byOp;
  SmallPtrSet<Operation *, 32> inlined;
  std::set<std::string> owned; // Funcs scheduled as the owner of another's tiles
};

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

void HandScheduler::scheduleDefault(const LoweredFunc &lf) {
  Func f = lf.func;
  f.compute_root();
  std::vector<int64_t> extents(lf.type.getShape().rbegin(), lf.type.getShape().rend());
  int64_t elements = lf.type.getNumElements();
  // Data movement costs about what a few multiply-adds do; gathers of the
  // backward window ops and reductions do several per element.
  int64_t work = lf.family == OpFamily::Elementwise || lf.family == OpFamily::Shape
                     ? elements * (kParallelWork / kParallelElements)
                     : elements * 16;
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
  for (Func helper : lf.helpers)
    if (helper.dimensions() > 0 && lf.family == OpFamily::Reduction)
      helper.compute_root();
}

/// The maximum pool's gradient compares against each window's argmax: once
/// per window at the root, not once per covering input position.
void HandScheduler::scheduleArgmax(const LoweredFunc &lf) {
  for (Func helper : lf.helpers) {
    if (helper.name().find("_argmax") == std::string::npos)
      continue;
    helper.compute_root();
    std::vector<Var> ha = helper.args();
    int width = std::max(1, target.natural_vector_size(helper.output_types().back()));
    if (width > 1)
      helper.vectorize(ha[0], width, TailStrategy::GuardWithIf);
    int64_t elements = lf.type.getNumElements();
    std::vector<VarOrRVar> outer;
    std::vector<int64_t> extents;
    for (size_t i = ha.size(); i-- > 1;) {
      outer.push_back(ha[i]);
      extents.push_back(lf.type.getShape()[ha.size() - 1 - i]);
    }
    parallelOuter(helper, outer, extents, elements * 4);
  }
}

//===----------------------------------------------------------------------===//
// Convolution and its input gradient
//===----------------------------------------------------------------------===//

void HandScheduler::scheduleConv(const LoweredFunc &lf) {
  Func f = lf.func;
  int rank = lf.type.getRank();
  ArrayRef<int64_t> shape = lf.type.getShape();
  int64_t channels = shape[rank - 3], height = shape[rank - 2], width = shape[rank - 1];
  int64_t batch = rank == 4 ? shape[0] : 1;
  // The reduction runs over (channels, ky, kx) of the weight [O, C/g, KH, KW]:
  // its input channels forward, its output channels for the input gradient.
  auto forward = dyn_cast<nn::Conv2dOp>(lf.op);
  auto backward = dyn_cast<nn::Conv2dBackwardInputOp>(lf.op);
  Value weight = forward ? forward.getWeight() : backward.getWeight();
  ArrayRef<int64_t> ws = cast<RankedTensorType>(weight.getType()).getShape();
  int64_t kw = ws[3];
  int64_t reduced = forward ? ws[1] : ws[0] / static_cast<int64_t>(backward.getGroups());
  int64_t work = lf.type.getNumElements() * reduced * ws[2] * kw;
  int64_t stride = forward ? forward.getStride()[1] : backward.getStride()[1];

  Tile t = chooseTile(channels, height, width, lanes(f), stride > 1 ? 3.0 : 1.0,
                      /*allowRows=*/true, kMaxAccumulators,
                      // Strided inputs cost shuffles per vector: fewer, wider ones.
                      stride > 1 ? lanes(f) : fullRateLanes(f));

  std::optional<Func> fused = fusableOwner(lf);
  Func owner = fused ? *fused : f.in();
  owned.insert(owner.name());
  owner.compute_root();

  // The owner's loops, outermost first: n, strip of row blocks (parallel),
  // row block, channel block, column tile; inside, the unrolled tile.
  std::vector<Var> a = owner.args(); // x, y, c[, n]
  Var x = a[0], y = a[1], c = a[2];
  Var xo("xo"), xi("xi"), xv("xv"), xu("xu"), yo("yo"), yi("yi"), ys("ys"), yr("yr"), co("co"),
      ci("ci");
  int64_t rowBlocks = (height + t.yrows - 1) / t.yrows;
  int64_t stripBlocks = chooseStrip(rowBlocks, batch, std::max(1, 8 / t.yrows));
  owner.split(c, co, ci, t.rows)
      .split(x, xo, xi, t.cols(), TailStrategy::ShiftInwards)
      .split(xi, xu, xv, t.lanes)
      .split(y, yo, yi, t.yrows, TailStrategy::ShiftInwards)
      .split(yo, ys, yr, static_cast<int>(stripBlocks), TailStrategy::ShiftInwards);
  std::vector<VarOrRVar> order{xv, xu, ci, yi, xo, co, yr, ys};
  if (rank == 4)
    order.push_back(a[3]);
  owner.reorder(order);
  if (t.lanes > 1)
    owner.vectorize(xv);
  owner.unroll(xu).unroll(ci).unroll(yi);

  // The parallel loop: strips, fused with the batch.
  Var strip = ys;
  int64_t strips = (rowBlocks + stripBlocks - 1) / stripBlocks;
  if (rank == 4 && batch > 1) {
    Var sn("sn");
    owner.fuse(ys, a[3], sn);
    strip = sn;
  }
  if (cores > 1 && work >= kParallelWork && strips * batch > 1)
    owner.parallel(strip);

  // The register tile: the pure definition (bias or zero), then the
  // reduction over (c, ky, kx) outside the unrolled channels, vectors and
  // rows, kx innermost. (Unrolling kx too gained nothing and doubled
  // Halide's lowering time.)
  std::vector<Var> fa = f.args();
  Var fx = fa[0], fy = fa[1], fc = fa[2];
  Var fxu("fxu"), fxv("fxv");
  f.compute_at(owner, xo);
  f.split(fx, fxu, fxv, t.lanes, TailStrategy::RoundUp).reorder(fxv, fxu, fc, fy);
  if (t.lanes > 1)
    f.vectorize(fxv);
  f.unroll(fxu).unroll(fc).unroll(fy);
  Stage u = f.update(0);
  std::vector<Internal::ReductionVariable> rvars = u.get_schedule().rvars(); // c, ky, kx
  u.split(fx, fxu, fxv, t.lanes, TailStrategy::RoundUp);
  std::vector<VarOrRVar> uorder{fxv, fc, fxu, fy};
  std::vector<RVar> rv;
  for (const Internal::ReductionVariable &v : rvars)
    rv.push_back(RVar(v.var));
  for (auto it = rv.rbegin(); it != rv.rend(); ++it)
    uorder.push_back(*it);
  if (rank == 4)
    uorder.push_back(fa[3]);
  u.reorder(uorder);
  if (t.lanes > 1)
    u.vectorize(fxv);
  u.unroll(fc).unroll(fxu).unroll(fy);

  // The padded input (of the gradient, backward): stored per strip, filled
  // a row block at a time as the rows slide down (Halide's sliding window).
  for (Func helper : lf.helpers) {
    helper.store_at(owner, strip).compute_at(owner, yr);
    std::vector<Var> ha = helper.args();
    int hl = lanes(helper);
    if (!ha.empty() && hl > 1)
      helper.vectorize(ha[0], hl, TailStrategy::RoundUp);
  }
}

//===----------------------------------------------------------------------===//
// Strided convolution's input gradient
//===----------------------------------------------------------------------===//

/// The input gradient of a strided convolution is computed per phase
/// (Backward.cpp): `phases(qx, phx, qy, phy, c, n)` accumulates the dense
/// convolution of each phase; the result interleaves them. A tile holds
/// every x phase of `rows` channels by `vectors` vectors along qx, stored
/// phase-innermost so that the interleaved result reads plain vectors.
void HandScheduler::scheduleStridedConvInput(const LoweredFunc &lf) {
  auto op = cast<nn::Conv2dBackwardInputOp>(lf.op);
  Func f = lf.func, gext = lf.helpers[0], phases = lf.helpers[1];
  int rank = lf.type.getRank();
  ArrayRef<int64_t> shape = lf.type.getShape();
  int64_t channels = shape[rank - 3], height = shape[rank - 2], width = shape[rank - 1];
  int64_t batch = rank == 4 ? shape[0] : 1;
  int sy = static_cast<int>(op.getStride()[0]), sx = static_cast<int>(op.getStride()[1]);
  ArrayRef<int64_t> ws = cast<RankedTensorType>(op.getWeight().getType()).getShape();
  int64_t work = lf.type.getNumElements() * ws[0] / static_cast<int64_t>(op.getGroups()) * ws[2] *
                 ws[3] / (sx * sy);
  int64_t qwidth = width / sx;
  Tile t = chooseTile(channels, 1, std::max<int64_t>(1, qwidth), lanes(f), 1.0,
                      /*allowRows=*/false, std::max(1, kMaxAccumulators / (sx * sy)));
  int cols = t.cols() * sx;

  std::optional<Func> fused = fusableOwner(lf);
  Func owner = fused ? *fused : f;
  owned.insert(owner.name());
  owner.compute_root();
  // The owner's tile: sy rows (every y phase) by cols columns (every x
  // phase of t.cols() positions q) by t.rows channels. Inside, x = q * sx +
  // phase with q vectorized and the phases unrolled: reads of `phases` are
  // plain vectors and the stores of the phases interleave into plain ones.
  std::vector<Var> a = owner.args(); // x, y, c[, n]
  Var x = a[0], y = a[1], c = a[2];
  Var xo("xo"), xi("xi"), xq("xq"), xph("xph"), xqu("xqu"), xqv("xqv"), yo("yo"), yph("yph"),
      ys("ys"), yr("yr"), co("co"), ci("ci");
  int64_t rowBlocks = (height + sy - 1) / sy;
  int64_t stripBlocks = chooseStrip(rowBlocks, batch, std::max(1, 8 / sy));
  TailStrategy xTail = cols <= width ? TailStrategy::ShiftInwards : TailStrategy::GuardWithIf;
  TailStrategy yTail = height >= sy ? TailStrategy::ShiftInwards : TailStrategy::GuardWithIf;
  owner.split(c, co, ci, t.rows)
      .split(x, xo, xi, cols, xTail)
      .split(xi, xq, xph, sx)
      .split(xq, xqu, xqv, t.lanes)
      .split(y, yo, yph, sy, yTail)
      .split(yo, ys, yr, static_cast<int>(stripBlocks), TailStrategy::ShiftInwards);
  std::vector<VarOrRVar> order{xqv, xph, xqu, yph, ci, xo, co, yr, ys};
  if (rank == 4)
    order.push_back(a[3]);
  owner.reorder(order);
  if (t.lanes > 1)
    owner.vectorize(xqv);
  owner.unroll(xph).unroll(xqu).unroll(yph).unroll(ci);
  Var strip = ys;
  if (rank == 4 && batch > 1) {
    Var sn("sn");
    owner.fuse(ys, a[3], sn);
    strip = sn;
  }
  if (cores > 1 && work >= kParallelWork && ((rowBlocks + stripBlocks - 1) / stripBlocks) * batch > 1)
    owner.parallel(strip);

  // The accumulators: q vectors by x phases by y phases by channels.
  std::vector<Var> pa = phases.args(); // qx, phx, qy, phy, c[, n]
  Var qx = pa[0], phx = pa[1], qy = pa[2], phy = pa[3], pc = pa[4];
  Var qu("qu"), qv("qv");
  phases.compute_at(owner, xo);
  phases.split(qx, qu, qv, t.lanes, TailStrategy::RoundUp).reorder(qv, phx, qu, phy, pc, qy);
  Stage u = phases.update(0);
  std::vector<Internal::ReductionVariable> rvars = u.get_schedule().rvars(); // o, ky, kx
  u.split(qx, qu, qv, t.lanes, TailStrategy::RoundUp);
  std::vector<VarOrRVar> uorder{qv, phx, qu, phy, pc, qy};
  for (auto it = rvars.rbegin(); it != rvars.rend(); ++it)
    uorder.push_back(RVar(it->var));
  if (rank == 4)
    uorder.push_back(pa[5]);
  u.reorder(uorder);
  for (Stage st : {Stage(phases), u}) {
    if (t.lanes > 1)
      st.vectorize(qv);
    st.unroll(phx).unroll(qu).unroll(phy).unroll(pc).unroll(qy);
  }

  gext.store_at(owner, strip).compute_at(owner, yr);
  std::vector<Var> ha = gext.args();
  if (!ha.empty() && lanes(gext) > 1)
    gext.vectorize(ha[0], lanes(gext), TailStrategy::RoundUp);
}

//===----------------------------------------------------------------------===//
// Weight gradient
//===----------------------------------------------------------------------===//

/// The weight gradient: a long reduction over (n, oy, ox) into a small
/// [O, C, KH, KW] result. The reduction over ox is split by the vector width
/// and factored out (rfactor), so each (o, c, ky, kx) accumulates a vector of
/// partial sums in a register; a tile covers ob output channels, cb input
/// channels and every kx, and a last horizontal sum finishes each weight.
void HandScheduler::scheduleConvFilter(const LoweredFunc &lf) {
  auto op = cast<nn::Conv2dBackwardFilterOp>(lf.op);
  Func f = lf.func;
  ArrayRef<int64_t> shape = lf.type.getShape(); // O, C, KH, KW
  int64_t outC = shape[0], inC = shape[1], kw = shape[3];
  auto gradType = cast<RankedTensorType>(op.getGrad().getType());
  int64_t ow = gradType.getShape().back();
  int64_t work = lf.type.getNumElements() * (gradType.getNumElements() / outC);
  int stride = static_cast<int>(op.getStride()[1]);
  // Whole vectors along ox when half the natural width divides it (tail
  // tests cost more than narrower vectors), else a guarded last vector.
  int vl = std::min<int64_t>(lanes(f), floorPow2(ow));
  if (ow % vl && vl >= 8 && ow % (vl / 2) == 0)
    vl /= 2;
  if (ow % vl && op.getGroups() == 1 && outC % lanes(f) == 0 && lanes(f) >= 8) {
    scheduleConvFilterByChannel(lf);
    return;
  }

  // ob x cb x kw accumulators; each step loads ob gradient and cb * kw
  // input vectors.
  int ob = 1, cb = 1;
  double bestScore = -1e9;
  for (int o = 1; o <= std::min<int64_t>(outC, 16); ++o) {
    if (outC % o)
      continue;
    for (int c = 1; c <= std::min<int64_t>(inC, 16); ++c) {
      if (inC % c)
        continue;
      int acc = static_cast<int>(o * c * kw);
      if (acc > kMaxAccumulators && !(o == 1 && c == 1))
        continue;
      double loads = o + c * kw * (stride > 1 ? 3.0 : 1.0);
      double score = std::min(1.0, acc / 8.0) - 0.01 * loads / acc;
      if (score > bestScore) {
        bestScore = score;
        ob = o;
        cb = c;
      }
    }
  }

  std::vector<Var> a = f.args(); // kx, ky, c, o
  Var kx = a[0], ky = a[1], c = a[2], o = a[3];
  Var co("co"), ci("ci"), oo("oo"), oi("oi"), tile("tile"), kyc("kyc"), lane("lane");
  f.compute_root();
  Stage u = f.update(0);
  std::vector<Internal::ReductionVariable> rvars = u.get_schedule().rvars(); // n, oy, ox
  RVar rox(rvars[2].var), rxo("rxo"), rxi("rxi");
  u.split(rox, rxo, rxi, vl, ow % vl ? TailStrategy::GuardWithIf : TailStrategy::Auto);
  Func partial = u.rfactor(rxi, lane);
  // What is left of the update adds up the lanes of each weight, tile by
  // tile; the tiles (ky, channel blocks) are the parallel loop.
  u = f.update(0);
  u.split(c, co, ci, cb)
      .split(o, oo, oi, ob)
      .reorder(rxi, kx, ci, oi, ky, co, oo)
      .fuse(ky, co, kyc)
      .fuse(kyc, oo, tile);
  if (cores > 1 && work >= kParallelWork)
    u.parallel(tile);

  // rfactor appends the lane to the pure Vars: (kx, ky, c, o, lane). Lanes
  // go innermost in memory and loops; kx, c and o are unrolled.
  std::vector<Var> pa = partial.args();
  Var pkx = pa[0], pky = pa[1], pc = pa[2], po = pa[3], plane = pa[4];
  partial.compute_at(f, tile);
  partial.reorder_storage(plane, pkx, pky, pc, po);
  partial.reorder(plane, pkx, pc, po, pky).unroll(pkx).unroll(pc).unroll(po);
  Stage pu = partial.update(0);
  pu.reorder(plane, pkx, pc, po, pky, rxo, RVar(rvars[1].var), RVar(rvars[0].var))
      .unroll(pkx)
      .unroll(pc)
      .unroll(po);
  if (vl > 1) {
    partial.vectorize(plane);
    pu.vectorize(plane);
  }

  // The padded input once at the root: every tile reads all of it.
  for (Func helper : lf.helpers) {
    helper.compute_root();
    std::vector<Var> ha = helper.args();
    if (!ha.empty() && lanes(helper) > 1)
      helper.vectorize(ha[0], lanes(helper), TailStrategy::RoundUp);
    if (cores > 1 && work >= kParallelWork && ha.size() >= 2) {
      Var hpar("hpar");
      helper.fuse(ha[ha.size() - 2], ha.back(), hpar).parallel(hpar);
    }
  }
}

/// The weight gradient of a layer whose output rows are no whole number of
/// vectors (LeNet's 10x10): vectors along the output channels instead. The
/// gradient is copied once with its channels innermost; a tile holds one
/// vector of output channels by cb input channels by every kx, at one ky,
/// in registers while the reduction over (n, oy, ox) streams the copied
/// gradient and broadcasts single input values.
void HandScheduler::scheduleConvFilterByChannel(const LoweredFunc &lf) {
  auto op = cast<nn::Conv2dBackwardFilterOp>(lf.op);
  Func f = lf.func;
  ArrayRef<int64_t> shape = lf.type.getShape(); // O, C, KH, KW
  int64_t inC = shape[1], kw = shape[3];
  int vl = lanes(f);
  int cb = 1;
  for (int c = 1; c <= inC; ++c)
    if (inC % c == 0 && c * kw <= kMaxAccumulators)
      cb = c;
  auto gradType = cast<RankedTensorType>(op.getGrad().getType());
  int64_t work = lf.type.getNumElements() * (gradType.getNumElements() / shape[0]);

  Func owner = f.in();
  owned.insert(owner.name());
  owner.compute_root();
  std::vector<Var> a = owner.args(); // kx, ky, c, o
  Var kx = a[0], ky = a[1], c = a[2], o = a[3];
  Var oo("oo"), oi("oi"), co("co"), ci("ci"), tile("tile"), t2("t2");
  owner.split(o, oo, oi, vl).split(c, co, ci, cb).reorder(oi, kx, ci, ky, co, oo);
  owner.vectorize(oi).unroll(kx).unroll(ci);
  owner.fuse(ky, co, t2).fuse(t2, oo, tile);
  if (cores > 1 && work >= kParallelWork)
    owner.parallel(tile);

  std::vector<Var> fa = f.args();
  Var fkx = fa[0], fky = fa[1], fc = fa[2], fo = fa[3];
  f.compute_at(owner, tile);
  f.reorder_storage(fo, fkx, fc, fky).reorder(fo, fkx, fc, fky).vectorize(fo, vl).unroll(fkx).unroll(fc);
  Stage u = f.update(0);
  std::vector<Internal::ReductionVariable> rvars = u.get_schedule().rvars(); // n, oy, ox
  std::vector<VarOrRVar> order{fo, fkx, fc};
  for (auto it = rvars.rbegin(); it != rvars.rend(); ++it)
    order.push_back(RVar(it->var));
  order.push_back(fky);
  u.reorder(order).vectorize(fo, vl).unroll(fkx).unroll(fc);

  // The gradient with its channels innermost, once; the padded input once.
  Func g = Func(fl.get(op.getGrad()).func).in(f);
  std::vector<Var> ga = g.args(); // ox, oy, o[, n]
  std::vector<VarOrRVar> gorder{ga[2], ga[0], ga[1]};
  for (size_t i = 3; i < ga.size(); ++i)
    gorder.push_back(ga[i]);
  std::vector<Var> gstore{ga[2], ga[0], ga[1]};
  for (size_t i = 3; i < ga.size(); ++i)
    gstore.push_back(ga[i]);
  g.compute_root().reorder_storage(gstore).reorder(gorder).vectorize(ga[2], vl);
  for (Func helper : lf.helpers) {
    helper.compute_root();
    std::vector<Var> ha = helper.args();
    if (!ha.empty() && lanes(helper) > 1)
      helper.vectorize(ha[0], lanes(helper), TailStrategy::RoundUp);
  }
}

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

void HandScheduler::scheduleContraction(const LoweredFunc &lf) {
  Func f = lf.func;
  int rank = lf.type.getRank();
  ArrayRef<int64_t> shape = lf.type.getShape();
  // linear reads its weight along the reduction: a transposed copy gives
  // contiguous vectors along the output features. matmul of matrices reads
  // its right operand contiguously already; matrix-vector products keep the
  // default schedule.
  auto linear = dyn_cast<nn::LinearOp>(lf.op);
  bool tileable = static_cast<bool>(linear);
  int64_t inner = 1;
  if (auto mm = dyn_cast<nn::MatmulOp>(lf.op)) {
    auto a = cast<RankedTensorType>(mm.getLhs().getType());
    auto b = cast<RankedTensorType>(mm.getRhs().getType());
    tileable = a.getRank() >= 2 && b.getRank() >= 2;
    inner = a.getShape().back();
  } else if (linear) {
    inner = cast<RankedTensorType>(linear.getWeight().getType()).getShape()[1];
  }
  if (rank < 2 || !tileable) {
    scheduleDefault(lf);
    return;
  }
  int64_t cols = shape[rank - 1], rows = shape[rank - 2];
  int64_t work = lf.type.getNumElements() * inner;
  Tile t = chooseTile(rows, 1, cols, lanes(f), 1.0, /*allowRows=*/false);

  std::optional<Func> fused = fusableOwner(lf);
  Func owner = fused ? *fused : f.in();
  owned.insert(owner.name());
  owner.compute_root();
  std::vector<Var> a = owner.args(); // m, n, batch...
  Var m = a[0], n = a[1];
  Var mo("mo"), mi("mi"), mu("mu"), mv("mv"), no("no"), ni("ni");
  owner.split(m, mo, mi, t.cols(), TailStrategy::ShiftInwards)
      .split(mi, mu, mv, t.lanes)
      .split(n, no, ni, t.rows);
  std::vector<VarOrRVar> order{mv, mu, ni, mo, no};
  for (int i = 2; i < rank; ++i)
    order.push_back(a[i]);
  owner.reorder(order);
  if (t.lanes > 1)
    owner.vectorize(mv);
  owner.unroll(mu).unroll(ni);
  std::vector<VarOrRVar> outer;
  std::vector<int64_t> extents;
  for (int i = rank - 1; i >= 2; --i) {
    outer.push_back(a[i]);
    extents.push_back(shape[rank - 1 - i]);
  }
  outer.push_back(no);
  extents.push_back(rows / t.rows);
  parallelOuter(owner, outer, extents, work);

  std::vector<Var> fa = f.args();
  Var fm = fa[0], fn = fa[1];
  Var fmu("fmu"), fmv("fmv");
  f.compute_at(owner, mo);
  f.split(fm, fmu, fmv, t.lanes, TailStrategy::RoundUp).reorder(fmv, fmu, fn);
  if (t.lanes > 1)
    f.vectorize(fmv);
  f.unroll(fmu).unroll(fn);
  Stage u = f.update(0);
  std::vector<Internal::ReductionVariable> rvars = u.get_schedule().rvars();
  u.split(fm, fmu, fmv, t.lanes, TailStrategy::RoundUp);
  std::vector<VarOrRVar> uorder{fmv, fn, fmu};
  for (const Internal::ReductionVariable &v : rvars)
    uorder.push_back(RVar(v.var));
  for (int i = 2; i < rank; ++i)
    uorder.push_back(fa[i]);
  u.reorder(uorder);
  if (t.lanes > 1)
    u.vectorize(fmv);
  u.unroll(fn).unroll(fmu);

  if (linear) {
    // weight(k, o) -> a copy stored with o innermost, made once per call.
    Func w = fl.get(linear.getWeight()).func;
    Func wt = w.in(f);
    std::vector<Var> wa = wt.args(); // k, o
    int64_t outFeatures = cast<RankedTensorType>(linear.getWeight().getType()).getShape()[0];
    wt.compute_root().reorder_storage(wa[1], wa[0]).reorder(wa[1], wa[0]);
    int width = std::min<int64_t>(lanes(wt), floorPow2(outFeatures));
    if (width > 1)
      wt.vectorize(wa[1], width, TailStrategy::ShiftInwards);
  }
}

void HandScheduler::run() {
  for (const LoweredFunc &lf : fl.loweredFuncs())
    byOp[lf.op] = &lf;
  decideInlining();
  // Register-tiled ops first: they claim their owners.
  for (const LoweredFunc &lf : fl.loweredFuncs()) {
    if (isa<nn::Conv2dBackwardInputOp>(lf.op) && !lf.func.has_update_definition())
      scheduleStridedConvInput(lf);
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
    if (lf.family == OpFamily::Elementwise && onlyFeedsElementwise(lf, families))
      continue;
    Func f = lf.func;
    f.compute_root();
    std::vector<int64_t> extents(lf.type.getShape().rbegin(), lf.type.getShape().rend());
    gpuTile(f, f.args(), extents);
    for (int u = 0; u < f.num_update_definitions(); ++u)
      gpuTile(f.update(u), f.args(), extents);
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
    if (fl.target().has_gpu_feature())
      gpuHandSchedule(fl);
    else
      HandScheduler(fl).run();
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
