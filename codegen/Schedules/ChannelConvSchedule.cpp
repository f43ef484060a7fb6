//===- ChannelConvSchedule.cpp - convolutions vectorized along channels ---===//
//
// The default convolution schedule (ConvSchedules.cpp) puts its vectors along
// the output rows. Deep layers have short rows: ResNet's 7x7 and 14x14
// stages fill a quarter or half of a 16-lane vector, and run at that share
// of the peak. Their channels are many, so here the vectors run along the
// output channels instead: each step of the reduction loads a vector of
// weights (from a copy stored with those channels innermost) and multiplies
// it by one broadcast input value per output position of the tile.
//
//===----------------------------------------------------------------------===//

#include "codegen/Schedules/HandScheduler.h"

using namespace mlir;
using namespace Halide;

namespace netc::codegen::hand {

namespace {

/// A register tile of the channel schedule: `vectors` vectors of output
/// channels by `cols` x `rows` output positions.
struct ChannelTile {
  int vectors = 1, cols = 1, rows = 1;
  int accumulators() const { return vectors * cols * rows; }
};

/// Each step loads `vectors` weight vectors and broadcasts `cols * rows`
/// inputs for `accumulators` multiply-adds. The score prefers enough
/// accumulators to hide the multiply-add latency, little recomputation at
/// the edges, then few loads per multiply-add.
ChannelTile chooseChannelTile(int64_t channelVectors, int64_t height, int64_t width) {
  ChannelTile best;
  double bestScore = -1e9;
  for (int v = 1; v <= std::min<int64_t>(channelVectors, 4); ++v) {
    if (channelVectors % v)
      continue;
    for (int c = 1; c <= std::min<int64_t>(width, 12); ++c)
      for (int r = 1; r <= std::min<int64_t>(height, 4); ++r) {
        ChannelTile t{v, c, r};
        int acc = t.accumulators();
        if (acc > kMaxAccumulators)
          continue;
        // Weight vectors come from the L2 cache, broadcast inputs mostly
        // from L1: a weight vector costs about three broadcasts.
        double score = tileEfficiency(width, c) * tileEfficiency(height, r) * std::min(1.0, acc / 14.0) -
                       0.02 * (3 * v + c * r) / acc;
        if (score > bestScore) {
          bestScore = score;
          best = t;
        }
      }
  }
  return best;
}

/// The loops of a channel tile, shared by both schedules below. `owner`
/// (computed at the root) and `acc` (the accumulating Func, one update) have
/// the same arguments; `x`, `y` and `c` index the tiled ones, `between` the
/// others outside the tile (inner first, the batch last). The owner's loops,
/// outermost first: channel block (parallel), `between`, row block, column
/// tile; inside, the tile's channels (vectorized), rows and columns. `acc`
/// keeps the tile channels innermost, its reduction outside the unrolled
/// tile. Returns the channel block loop, where the weights are copied.
Var tileChannels(Func owner, Func acc, const ChannelTile &t, int vl, int x, int y,
                                 int c, const std::vector<int> &between, bool parallel,
                                 bool parallelBatch) {
  std::vector<Var> a = owner.args();
  Var xo("xo"), xi("xi"), yo("yo"), yi("yi"), co("co"), ci("ci"), cu("cu"), cv("cv");
  owner.split(a[c], co, ci, t.vectors * vl)
      .split(ci, cu, cv, vl)
      .split(a[x], xo, xi, t.cols, TailStrategy::ShiftInwards)
      .split(a[y], yo, yi, t.rows, TailStrategy::ShiftInwards);
  std::vector<VarOrRVar> order{cv, xi, yi, cu, xo, yo};
  for (int i : between)
    order.push_back(a[i]);
  order.push_back(co);
  tileInRegisters(owner, order, cv, vl, {xi, yi, cu});
  if (parallel) {
    owner.parallel(co);
    if (parallelBatch)
      owner.parallel(a[between.back()]);
  }

  std::vector<Var> fa = acc.args();
  Var fcu("fcu"), fcv("fcv");
  acc.compute_at(owner, xo);
  std::vector<Var> storage{fa[c], fa[x], fa[y]};
  for (int i : between)
    storage.push_back(fa[i]);
  acc.reorder_storage(storage);
  acc.split(fa[c], fcu, fcv, vl)
      .reorder(fcv, fa[x], fa[y], fcu)
      .vectorize(fcv)
      .unroll(fa[x])
      .unroll(fa[y])
      .unroll(fcu);
  Stage u = acc.update(0);
  std::vector<Internal::ReductionVariable> rvars = u.get_schedule().rvars();
  u.split(fa[c], fcu, fcv, vl);
  std::vector<VarOrRVar> uorder{fcv, fa[x], fa[y], fcu};
  for (auto it = rvars.rbegin(); it != rvars.rend(); ++it)
    uorder.push_back(RVar(it->var));
  for (int i : between)
    uorder.push_back(fa[i]);
  tileInRegisters(u, uorder, fcv, vl, {fa[x], fa[y], fcu});
  return co;
}

} // namespace

bool HandScheduler::channelConvPossible(Operation *op, const Target &target) {
  auto forward = dyn_cast<nn::Conv2dOp>(op);
  auto backward = dyn_cast<nn::Conv2dBackwardInputOp>(op);
  if (!forward && !backward)
    return false;
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  int rank = type.getRank();
  int natural = std::max(1, target.natural_vector_size(
                                FunctionLowering::halideType(type.getElementType())));
  int64_t channels = type.getShape()[rank - 3];
  // Strided input gradients are computed per phase (scheduleStridedConvInput).
  bool strided = backward && llvm::any_of(backward.getStride(), [](int64_t s) { return s > 1; });
  int64_t groups = forward ? forward.getGroups() : backward.getGroups();
  return groups == 1 && !strided && natural >= 4 && channels % natural == 0;
}

bool HandScheduler::channelConvByDefault(Operation *op, const Target &target) {
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  int natural = std::max(1, target.natural_vector_size(
                                FunctionLowering::halideType(type.getElementType())));
  // Rows shorter than two vectors leave lanes idle in the row schedule (a
  // 28-wide row takes two 16-lane vectors, 12% of them idle; 14 or 7 wide
  // ones take 8 or 4 lanes of 16).
  return type.getShape().back() < 2 * natural;
}

void HandScheduler::scheduleConvByChannel(const LoweredFunc &lf) {
  Func f = lf.func;
  ConvExtents e = convExtents(lf.op);
  int rank = e.rank;
  int64_t channels = e.channels, height = e.height, width = e.width, batch = e.batch;
  int64_t work = e.work;
  bool forward = e.forward;
  Value weight = e.weight;
  int vl = lanes(f);
  ChannelTile t = chooseChannelTile(channels / vl, height, width);
  int block = t.vectors * vl;

  Func owner = tileOwner(lf);
  // Each block of channels copies its weights once; the images of the batch
  // share them, in parallel too where the blocks are few.
  std::vector<int> between;
  if (rank == 4)
    between.push_back(3);
  bool parallel = cores > 1 && work >= kParallelWork;
  Var co = tileChannels(owner, f, t, vl, 0, 1, 2, between, parallel,
                        rank == 4 && batch > 1 && channels / block < 4 * cores);

  // The weights, copied per block of channels with the result's channels
  // innermost: [O, C, KH, KW] read along O forward, along C for the input
  // gradient. (A copy of all of them at once, 9 MiB for 512x512x3x3, took
  // longer than the convolution at batch 1: each of its stores opened
  // another cache line.)
  Func wt = Func(fl.get(weight).func).in(f);
  std::vector<Var> wa = wt.args(); // kx, ky, in, out
  Var along = forward ? wa[3] : wa[2];
  std::vector<Var> wstorage{along};
  for (const Var &v : wa)
    if (v.name() != along.name())
      wstorage.push_back(v);
  wt.compute_at(owner, co)
      .reorder_storage(wstorage)
      .reorder(std::vector<VarOrRVar>(wstorage.begin(), wstorage.end()))
      .vectorize(along, vl);

  // The padded input (gradient, backward) once at the root: every channel
  // block reads all of it.
  Func padded = *lf.handles.paddedInput;
  padded.compute_root();
  std::vector<Var> ha = padded.args();
  if (!ha.empty() && lanes(padded) > 1)
    padded.vectorize(ha[0], std::min(lanes(padded), floorPow2(width)), TailStrategy::RoundUp);
  if (cores > 1 && work >= kParallelWork && ha.size() >= 2)
    padded.parallel(ha.back());
}

/// The columns of a strided input gradient (Window.cpp) are a convolution
/// of 1x1 kernels per offset (kx, ky): tiled as scheduleConvByChannel tiles
/// a convolution, vectors along the input channels. The result then adds up
/// a few columns per element.
void HandScheduler::scheduleConvColumns(const LoweredFunc &lf) {
  auto op = cast<nn::Conv2dBackwardInputOp>(lf.op);
  Func f = lf.func, cols = *lf.handles.columns;
  int rank = lf.type.getRank();
  ArrayRef<int64_t> shape = lf.type.getShape();
  int64_t channels = shape[rank - 3], batch = rank == 4 ? shape[0] : 1;
  auto gradType = cast<RankedTensorType>(op.getGrad().getType());
  int64_t gh = gradType.getShape()[rank - 2], gw = gradType.getShape()[rank - 1];
  ArrayRef<int64_t> ws = cast<RankedTensorType>(op.getWeight().getType()).getShape();
  int64_t work = gradType.getNumElements() * channels * ws[2] * ws[3];
  // Vectors of the channels: the widest power of two that divides them.
  int vl = lanes(f);
  while (vl > 1 && channels % vl)
    vl /= 2;
  ChannelTile t = chooseChannelTile(channels / vl, gh, gw);
  int block = t.vectors * vl;

  Func owner = cols.in();
  owner.compute_root();
  std::vector<int> between{2, 3}; // kx, ky[, n]
  if (rank == 4)
    between.push_back(5);
  std::vector<Var> storage{owner.args()[4]};
  for (int i : {0, 1, 2, 3, 5})
    if (i < rank + 2)
      storage.push_back(owner.args()[i]);
  owner.reorder_storage(storage);
  bool parallel = cores > 1 && work >= kParallelWork;
  Var co = tileChannels(owner, cols, t, vl, 0, 1, 4, between, parallel,
                        rank == 4 && batch > 1 && channels / block < 4 * cores);

  // The weights with the input channels innermost, copied per channel block.
  Func wt = Func(fl.get(op.getWeight()).func).in(cols);
  std::vector<Var> wa = wt.args(); // kx, ky, in, out
  wt.compute_at(owner, co).reorder_storage(wa[2], wa[0], wa[1], wa[3]).reorder(wa[2], wa[0], wa[1], wa[3]);
  if (vl > 1)
    wt.vectorize(wa[2], vl);

  // The result: a few columns per element, vectors along the channels (the
  // columns' innermost axis).
  std::optional<Func> fused = fusableOwner(lf);
  Func res = fused ? *fused : f;
  owned.insert(res.name());
  res.compute_root();
  std::vector<Var> ra = res.args(); // x, y, c[, n]
  Var rco("rco"), rcv("rcv");
  res.split(ra[2], rco, rcv, vl).reorder(rcv, ra[0], ra[1], rco);
  if (vl > 1)
    res.vectorize(rcv);
  std::vector<VarOrRVar> outer{rco, ra[1]};
  std::vector<int64_t> extents{channels / vl, shape[rank - 2]};
  if (rank == 4) {
    outer.insert(outer.begin(), ra[3]);
    extents.insert(extents.begin(), batch);
  }
  parallelOuter(res, outer, extents, lf.type.getNumElements() * (kParallelWork / kParallelElements));
}

} // namespace netc::codegen::hand
