//===- Schedules.cpp - hand schedules and autoschedulers ------------------===//
//
// The hand schedule (CPU) decides per op family:
//
// - Elementwise ops are inlined into their consumers (fused) when every
//   consumer is elementwise, or when the value is only returned (the result
//   Func then computes it); everything else is computed once at the root.
// - Convolutions and contractions accumulate in register tiles: the op is
//   computed at a tile of an "owner" Func, its single elementwise consumer
//   (so ReLU, bias-free adds and the result copy fuse into it) or else a
//   wrapper that stores it. A tile is cb output channels (rows of a
//   contraction) by xb vectors along x, sometimes by yb rows; its reduction
//   loops run outside the unrolled tile, so the accumulators stay in
//   registers while the inputs stream through. The padded input of a
//   convolution is copied per strip of output rows, which keeps boundary
//   tests out of the inner loop.
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
/// runs on one thread: waking the pool costs a few microseconds.
constexpr int64_t kParallelWork = 1 << 17;
constexpr int64_t kParallelElements = 1 << 15;
/// Accumulator registers a tile may use (of 32 vector registers on AVX-512
/// and NEON; AVX2's 16 get the tiles that fit).
constexpr int kMaxAccumulators = 24;

//===----------------------------------------------------------------------===//
// Register tiles
//===----------------------------------------------------------------------===//

/// A register tile of a convolution or contraction: `rows` output channels
/// (rows of a contraction), `vectors` vectors of `lanes` along x, `yrows`
/// output rows.
struct Tile {
  int rows = 1, lanes = 1, vectors = 1, yrows = 1;
  int cols() const { return lanes * vectors; }
  int accumulators() const { return rows * vectors * yrows; }
};

/// The fraction of work a tiling of `extent` by `tile` keeps (overlapping
/// last tiles recompute).
double tileEfficiency(int64_t extent, int tile) {
  if (tile >= extent)
    return tile == extent ? 1.0 : 0.0;
  int64_t tiles = (extent + tile - 1) / tile;
  return static_cast<double>(extent) / static_cast<double>(tiles * tile);
}

/// Chooses a tile for `channels` x `height` x `width` outputs. Each step of
/// the reduction loads `vectors * yrows` input vectors (`inputCost` each: a
/// strided input costs shuffles) and broadcasts `rows` weights for
/// `accumulators` multiply-adds. The score prefers full vectors, enough
/// independent accumulators to hide the FMA latency, little recomputation at
/// the edges, then few loads per multiply-add.
Tile chooseTile(int64_t channels, int64_t height, int64_t width, int naturalLanes,
                double inputCost, bool allowRows) {
  Tile best;
  double bestScore = -1;
  std::vector<int> laneOptions;
  for (int l = naturalLanes; l >= 4 && l >= naturalLanes / 4; l /= 2)
    laneOptions.push_back(l);
  for (int lanes : laneOptions) {
    for (int rows = 1; rows <= std::min<int64_t>(channels, 32); ++rows) {
      if (channels % rows)
        continue;
      for (int vectors = 1; vectors <= 6; ++vectors) {
        for (int yrows : {1, 2, 4}) {
          if (yrows > 1 && (!allowRows || yrows > height))
            continue;
          Tile t{rows, lanes, vectors, yrows};
          int acc = t.accumulators();
          if (acc > kMaxAccumulators || t.cols() > width)
            continue;
          double eff = tileEfficiency(width, t.cols()) * tileEfficiency(height, yrows);
          double score = eff * (static_cast<double>(lanes) / naturalLanes) *
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
  if (bestScore < 0) {
    // Narrower than any vector: one exact vector of the whole width.
    best = Tile{1, static_cast<int>(width), 1, 1};
    for (int rows = static_cast<int>(std::min<int64_t>(channels, 8)); rows >= 1; --rows)
      if (channels % rows == 0) {
        best.rows = rows;
        break;
      }
  }
  return best;
}

//===----------------------------------------------------------------------===//
// The hand scheduler
//===----------------------------------------------------------------------===//

class HandScheduler {
public:
  explicit HandScheduler(FunctionLowering &fl) : fl(fl), target(fl.target()) {
    cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  }
  void run();

private:
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
  void scheduleContraction(const LoweredFunc &lf);
  void scheduleDefault(const LoweredFunc &lf);
  /// Vectorizes `f`'s innermost pure axis and spreads its outer axes over
  /// the cores when `work` is large; `pure` allows overlapping last vectors.
  void vectorizeRoot(Func f, ArrayRef<int64_t> extentsInnerFirst, int64_t work);
  void parallelOuter(Stage s, std::vector<VarOrRVar> outerToInner,
                     std::vector<int64_t> extents, int64_t work, bool mayFuse);

  FunctionLowering &fl;
  const Target &target;
  int cores = 1;
  DenseMap<Operation *, const LoweredFunc *> byOp;
  SmallPtrSet<Operation *, 32> inlined;
  std::set<std::string> owned; // Funcs scheduled as the owner of another's tiles
};

void HandScheduler::decideInlining() {
  for (const LoweredFunc &lf : fl.loweredFuncs()) {
    if (lf.family != OpFamily::Elementwise || lf.func.has_update_definition())
      continue;
    Value result = lf.op->getResult(0);
    if (result.use_empty())
      continue;
    bool allElementwise = true;
    int returns = 0;
    for (OpOperand &use : result.getUses()) {
      Operation *user = use.getOwner();
      if (isa<func::ReturnOp>(user)) {
        ++returns;
        continue;
      }
      auto it = byOp.find(user);
      if (it == byOp.end() || it->second->family != OpFamily::Elementwise ||
          it->second->func.has_update_definition())
        allElementwise = false;
    }
    // A value only returned is computed by its result Func; one also used
    // elsewhere is recomputed there too, which only small tensors afford.
    bool smallEnough = lf.type.getNumElements() <= kParallelElements;
    if (allElementwise && (returns == 0 || (returns == 1 && (result.hasOneUse() || smallEnough))))
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
  // The owner must be elementwise over the op's shape: a result copy or a
  // Func of an elementwise op that is not inlined.
  bool isResult = false;
  for (const Func &out : fl.outputs())
    isResult |= out.name() == owner.name();
  if (!isResult) {
    for (const LoweredFunc &other : fl.loweredFuncs())
      if (other.func.name() == owner.name())
        return other.family == OpFamily::Elementwise && other.type.getShape() == lf.type.getShape()
                   ? std::optional<Func>(owner)
                   : std::nullopt;
    return std::nullopt;
  }
  for (auto [index, out] : llvm::enumerate(fl.outputs()))
    if (out.name() == owner.name()) {
      auto type = cast<RankedTensorType>(fl.function().getResultTypes()[index]);
      if (type.getShape() != lf.type.getShape())
        return std::nullopt;
    }
  return owner;
}

void HandScheduler::parallelOuter(Stage s, std::vector<VarOrRVar> outerToInner,
                                  std::vector<int64_t> extents, int64_t work, bool mayFuse) {
  if (cores < 2 || work < kParallelWork || outerToInner.empty())
    return;
  // Fuse outer axes until there are a few tasks per core.
  VarOrRVar loop = outerToInner[0];
  int64_t tasks = extents[0];
  for (size_t i = 1; mayFuse && i < outerToInner.size() && tasks < 4 * cores; ++i) {
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
  int width = lanes(f);
  bool pure = !f.has_update_definition();
  if (width > 1 && extentsInnerFirst[0] >= width)
    f.vectorize(args[0], width, pure ? TailStrategy::ShiftInwards : TailStrategy::GuardWithIf);
  else if (width > 1 && extentsInnerFirst[0] > 1 && pure)
    f.vectorize(args[0], static_cast<int>(extentsInnerFirst[0]));
  std::vector<VarOrRVar> outer;
  std::vector<int64_t> extents;
  for (size_t i = args.size(); i-- > 1;) {
    outer.push_back(args[i]);
    extents.push_back(extentsInnerFirst[i]);
  }
  parallelOuter(f, outer, extents, work, /*mayFuse=*/true);
  for (int u = 0; u < f.num_update_definitions(); ++u) {
    Stage s = f.update(u);
    if (width > 1 && extentsInnerFirst[0] >= width)
      s.vectorize(args[0], width, TailStrategy::GuardWithIf);
  }
}

void HandScheduler::scheduleDefault(const LoweredFunc &lf) {
  Func f = lf.func;
  f.compute_root();
  std::vector<int64_t> extents(lf.type.getShape().rbegin(), lf.type.getShape().rend());
  int64_t elements = lf.type.getNumElements();
  // Gathers of the backward window ops and reductions do several
  // multiply-adds per element.
  int64_t work = lf.family == OpFamily::Elementwise || lf.family == OpFamily::Shape
                     ? elements * (kParallelWork / kParallelElements) / 4
                     : elements * 16;
  std::vector<Var> args = f.args();
  if (lf.family == OpFamily::Scatter) {
    // The scatter's update may hit one row from several iterations: only its
    // pure definition is spread over the cores.
    if (!args.empty() && extents[0] >= lanes(f))
      f.vectorize(args[0], lanes(f), TailStrategy::ShiftInwards);
    for (int u = 0; u < f.num_update_definitions(); ++u)
      if (!args.empty() && extents[0] >= lanes(f))
        f.update(u).vectorize(args[0], lanes(f), TailStrategy::GuardWithIf);
    return;
  }
  vectorizeRoot(f, extents, work);
  for (Func helper : lf.helpers)
    if (helper.dimensions() > 0 && lf.family == OpFamily::Reduction)
      helper.compute_root();
}

//===----------------------------------------------------------------------===//
// Convolution
//===----------------------------------------------------------------------===//

void HandScheduler::scheduleConv(const LoweredFunc &lf) {
  Func f = lf.func;
  int rank = lf.type.getRank();
  ArrayRef<int64_t> shape = lf.type.getShape();
  int64_t channels = shape[rank - 3], height = shape[rank - 2], width = shape[rank - 1];
  int64_t batch = rank == 4 ? shape[0] : 1;
  // The reduction runs over (channels, ky, kx) of the weight, [O, C/g, KH, KW]:
  // input channels forward, output channels backward.
  Value weight = isa<nn::Conv2dOp>(lf.op) ? cast<nn::Conv2dOp>(lf.op).getWeight()
                                          : cast<nn::Conv2dBackwardInputOp>(lf.op).getWeight();
  ArrayRef<int64_t> ws = cast<RankedTensorType>(weight.getType()).getShape();
  int64_t kw = ws[3];
  int64_t reduced = isa<nn::Conv2dOp>(lf.op)
                        ? ws[1]
                        : ws[0] / static_cast<int64_t>(
                                      cast<nn::Conv2dBackwardInputOp>(lf.op).getGroups());
  int64_t macsPerOutput = reduced * ws[2] * kw;
  int64_t work = lf.type.getNumElements() * macsPerOutput;
  int stride = static_cast<int>(isa<nn::Conv2dOp>(lf.op)
                                    ? cast<nn::Conv2dOp>(lf.op).getStride()[1]
                                    : cast<nn::Conv2dBackwardInputOp>(lf.op).getStride()[1]);

  Tile t = chooseTile(channels, height, width, lanes(f), stride > 1 ? 3.0 : 1.0,
                      /*allowRows=*/true);

  std::optional<Func> fused = fusableOwner(lf);
  Func owner = fused ? *fused : f.in();
  owned.insert(owner.name());
  owner.compute_root();

  // The owner's loops, outermost first: n, strip of rows (parallel), row
  // block, channel block, column tile; inside, the unrolled register tile.
  std::vector<Var> a = owner.args(); // x, y, c[, n]
  Var x = a[0], y = a[1], c = a[2];
  Var xo("xo"), xi("xi"), xv("xv"), xu("xu"), yo("yo"), yi("yi"), ys("ys"), yr("yr"), co("co"),
      ci("ci");
  TailStrategy colTail = t.cols() <= width ? TailStrategy::ShiftInwards : TailStrategy::GuardWithIf;
  owner.split(c, co, ci, t.rows)
      .split(x, xo, xi, t.cols(), colTail)
      .split(xi, xu, xv, t.lanes)
      .split(y, yo, yi, t.yrows, TailStrategy::ShiftInwards);
  // Strips of rows share one copy of the padded input; enough of them keep
  // every core busy.
  int64_t rowBlocks = (height + t.yrows - 1) / t.yrows;
  int64_t stripBlocks = std::max<int64_t>(1, std::min<int64_t>(rowBlocks, 8 / t.yrows));
  while (stripBlocks > 1 && batch * ((rowBlocks + stripBlocks - 1) / stripBlocks) < 4 * cores)
    stripBlocks /= 2;
  owner.split(yo, ys, yr, static_cast<int>(stripBlocks), TailStrategy::GuardWithIf);
  std::vector<VarOrRVar> order{xv, xu, ci, yi, xo, co, yr, ys};
  if (rank == 4)
    order.push_back(a[3]);
  owner.reorder(order);
  if (t.lanes > 1)
    owner.vectorize(xv);
  owner.unroll(xu).unroll(ci).unroll(yi);

  // The parallel loop: strips, fused with the batch when strips are few.
  Var strip = ys;
  int64_t strips = (rowBlocks + stripBlocks - 1) / stripBlocks;
  if (rank == 4 && batch > 1) {
    Var sn("sn");
    owner.fuse(ys, a[3], sn);
    strip = sn;
  }
  if (cores > 1 && work >= kParallelWork && strips * batch > 1)
    owner.parallel(strip);

  // The register tile: bias first, then the reduction over (c, ky, kx)
  // outside the unrolled channels, rows and vectors.
  std::vector<Var> fa = f.args();
  Var fx = fa[0], fy = fa[1], fc = fa[2];
  Var fxu("fxu"), fxv("fxv");
  f.compute_at(owner, xo);
  f.split(fx, fxu, fxv, t.lanes, TailStrategy::RoundUp).reorder(fxv, fxu, fc, fy);
  if (t.lanes > 1)
    f.vectorize(fxv);
  f.unroll(fxu).unroll(fc).unroll(fy);
  Stage u = f.update(0);
  std::vector<Internal::ReductionVariable> rvars = u.get_schedule().rvars();
  u.split(fx, fxu, fxv, t.lanes, TailStrategy::RoundUp);
  std::vector<VarOrRVar> uorder{fxv, fc, fxu, fy};
  // RVars are innermost-first (cin, ky, kx) in the algorithm: run kx
  // innermost around the tile, then ky, then cin.
  std::vector<RVar> rv;
  for (const Internal::ReductionVariable &v : rvars)
    rv.push_back(RVar(v.var));
  if (rv.size() == 3) {
    uorder.push_back(rv[2]);
    uorder.push_back(rv[1]);
    uorder.push_back(rv[0]);
  }
  if (rank == 4)
    uorder.push_back(fa[3]);
  u.reorder(uorder);
  if (t.lanes > 1)
    u.vectorize(fxv);
  u.unroll(fc).unroll(fxu).unroll(fy);
  if (rv.size() == 3 && kw <= 8)
    u.unroll(rv[2]);

  // The padded input, copied once per strip (a few rows of every input
  // channel), so the tile reads plain memory.
  for (Func helper : lf.helpers) {
    helper.compute_at(owner, strip);
    std::vector<Var> ha = helper.args();
    int hl = lanes(helper);
    if (!ha.empty() && hl > 1)
      helper.vectorize(ha[0], hl, TailStrategy::GuardWithIf);
  }
}

/// The weight gradient: a long reduction over (n, oy, ox) into a small
/// [O, C, KH, KW] result. The reduction over ox is split by the vector width
/// and factored out (rfactor), so each (o, c, ky, kx) accumulates a vector of
/// partial sums in a register; a tile covers ob output channels, cb input
/// channels and every kx, and a last horizontal sum finishes each weight.
void HandScheduler::scheduleConvFilter(const LoweredFunc &lf) {
  auto op = cast<nn::Conv2dBackwardFilterOp>(lf.op);
  Func f = lf.func;
  ArrayRef<int64_t> shape = lf.type.getShape(); // O, C, KH, KW
  int64_t outC = shape[0], inC = shape[1], kh = shape[2], kw = shape[3];
  auto gradType = cast<RankedTensorType>(op.getGrad().getType());
  int64_t ow = gradType.getShape().back();
  int64_t work = lf.type.getNumElements() * (gradType.getNumElements() / outC);
  int vl = lanes(f);
  int stride = static_cast<int>(op.getStride()[1]);

  // ob x cb x kw accumulators, loads of ob gradient and cb * kw input
  // vectors per step.
  int bestOb = 1, bestCb = 1;
  double bestScore = -1;
  for (int ob = 1; ob <= std::min<int64_t>(outC, 16); ++ob) {
    if (outC % ob)
      continue;
    for (int cb = 1; cb <= std::min<int64_t>(inC, 16); ++cb) {
      if (inC % cb)
        continue;
      int acc = static_cast<int>(ob * cb * kw);
      if (acc > kMaxAccumulators && !(ob == 1 && cb == 1))
        continue;
      double loads = ob + cb * kw * (stride > 1 ? 3.0 : 1.0);
      double score = std::min(1.0, acc / 8.0) - 0.01 * loads / acc;
      if (score > bestScore) {
        bestScore = score;
        bestOb = ob;
        bestCb = cb;
      }
    }
  }

  std::vector<Var> a = f.args(); // kx, ky, c, o
  Var kx = a[0], ky = a[1], c = a[2], o = a[3];
  Var co("co"), ci("ci"), oo("oo"), oi("oi");
  f.compute_root();
  Stage u = f.update(0);
  std::vector<Internal::ReductionVariable> rvars = u.get_schedule().rvars(); // n, oy, ox
  RVar rox(rvars[2].var), rxo("rxo"), rxi("rxi");
  Var lane("lane");
  u.split(rox, rxo, rxi, vl, ow % vl ? TailStrategy::GuardWithIf : TailStrategy::Auto);
  Func partial = u.rfactor(rxi, lane);
  // What is left of the update adds up the lanes of each weight, tile by
  // tile; the partial sums are computed at each tile.
  u = f.update(0);
  Var tile("tile"), kyc("kyc");
  u.split(c, co, ci, bestCb)
      .split(o, oo, oi, bestOb)
      .reorder(rxi, kx, ci, oi, ky, co, oo)
      .fuse(ky, co, kyc)
      .fuse(kyc, oo, tile);
  if (cores > 1 && work >= kParallelWork)
    u.parallel(tile);

  // rfactor appends the lane to the pure Vars: (kx, ky, c, o, lane). The
  // lanes go innermost in memory and in the loops, kx, c and o unrolled.
  std::vector<Var> pa = partial.args();
  Var pkx = pa[0], pky = pa[1], pc = pa[2], po = pa[3], plane = pa[4];
  partial.compute_at(f, tile);
  partial.reorder_storage(plane, pkx, pky, pc, po);
  partial.reorder(plane, pkx, pc, po, pky).vectorize(plane).unroll(pkx).unroll(pc).unroll(po);
  Stage pu = partial.update(0);
  pu.reorder(plane, pkx, pc, po, pky, rxo, RVar(rvars[1].var), RVar(rvars[0].var))
      .vectorize(plane)
      .unroll(pkx)
      .unroll(pc)
      .unroll(po);

  // The padded input once at the root: every tile reads all of it.
  for (Func helper : lf.helpers) {
    helper.compute_root();
    std::vector<Var> ha = helper.args();
    if (!ha.empty() && lanes(helper) > 1)
      helper.vectorize(ha[0], lanes(helper), TailStrategy::GuardWithIf);
    if (cores > 1 && work >= kParallelWork && ha.size() >= 2) {
      Var fused("hpar");
      helper.fuse(ha[ha.size() - 2], ha.back(), fused).parallel(fused);
    }
  }
}

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

void HandScheduler::scheduleContraction(const LoweredFunc &lf) {
  Func f = lf.func;
  int rank = lf.type.getRank();
  ArrayRef<int64_t> shape = lf.type.getShape();
  // The accumulation of linear reads its weight along the reduction: a
  // transposed copy gives contiguous vectors along the output features.
  // matmul reads its right operand contiguously already.
  bool transposeWeight = isa<nn::LinearOp>(lf.op);
  bool vectorFriendly = transposeWeight;
  int64_t inner = 1;
  if (auto mm = dyn_cast<nn::MatmulOp>(lf.op)) {
    auto a = cast<RankedTensorType>(mm.getLhs().getType());
    auto b = cast<RankedTensorType>(mm.getRhs().getType());
    vectorFriendly = a.getRank() >= 2 && b.getRank() >= 2;
    inner = a.getShape().back();
  } else if (auto linear = dyn_cast<nn::LinearOp>(lf.op)) {
    inner = cast<RankedTensorType>(linear.getWeight().getType()).getShape()[1];
  }
  if (rank < 2 || !vectorFriendly) {
    scheduleDefault(lf);
    return;
  }
  int64_t cols = shape[rank - 1], rows = shape[rank - 2];
  int64_t work = lf.type.getNumElements() * inner;
  Tile t = chooseTile(rows, 1, cols, lanes(f), 1.0, /*allowRows=*/false);
  // Rows need not divide: the last block of rows overlaps the one before.
  if (rows % t.rows)
    t.rows = 1;

  std::optional<Func> fused = fusableOwner(lf);
  Func owner = fused ? *fused : f.in();
  owned.insert(owner.name());
  owner.compute_root();
  std::vector<Var> a = owner.args(); // m, n, batch...
  Var m = a[0], n = a[1];
  Var mo("mo"), mi("mi"), mu("mu"), mv("mv"), no("no"), ni("ni");
  TailStrategy colTail = t.cols() <= cols ? TailStrategy::ShiftInwards : TailStrategy::GuardWithIf;
  owner.split(m, mo, mi, t.cols(), colTail)
      .split(mi, mu, mv, t.lanes)
      .split(n, no, ni, t.rows, TailStrategy::ShiftInwards);
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
  extents.push_back((rows + t.rows - 1) / t.rows);
  parallelOuter(owner, outer, extents, work, /*mayFuse=*/true);

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

  if (transposeWeight) {
    // weight(k, o) -> a copy stored with o innermost, made once per call.
    auto linear = cast<nn::LinearOp>(lf.op);
    Func w = fl.get(linear.getWeight()).func;
    Func wt = w.in(f);
    std::vector<Var> wa = wt.args(); // k, o
    wt.compute_root().reorder_storage(wa[1], wa[0]).reorder(wa[1], wa[0]);
    int64_t outFeatures = cast<RankedTensorType>(linear.getWeight().getType()).getShape()[0];
    if (outFeatures >= lanes(wt))
      wt.vectorize(wa[1], lanes(wt), TailStrategy::ShiftInwards);
  }
}

void HandScheduler::run() {
  for (const LoweredFunc &lf : fl.loweredFuncs())
    byOp[lf.op] = &lf;
  decideInlining();
  // Register-tiled ops first: they claim their owners.
  for (const LoweredFunc &lf : fl.loweredFuncs()) {
    if (isa<nn::Conv2dOp, nn::Conv2dBackwardInputOp>(lf.op))
      scheduleConv(lf);
    else if (isa<nn::Conv2dBackwardFilterOp>(lf.op))
      scheduleConvFilter(lf);
    else if (isa<nn::LinearOp, nn::MatmulOp>(lf.op))
      scheduleContraction(lf);
  }
  for (const LoweredFunc &lf : fl.loweredFuncs()) {
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
    vectorizeRoot(out, extents, type.getNumElements() * 2);
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
