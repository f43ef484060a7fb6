//===- WinogradSchedule.cpp - the CPU hand schedule of Winograd convolutions ===//
//
// Codegen/Algorithms/Winograd.cpp defines the transforms and the products;
// here the products, where the multiply-adds are, run as matrix products in
// register tiles (output channels by vectors of tiles), the transforms once
// at the root, vectorized along the tiles of a row with their tile positions
// unrolled into constant coefficients.
//
//===----------------------------------------------------------------------===//

#include "codegen/Schedules/HandScheduler.h"

using namespace mlir;
using namespace Halide;

namespace netc::codegen::hand {

namespace {

/// The channels a convolution (or its input gradient) sums over.
int64_t reducedChannels(Operation *op) {
  if (auto conv = dyn_cast<nn::Conv2dOp>(op))
    return cast<RankedTensorType>(conv.getWeight().getType()).getShape()[1];
  auto grad = cast<nn::Conv2dBackwardInputOp>(op);
  return cast<RankedTensorType>(grad.getWeight().getType()).getShape()[0];
}

} // namespace

void HandScheduler::scheduleWinograd(const LoweredFunc &lf) {
  const WinogradHandles &w = *lf.handles.winograd;
  Func f = lf.func;
  int rank = lf.type.getRank();
  ArrayRef<int64_t> shape = lf.type.getShape();
  int64_t outC = shape[rank - 3], batch = rank == 4 ? shape[0] : 1;
  int64_t inC = reducedChannels(lf.op);
  int alpha = w.tile + 2, vl = lanes(f);
  int64_t tiles = static_cast<int64_t>(w.tilesX) * w.tilesY;
  int64_t work = batch * tiles * alpha * alpha * outC * inC;
  // Vectors along the tiles of a row: whole ones, the last shifted inwards.
  int rowLanes = std::min<int64_t>(vl, floorPow2(w.tilesX));

  // The weights' transform, a (xi, nu) plane at a time so that its stores
  // (and those of the half-transformed rows, per xi) are contiguous: planes
  // lie a power of two apart, and storing to many at once thrashes the
  // cache. The coefficients of the outer loops are loop invariants. The
  // weights are first copied with the summed channels innermost, which the
  // transforms then read in vectors.
  Func u = w.weights, ug = w.weightRows;
  std::vector<Var> ua = u.args(); // c, k, nu, xi
  int cl = std::min<int64_t>(vl, floorPow2(inC));
  Var uco("uco"), uci("uci"), gco("gco"), gci("gci");
  u.compute_root().split(ua[0], uco, uci, cl, TailStrategy::ShiftInwards);
  tileInRegisters(u, {uci, uco, ua[1], ua[2], ua[3]}, uci, cl, {});
  if (cores > 1 && outC * inC * alpha * alpha * 8 >= kParallelWork)
    u.parallel(ua[3]);
  std::vector<Var> ga = ug.args(); // c, k, b, xi
  ug.compute_at(u, ua[3]).split(ga[0], gco, gci, cl, TailStrategy::ShiftInwards);
  tileInRegisters(ug, {gci, gco, ga[1], ga[2], ga[3]}, gci, cl, {});
  Value weight = isa<nn::Conv2dOp>(lf.op) ? cast<nn::Conv2dOp>(lf.op).getWeight()
                                          : cast<nn::Conv2dBackwardInputOp>(lf.op).getWeight();
  Func wt = Func(fl.get(weight).func).in(ug);
  std::vector<Var> wa = wt.args(); // kx, ky, in, out of the weight [out, in, ky, kx]
  // The summed channels: the weight's input channels forward, its output
  // channels for the input gradient.
  Var summed = isa<nn::Conv2dOp>(lf.op) ? wa[2] : wa[3];
  std::vector<Var> storage{summed};
  std::vector<VarOrRVar> loops{summed};
  for (const Var &a : wa)
    if (a.name() != summed.name()) {
      storage.push_back(a);
      loops.push_back(a);
    }
  wt.compute_root().reorder_storage(storage).reorder(loops);
  if (cl > 1)
    wt.vectorize(summed, cl, TailStrategy::ShiftInwards);

  // Blocks of tile rows: the input tiles' transform, the products and the
  // output transform of a block run one after the other on one core, so that
  // what one stage stores the next loads from that core's cache (parallel
  // over channels and (xi, nu) planes instead, every value crossed between
  // cores, and 2 threads ran slower than 1). A block holds whole rows of
  // tiles (the algorithm's blocks, Winograd.cpp); the blocks are parallel,
  // over images too.
  int64_t blockRows = w.blockRows, tilesY = w.tilesY;
  int64_t blockTiles = blockRows * w.tilesX;

  // The output transform, an m x m tile per vector lane: rows of tiles
  // vectorized, the positions in the tile unrolled (their coefficients
  // fold to constants), into the result or the elementwise op that owns it.
  Func out = tileOwner(lf);
  std::vector<Var> oa = out.args(); // x, y, k[, n]
  Var ox("ox"), oj("oj"), oxo("oxo"), oxv("oxv"), oy("oy"), oi("oi"), yb("yb"), yr("yr");
  out.split(oa[1], yb, yr, static_cast<int>(blockRows) * w.tile, TailStrategy::GuardWithIf)
      .split(yr, oy, oi, w.tile, TailStrategy::GuardWithIf)
      .split(oa[0], ox, oj, w.tile, TailStrategy::GuardWithIf)
      .split(ox, oxo, oxv, rowLanes, TailStrategy::GuardWithIf);
  std::vector<VarOrRVar> oorder{oxv, oj, oi, oxo, oy, oa[2], yb};
  if (rank == 4)
    oorder.push_back(oa[3]);
  tileInRegisters(out, oorder, oxv, rowLanes, {oj, oi});
  Var block = yb;
  int64_t blocks = batch * ((tilesY + blockRows - 1) / blockRows);
  if (rank == 4) {
    block = Var("wblock");
    out.fuse(yb, oa[3], block);
  }
  if (cores > 1 && work >= kParallelWork && blocks > 1)
    out.parallel(block);

  // The input tiles' transform of a block, a channel at a time, its padded
  // plane computed just before.
  Func v = w.inputs, vt = w.inputRows, padded = *lf.handles.paddedInput;
  std::vector<Var> va = v.args(); // tx, ty, c, nu, xi, block[, n]
  Var vxo("vxo"), vxi("vxi");
  // A block's buffers on the heap, as the whole-image ones they replace were
  // (a layer's blocks take hundreds of KiB).
  v.compute_at(out, block)
      .store_in(MemoryType::Heap)
      .split(va[0], vxo, vxi, rowLanes, TailStrategy::ShiftInwards);
  std::vector<VarOrRVar> vorder{vxi, va[3], va[4], vxo, va[1], va[2], va[5]};
  if (rank == 4)
    vorder.push_back(va[6]);
  tileInRegisters(v, vorder, vxi, rowLanes, {va[3], va[4]});
  std::vector<Var> ta = vt.args(); // tx, ty, c, b, xi, block[, n]
  vt.compute_at(v, vxo);
  tileInRegisters(vt, {ta[0], ta[3], ta[4]}, ta[0], 1, {ta[3], ta[4]});
  if (rowLanes > 1)
    vt.vectorize(ta[0], rowLanes, TailStrategy::RoundUp);
  padded.compute_at(v, va[2]);
  std::vector<Var> pa = padded.args();
  if (lanes(padded) > 1)
    padded.vectorize(pa[0], lanes(padded), TailStrategy::RoundUp);

  // The products of a block: a register tile of output channels by vectors
  // of tiles, accumulated over the input channels, for each (xi, nu). The
  // last vectors of tiles shift inwards, so that no product (and no input
  // tile) outside the block is computed.
  Tile t = chooseTile(outC, 1, blockTiles, vl, 1.0, /*allowRows=*/false, kMaxAccumulators,
                      fullRateLanes(f));
  Func prod = w.product, owner = prod.in();
  std::vector<Var> ma = owner.args(); // t, k, nu, xi, block[, n]
  Var to("to"), ti("ti"), tu("tu"), tv("tv"), ko("ko"), ki("ki");
  TailStrategy tail = blockTiles >= t.cols() ? TailStrategy::ShiftInwards : TailStrategy::RoundUp;
  owner.compute_at(out, block)
      .store_in(MemoryType::Heap)
      .split(ma[0], to, ti, t.cols(), tail)
      .split(ti, tu, tv, t.lanes)
      .split(ma[1], ko, ki, t.rows);
  std::vector<VarOrRVar> order{tv, tu, ki, to, ko, ma[2], ma[3], ma[4]};
  if (rank == 4)
    order.push_back(ma[5]);
  tileInRegisters(owner, order, tv, t.lanes, {tu, ki});
  std::vector<Var> pv = prod.args();
  Var pu("pu"), pl("pl");
  prod.compute_at(owner, to);
  prod.split(pv[0], pu, pl, t.lanes, TailStrategy::RoundUp);
  tileInRegisters(prod, {pl, pu, pv[1]}, pl, t.lanes, {pu, pv[1]});
  Stage up = prod.update(0);
  RVar r(up.get_schedule().rvars()[0].var);
  up.split(pv[0], pu, pl, t.lanes, TailStrategy::RoundUp);
  std::vector<VarOrRVar> uorder{pl, pv[1], pu, r, pv[2], pv[3], pv[4]};
  if (rank == 4)
    uorder.push_back(pv[5]);
  tileInRegisters(up, uorder, pl, t.lanes, {pv[1], pu});
}

} // namespace netc::codegen::hand
