//===- ContractionSchedule.cpp - the CPU hand schedule of contractions ---===//
//
// linear and matmul: output features in vectors by rows in a register tile,
// column blocks outermost; linear of a few rows as dot products instead.
//
//===----------------------------------------------------------------------===//

#include "codegen/Schedules/HandScheduler.h"

using namespace mlir;
using namespace Halide;

namespace netc::codegen::hand {

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
  if (linear && rank == 2 && rows < kDotRows) {
    scheduleLinearByDot(lf);
    return;
  }
  int64_t work = lf.type.getNumElements() * inner;
  Tile t = chooseTile(rows, 1, cols, lanes(f), 1.0, /*allowRows=*/false);

  Func owner = tileOwner(lf);
  std::vector<Var> a = owner.args(); // m, n, batch...
  Var m = a[0], n = a[1];
  Var mo("mo"), mi("mi"), mu("mu"), mv("mv"), no("no"), ni("ni");
  owner.split(m, mo, mi, t.cols(), TailStrategy::ShiftInwards)
      .split(mi, mu, mv, t.lanes)
      .split(n, no, ni, t.rows);
  // Column blocks outermost: a block's weights (its panel, K x t.cols())
  // stay in the cache while every row block passes; with rows outermost the
  // whole weight matrix streamed through the cache once per row block.
  std::vector<VarOrRVar> order{mv, mu, ni, no};
  for (int i = 2; i < rank; ++i)
    order.push_back(a[i]);
  order.push_back(mo);
  tileInRegisters(owner, order, mv, t.lanes, {mu, ni});
  std::vector<VarOrRVar> outer{mo};
  std::vector<int64_t> extents{(cols + t.cols() - 1) / t.cols()};
  int64_t tasks = extents[0];
  for (int i = rank - 1; i >= 2; --i) {
    outer.push_back(a[i]);
    extents.push_back(shape[rank - 1 - i]);
    tasks *= shape[rank - 1 - i];
  }
  parallelOuter(owner, outer, extents, work);
  // Few column blocks (a classifier's 10 outputs): the row blocks of each
  // run in parallel too.
  if (cores > 1 && work >= kParallelWork && tasks < 4 * cores && rows / t.rows > 1)
    owner.parallel(no);

  std::vector<Var> fa = f.args();
  Var fm = fa[0], fn = fa[1];
  Var fmu("fmu"), fmv("fmv");
  f.compute_at(owner, no);
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
  tileInRegisters(u, uorder, fmv, t.lanes, {fn, fmu});

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

/// A linear of a few rows (a classifier at batch 1 or 8) is a few dot products
/// per output feature: the weight [O, K] is read once, along K, as the input
/// rows are. The tiled schedule above would first copy the weight with O
/// innermost, a transpose that cost MobileNetV2's 1280x1000 classifier 5 ms
/// at batch 1, a thousand times the products. Here each output feature
/// keeps a vector of partial sums along K (rfactor) for every row of a tile
/// of features, and a last horizontal sum finishes it.
void HandScheduler::scheduleLinearByDot(const LoweredFunc &lf) {
  auto linear = cast<nn::LinearOp>(lf.op);
  Func f = lf.func;
  ArrayRef<int64_t> shape = lf.type.getShape(); // N, O
  int64_t rows = shape[0], outFeatures = shape[1];
  int64_t inner = cast<RankedTensorType>(linear.getWeight().getType()).getShape()[1];
  int vl = std::min<int64_t>(lanes(f), floorPow2(inner));
  // Features per tile: 16 accumulators over the tile's rows.
  int cols = static_cast<int>(std::clamp<int64_t>(16 / rows, 1, std::min<int64_t>(outFeatures, 8)));

  Func owner = tileOwner(lf);
  std::vector<Var> a = owner.args(); // o, n
  Var oo("oo"), oi("oi");
  owner.split(a[0], oo, oi, cols, TailStrategy::ShiftInwards).reorder(oi, a[1], oo);
  if (cores > 1 && lf.type.getNumElements() * inner >= kParallelWork && outFeatures / cols > 1)
    owner.parallel(oo);
  f.compute_at(owner, oo);

  Stage u = f.update(0);
  RVar rk(u.get_schedule().rvars()[0].var), rko("rko"), rki("rki");
  u.split(rk, rko, rki, vl, inner % vl ? TailStrategy::GuardWithIf : TailStrategy::Auto);
  Var lane("lane");
  Func partial = u.rfactor(rki, lane);
  std::vector<Var> pa = partial.args(); // o, n, lane
  partial.compute_at(owner, oo).reorder_storage(pa[2], pa[0], pa[1]);
  partial.reorder(pa[2], pa[0], pa[1]).unroll(pa[0]);
  Stage pu = partial.update(0);
  pu.reorder(pa[2], pa[0], pa[1], rko).unroll(pa[0]);
  if (rows <= 8) {
    partial.unroll(pa[1]);
    pu.unroll(pa[1]);
  }
  if (vl > 1) {
    partial.vectorize(pa[2]);
    pu.vectorize(pa[2]);
  }
}

} // namespace netc::codegen::hand
