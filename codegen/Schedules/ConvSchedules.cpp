//===- ConvSchedules.cpp - the CPU hand schedule of convolutions ----------===//
//
// Convolutions and their input gradients in register tiles (strided input
// gradients per phase), and weight gradients as rfactor'd or
// channel-vectorized reductions.
//
//===----------------------------------------------------------------------===//

#include "codegen/Schedules/HandScheduler.h"

using namespace mlir;
using namespace Halide;

namespace netc::codegen::hand {

//===----------------------------------------------------------------------===//
// Convolution and its input gradient
//===----------------------------------------------------------------------===//

ConvExtents convExtents(Operation *op) {
  ConvExtents e;
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  ArrayRef<int64_t> shape = type.getShape();
  e.rank = type.getRank();
  e.channels = shape[e.rank - 3];
  e.height = shape[e.rank - 2];
  e.width = shape[e.rank - 1];
  e.batch = e.rank == 4 ? shape[0] : 1;
  auto forward = dyn_cast<nn::Conv2dOp>(op);
  auto backward = dyn_cast<nn::Conv2dBackwardInputOp>(op);
  e.forward = static_cast<bool>(forward);
  e.weight = forward ? forward.getWeight() : backward.getWeight();
  e.weightShape = cast<RankedTensorType>(e.weight.getType()).getShape();
  e.reduced = forward ? e.weightShape[1]
                      : e.weightShape[0] / static_cast<int64_t>(backward.getGroups());
  e.work = type.getNumElements() * e.reduced * e.weightShape[2] * e.weightShape[3];
  e.stride = forward ? forward.getStride()[1] : backward.getStride()[1];
  return e;
}

void HandScheduler::scheduleConv(const LoweredFunc &lf) {
  Func f = lf.func;
  ConvExtents e = convExtents(lf.op);
  int rank = e.rank;
  int64_t channels = e.channels, height = e.height, width = e.width, batch = e.batch;
  int64_t work = e.work, stride = e.stride;

  Tile t = chooseTile(channels, height, width, lanes(f), stride > 1 ? 3.0 : 1.0,
                      /*allowRows=*/true, kMaxAccumulators,
                      // Strided inputs cost shuffles per vector: fewer, wider ones.
                      stride > 1 ? lanes(f) : fullRateLanes(f));

  Func owner = tileOwner(lf);

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
  tileInRegisters(owner, order, xv, t.lanes, {xu, ci, yi});

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
  tileInRegisters(u, uorder, fxv, t.lanes, {fc, fxu, fy});

  // The padded input (of the gradient, backward): stored per strip, filled
  // a row block at a time as the rows slide down (Halide's sliding window).
  Func padded = *lf.handles.paddedInput;
  padded.store_at(owner, strip).compute_at(owner, yr);
  std::vector<Var> ha = padded.args();
  int hl = lanes(padded);
  if (!ha.empty() && hl > 1)
    padded.vectorize(ha[0], hl, TailStrategy::RoundUp);
}

//===----------------------------------------------------------------------===//
// Strided convolution's input gradient
//===----------------------------------------------------------------------===//

/// The input gradient of a strided convolution is computed per phase
/// (Window.cpp): `phases(qx, phx, qy, phy, c, n)` accumulates the dense
/// convolution of each phase; the result interleaves them. A tile holds
/// every x phase of `rows` channels by `vectors` vectors along qx, stored
/// phase-innermost so that the interleaved result reads plain vectors.
void HandScheduler::scheduleStridedConvInput(const LoweredFunc &lf) {
  auto op = cast<nn::Conv2dBackwardInputOp>(lf.op);
  Func f = lf.func, gext = *lf.handles.paddedInput, phases = *lf.handles.phases;
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
  tileInRegisters(owner, order, xqv, t.lanes, {xph, xqu, yph, ci});
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

namespace {

/// Multiply-adds of a weight gradient: every weight sums over (n, oy, ox).
int64_t filterWork(nn::Conv2dBackwardFilterOp op) {
  auto gradType = cast<RankedTensorType>(op.getGrad().getType());
  auto type = cast<RankedTensorType>(op.getType());
  return type.getNumElements() * (gradType.getNumElements() / type.getShape()[0]);
}

/// The vector length along the output rows of a weight gradient: whole
/// vectors along ox when half the natural width divides it (tail tests cost
/// more than narrower vectors), else a guarded last vector.
int filterRowLanes(int64_t ow, int natural) {
  int vl = std::min<int64_t>(natural, floorPow2(ow));
  if (ow % vl && vl >= 8 && ow % (vl / 2) == 0)
    vl /= 2;
  return vl;
}

/// Whether vectors may run along the output channels instead.
bool filterByChannelPossible(nn::Conv2dBackwardFilterOp op, int natural) {
  int64_t outC = cast<RankedTensorType>(op.getType()).getShape()[0];
  return op.getGroups() == 1 && outC % natural == 0 && natural >= 8;
}

} // namespace

int HandScheduler::variantCount(Operation *op, const Target &target) {
  if (channelConvPossible(op, target)) {
    // Timed where the rows are shorter than two vectors (ResNet's 28x28
    // stage: either may win, by 10%); longer rows keep them, shorter ones
    // (14, 7) run two to four times faster along the channels but are timed
    // all the same.
    auto type = cast<RankedTensorType>(op->getResult(0).getType());
    int natural = std::max(1, target.natural_vector_size(
                                  FunctionLowering::halideType(type.getElementType())));
    ConvExtents e = convExtents(op);
    return e.work >= kTunedWork && e.width < 2 * natural ? 2 : 1;
  }
  auto filter = dyn_cast<nn::Conv2dBackwardFilterOp>(op);
  if (!filter)
    return 1;
  auto type = cast<RankedTensorType>(filter.getType());
  int natural = std::max(1, target.natural_vector_size(
                                FunctionLowering::halideType(type.getElementType())));
  int64_t ow = cast<RankedTensorType>(filter.getGrad().getType()).getShape().back();
  bool wholeRows = ow % filterRowLanes(ow, natural) == 0;
  return wholeRows && filterByChannelPossible(filter, natural) && filterWork(filter) >= kTunedWork
             ? 2
             : 1;
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
  int64_t outC = shape[0], inC = shape[1], kw = shape[3];
  auto gradType = cast<RankedTensorType>(op.getGrad().getType());
  int64_t ow = gradType.getShape().back();
  int64_t work = filterWork(op);
  int stride = static_cast<int>(op.getStride()[1]);
  int vl = filterRowLanes(ow, lanes(f));
  // Rows that are no whole number of vectors always go by channel; others
  // where the measured choice says so (LayerTune.h).
  auto chosen = variants ? variants->find(op) : ScheduleVariants::const_iterator();
  bool byChannel = ow % vl || (variants && chosen != variants->end() && chosen->second == 1);
  if (byChannel && filterByChannelPossible(op, lanes(f))) {
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
  partial.reorder_storage(plane, pkx, pky, pc, po);
  Stage pu = partial.update(0);
  // Each tile sweeps the whole gradient and input. Where they do not fit the
  // cache (ResNet's first layers: 50 MB at batch 8), every tile would read
  // them from memory again; then the sweep goes a block of rows at a time,
  // every tile in turn, the partial sums of all weights kept at the root.
  int rank = gradType.getRank();
  int64_t oh = gradType.getShape()[rank - 2];
  auto inType = cast<RankedTensorType>(op.getInput().getType());
  int64_t elementBytes = lf.type.getElementType().getIntOrFloatBitWidth() / 8;
  int64_t sweptBytes = (gradType.getNumElements() + inType.getNumElements()) * elementBytes;
  int64_t partialBytes = lf.type.getNumElements() * vl * elementBytes;
  int64_t rowBytes = (outC * ow + inC * inType.getShape().back() * stride) * elementBytes;
  if (sweptBytes > (8 << 20) && partialBytes <= (4 << 20)) {
    int rows = static_cast<int>(std::clamp<int64_t>((1 << 20) / rowBytes, 1, oh));
    RVar roy(rvars[1].var), royo("royo"), royi("royi");
    Var pco("pco"), pci("pci"), poo("poo"), poi("poi"), pkyc("pkyc"), ptile("ptile");
    partial.compute_root();
    pu.split(roy, royo, royi, rows)
        .split(pc, pco, pci, cb)
        .split(po, poo, poi, ob)
        .reorder(plane, pkx, pci, poi, rxo, royi, pky, pco, poo, royo, RVar(rvars[0].var))
        .unroll(pkx)
        .unroll(pci)
        .unroll(poi)
        .fuse(pky, pco, pkyc)
        .fuse(pkyc, poo, ptile);
    if (cores > 1 && work >= kParallelWork)
      pu.parallel(ptile);
  } else {
    partial.compute_at(f, tile);
    partial.reorder(plane, pkx, pc, po, pky).unroll(pkx).unroll(pc).unroll(po);
    pu.reorder(plane, pkx, pc, po, pky, rxo, RVar(rvars[1].var), RVar(rvars[0].var))
        .unroll(pkx)
        .unroll(pc)
        .unroll(po);
  }
  if (vl > 1) {
    partial.vectorize(plane);
    pu.vectorize(plane);
  }

  // The padded input once at the root: every tile reads all of it.
  Func padded = *lf.handles.paddedInput;
  padded.compute_root();
  std::vector<Var> ha = padded.args();
  if (!ha.empty() && lanes(padded) > 1)
    padded.vectorize(ha[0], lanes(padded), TailStrategy::RoundUp);
  if (cores > 1 && work >= kParallelWork && ha.size() >= 2) {
    Var hpar("hpar");
    padded.fuse(ha[ha.size() - 2], ha.back(), hpar).parallel(hpar);
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
  int64_t outC = shape[0], inC = shape[1], kw = shape[3];
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
  owner.fuse(ky, co, t2);
  // The parallel loop: blocks of output channels where there are enough of
  // them. A task per tile (6144 for a 512x512x3x3 gradient) made the
  // reduction of a 7x7 image, 49 steps a tile, slower on two threads than on
  // one.
  Var inner = t2;
  if (outC / vl < 2 * cores) {
    owner.fuse(t2, oo, tile);
    inner = tile;
  }
  if (cores > 1 && work >= kParallelWork)
    owner.parallel(inner.same_as(tile) ? tile : oo);

  std::vector<Var> fa = f.args();
  Var fkx = fa[0], fky = fa[1], fc = fa[2], fo = fa[3];
  f.compute_at(owner, inner);
  f.reorder_storage(fo, fkx, fc, fky).reorder(fo, fkx, fc, fky).vectorize(fo, vl).unroll(fkx).unroll(fc);
  Stage u = f.update(0);
  std::vector<Internal::ReductionVariable> rvars = u.get_schedule().rvars(); // n, oy, ox
  std::vector<VarOrRVar> order{fo, fkx, fc};
  for (auto it = rvars.rbegin(); it != rvars.rend(); ++it)
    order.push_back(RVar(it->var));
  order.push_back(fky);
  u.reorder(order).vectorize(fo, vl).unroll(fkx).unroll(fc);

  // The gradient with its channels innermost, once; the padded input once.
  Func g = sourceOf(op.getGrad()).in(f);
  std::vector<Var> ga = g.args(); // ox, oy, o[, n]
  std::vector<VarOrRVar> gorder{ga[2], ga[0], ga[1]};
  for (size_t i = 3; i < ga.size(); ++i)
    gorder.push_back(ga[i]);
  std::vector<Var> gstore{ga[2], ga[0], ga[1]};
  for (size_t i = 3; i < ga.size(); ++i)
    gstore.push_back(ga[i]);
  g.compute_root().reorder_storage(gstore).reorder(gorder).vectorize(ga[2], vl);
  Func padded = *lf.handles.paddedInput;
  padded.compute_root();
  std::vector<Var> ha = padded.args();
  if (!ha.empty() && lanes(padded) > 1)
    padded.vectorize(ha[0], lanes(padded), TailStrategy::RoundUp);
}

} // namespace netc::codegen::hand
