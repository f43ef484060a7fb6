//===- Window.cpp - convolution, pooling, padding and their gradients -----===//
//
// Ops that slide a window over the two trailing axes. Inputs are read
// through spatialExterior, which answers the padding value outside the image,
// so one formula covers padding, ceil_mode overhang and cropping.
//
// Gradients of convolution and pooling are written as gathers: each input
// position sums the output positions whose windows cover it, so every
// element is computed independently and schedules can parallelize freely.
//
//===----------------------------------------------------------------------===//

#include "codegen/Algorithms/Common.h"

#include <limits>

using namespace mlir;
using namespace Halide;

namespace netc::codegen {

Func spatialExterior(const LTensor &t, Expr value) {
  int rank = t.rank();
  std::vector<Var> v;
  for (int i = 0; i < rank; ++i)
    v.push_back(Var("e" + std::to_string(i)));
  int64_t h = t.shape()[rank - 2], w = t.shape()[rank - 1];
  Expr y = v[rank - 2], x = v[rank - 1];
  std::vector<Expr> clamped = exprs(v);
  clamped[rank - 2] = clamp(y, 0, static_cast<int>(h) - 1);
  clamped[rank - 1] = clamp(x, 0, static_cast<int>(w) - 1);
  Func f(Internal::unique_name(t.func.name() + "_exterior"));
  defineAt(f, v, select(y >= 0 && y < static_cast<int>(h) && x >= 0 && x < static_cast<int>(w),
                        t.at(clamped), value));
  return f;
}

std::vector<Expr> replaced(const std::vector<Var> &vars, size_t dim, Expr e) {
  std::vector<Expr> out = exprs(vars);
  out[dim] = e;
  return out;
}

namespace {

/// Reads an exterior Func at MLIR-ordered indices.
Expr atExterior(const Func &f, std::vector<Expr> indices) {
  std::reverse(indices.begin(), indices.end());
  return f(indices);
}

/// The algorithm's result with its padded input, scheduled as a window op.
LogicalResult defineWindow(FunctionLowering &fl, Operation *op, Func f, Func paddedInput) {
  AlgorithmHandles h;
  h.paddedInput = paddedInput;
  return fl.define(op, f, OpFamily::Window, h);
}

/// PyTorch's divisor of an average-pool window starting at (hstart, wstart)
/// over an input of spatial size h x w: the window clipped to the padded
/// input, or to the input itself when padding does not count.
Expr avgPoolDivisor(Expr hstart, Expr wstart, ArrayRef<int64_t> kernel, ArrayRef<int64_t> padding,
                    bool countPad, int64_t h, int64_t w) {
  Expr hend = min(hstart + static_cast<int>(kernel[0]), static_cast<int>(h + padding[1]));
  Expr wend = min(wstart + static_cast<int>(kernel[1]), static_cast<int>(w + padding[3]));
  Expr poolSize = (hend - hstart) * (wend - wstart);
  Expr hs = max(hstart, 0), wsClip = max(wstart, 0);
  Expr he = min(hend, static_cast<int>(h)), we = min(wend, static_cast<int>(w));
  return countPad ? poolSize : (he - hs) * (we - wsClip);
}

/// The output position along one axis whose window, at kernel offset `k`,
/// covers input position `i`, and whether there is one.
std::pair<Expr, Expr> coveringOutput(Expr i, Expr k, int64_t stride, int64_t dilation,
                                     int64_t padBefore, int64_t outSize) {
  Expr numerator = i + static_cast<int>(padBefore) - k * static_cast<int>(dilation);
  Expr o = numerator / static_cast<int>(stride);
  Expr valid = numerator >= 0 && numerator % static_cast<int>(stride) == 0 &&
               o < static_cast<int>(outSize);
  return {clamp(o, 0, static_cast<int>(outSize) - 1), valid};
}

//===--- conv2d ---===//

LogicalResult defineConv2d(FunctionLowering &fl, nn::Conv2dOp conv) {
  const LTensor &x = fl.get(conv.getInput()), &w = fl.get(conv.getWeight());
  auto type = cast<RankedTensorType>(conv.getType());
  Halide::Type ht = FunctionLowering::halideType(type.getElementType());
  int rank = x.rank();
  ArrayRef<int64_t> ws = w.shape();
  int64_t outChannels = ws[0], groupChannels = ws[1];
  int64_t perGroup = outChannels / static_cast<int64_t>(conv.getGroups());
  ArrayRef<int64_t> s = conv.getStride(), p = conv.getPadding(), d = conv.getDilation();

  Func in = spatialExterior(x, make_const(ht, 0));
  if (int tile = fl.winogradTile(conv)) {
    WinogradConv wc{in, [&](Expr k, Expr c, Expr a, Expr b) { return w.at({k, c, a, b}); },
                    groupChannels, static_cast<int>(p[0]), static_cast<int>(p[2]), std::nullopt,
                    tile};
    if (conv.getBias())
      wc.bias = fl.get(conv.getBias());
    return defineWinogradConv(fl, conv, wc);
  }
  std::vector<Var> v = fl.vars(rank);
  Var o = v[rank - 3], oy = v[rank - 2], ox = v[rank - 1];
  RDom r(0, static_cast<int>(groupChannels), 0, static_cast<int>(ws[2]), 0,
         static_cast<int>(ws[3]), "r");
  std::vector<Expr> idx = exprs(v);
  // One group reads every channel: no division, so that schedules
  // vectorized along the output channels see input reads that do not vary.
  idx[rank - 3] = conv.getGroups() == 1
                      ? Expr(r.x)
                      : (o / static_cast<int>(perGroup)) * static_cast<int>(groupChannels) + r.x;
  idx[rank - 2] = oy * static_cast<int>(s[0]) + r.y * static_cast<int>(d[0]) - static_cast<int>(p[0]);
  idx[rank - 1] = ox * static_cast<int>(s[1]) + r.z * static_cast<int>(d[1]) - static_cast<int>(p[2]);

  Func f = fl.newFunc(conv);
  defineAt(f, v, conv.getBias() ? fl.get(conv.getBias()).at({Expr(o)}) : make_const(ht, 0));
  std::vector<Expr> lhs = exprs(v);
  std::reverse(lhs.begin(), lhs.end());
  f(lhs) += w.at({Expr(o), r.x, r.y, r.z}) * atExterior(in, idx);
  return defineWindow(fl, conv, f, in);
}

//===--- maxpool2d ---===//

LogicalResult defineMaxPool(FunctionLowering &fl, nn::MaxPool2dOp pool) {
  const LTensor &x = fl.get(pool.getInput());
  auto type = cast<RankedTensorType>(pool.getType());
  Halide::Type ht = FunctionLowering::halideType(type.getElementType());
  int rank = x.rank();
  ArrayRef<int64_t> k = pool.getKernel(), s = pool.getStride(), p = pool.getPadding(),
                    d = pool.getDilation();
  Func in = spatialExterior(x, make_const(ht, -std::numeric_limits<double>::infinity()));
  std::vector<Var> v = fl.vars(rank);
  RDom r(0, static_cast<int>(k[0]), 0, static_cast<int>(k[1]), "r");
  std::vector<Expr> idx = exprs(v);
  idx[rank - 2] = v[rank - 2] * static_cast<int>(s[0]) + r.x * static_cast<int>(d[0]) -
                  static_cast<int>(p[0]);
  idx[rank - 1] = v[rank - 1] * static_cast<int>(s[1]) + r.y * static_cast<int>(d[1]) -
                  static_cast<int>(p[2]);
  Func f = fl.newFunc(pool);
  defineAt(f, v, maximumWithNaN(atExterior(in, idx)));
  return defineWindow(fl, pool, f, in);
}

//===--- avgpool2d ---===//

LogicalResult defineAvgPool(FunctionLowering &fl, nn::AvgPool2dOp pool) {
  const LTensor &x = fl.get(pool.getInput());
  auto type = cast<RankedTensorType>(pool.getType());
  Halide::Type ht = FunctionLowering::halideType(type.getElementType());
  int rank = x.rank();
  ArrayRef<int64_t> k = pool.getKernel(), s = pool.getStride(), p = pool.getPadding();
  Func in = spatialExterior(x, make_const(ht, 0));
  std::vector<Var> v = fl.vars(rank);
  Expr hstart = v[rank - 2] * static_cast<int>(s[0]) - static_cast<int>(p[0]);
  Expr wstart = v[rank - 1] * static_cast<int>(s[1]) - static_cast<int>(p[2]);
  RDom r(0, static_cast<int>(k[0]), 0, static_cast<int>(k[1]), "r");
  std::vector<Expr> idx = exprs(v);
  idx[rank - 2] = hstart + r.x;
  idx[rank - 1] = wstart + r.y;
  Expr divisor = avgPoolDivisor(hstart, wstart, k, p, pool.getCountIncludePad(),
                                x.shape()[rank - 2], x.shape()[rank - 1]);
  Func f = fl.newFunc(pool);
  defineAt(f, v, sum(atExterior(in, idx)) / Halide::cast(ht, divisor));
  return defineWindow(fl, pool, f, in);
}

//===--- pad2d ---===//

LogicalResult definePad(FunctionLowering &fl, nn::Pad2dOp pad) {
  const LTensor &x = fl.get(pad.getInput());
  auto type = cast<RankedTensorType>(pad.getType());
  Halide::Type ht = FunctionLowering::halideType(type.getElementType());
  int rank = x.rank();
  Func in = spatialExterior(x, make_const(ht, pad.getValue().convertToDouble()));
  std::vector<Var> v = fl.vars(rank);
  std::vector<Expr> idx = exprs(v);
  idx[rank - 2] = v[rank - 2] - static_cast<int>(pad.getPads()[0]);
  idx[rank - 1] = v[rank - 1] - static_cast<int>(pad.getPads()[2]);
  Func f = fl.newFunc(pad);
  defineAt(f, v, atExterior(in, idx));
  return defineWindow(fl, pad, f, in);
}

//===--- conv2d_backward_input ---===//

LogicalResult defineConvBackwardInput(FunctionLowering &fl, nn::Conv2dBackwardInputOp op) {
  const LTensor &g = fl.get(op.getGrad()), &w = fl.get(op.getWeight());
  auto type = cast<RankedTensorType>(op.getType());
  Halide::Type ht = FunctionLowering::halideType(type.getElementType());
  int rank = type.getRank();
  ArrayRef<int64_t> ws = w.shape(), s = op.getStride(), p = op.getPadding(), d = op.getDilation();
  int64_t groupIn = ws[1], groupOut = ws[0] / static_cast<int64_t>(op.getGroups());
  int sy = static_cast<int>(s[0]), sx = static_cast<int>(s[1]);
  // The gradient read with zeros outside its spatial extent: along each
  // axis, the output position whose window covers input position i at
  // kernel offset k is (i + pad - k * dilation) / stride when that divides
  // exactly (floor division: negative numerators read the zeros).
  Func gext = spatialExterior(g, make_const(ht, 0));
  if (int tile = fl.winogradTile(op)) {
    // The convolution of the gradient with the kernel flipped and its
    // channels swapped, padded by 2 - pad.
    WinogradConv wc{gext,
                    [&](Expr k, Expr c, Expr a, Expr b) { return w.at({c, k, 2 - a, 2 - b}); },
                    ws[0], 2 - static_cast<int>(p[0]), 2 - static_cast<int>(p[2]), std::nullopt,
                    tile};
    return defineWinogradConv(fl, op, wc);
  }
  std::vector<Var> v = fl.vars(rank);
  Var c = v[rank - 3], iy = v[rank - 2], ix = v[rank - 1];
  RDom r(0, static_cast<int>(groupOut), 0, static_cast<int>(ws[2]), 0, static_cast<int>(ws[3]),
         "r");
  bool grouped = op.getGroups() != 1;
  Expr o = grouped ? (c / static_cast<int>(groupIn)) * static_cast<int>(groupOut) + r.x : Expr(r.x);
  Expr weight = w.at({o, grouped ? c % static_cast<int>(groupIn) : Expr(c), r.y, r.z});
  auto gradAt = [&](Expr y, Expr x) {
    std::vector<Expr> idx = exprs(v);
    idx[rank - 3] = o;
    idx[rank - 2] = y;
    idx[rank - 1] = x;
    std::reverse(idx.begin(), idx.end());
    return gext(idx);
  };
  Func f = fl.newFunc(op);
  if (sy == 1 && sx == 1) {
    // A convolution of the gradient with the flipped kernel: a pure
    // definition and an accumulating update, as the forward convolution, so
    // that schedules can tile and vectorize the update.
    defineAt(f, v, make_const(ht, 0));
    std::vector<Expr> lhs = exprs(v);
    std::reverse(lhs.begin(), lhs.end());
    f(lhs) += gradAt(iy + static_cast<int>(p[0]) - r.y * static_cast<int>(d[0]),
                     ix + static_cast<int>(p[2]) - r.z * static_cast<int>(d[1])) *
              weight;
    return defineWindow(fl, op, f, gext);
  }
  int natural = std::max(1, fl.target().natural_vector_size(ht));
  if (!grouped && groupIn % natural == 0) {
    // Strided, one group, whole vectors of input channels (fewer keep the
    // phases below: the columns would be vectors of a few lanes and a
    // kernel's worth of copies of a large image): first the columns, cols(ox, oy, kx, ky, c[, n]) =
    // sum over o of w[o, c, ky, kx] * g[o, oy, ox], a product without a
    // multiply-add wasted on kernel offsets that miss (schedules tile it as
    // a convolution along its channels); then each input position adds the
    // columns of the windows that cover it, at most ceil(k / stride) per axis.
    Var ox("ox"), oy("oy"), kx("kx"), ky("ky");
    std::vector<Var> cargs{ox, oy, kx, ky, c};
    std::vector<Expr> gIdx{Expr(), oy, ox};
    if (rank == 4) {
      cargs.push_back(v[0]);
      gIdx.insert(gIdx.begin(), v[0]);
    }
    RDom ro(0, static_cast<int>(groupOut), "ro");
    gIdx[gIdx.size() - 3] = ro;
    Func cols = fl.newFunc(op, "_columns");
    cols(cargs) = make_const(ht, 0);
    cols(cargs) += w.at({Expr(ro), Expr(c), Expr(ky), Expr(kx)}) * g.at(gIdx);
    Expr total = make_const(ht, 0);
    for (int64_t a = 0; a < ws[2]; ++a)
      for (int64_t b = 0; b < ws[3]; ++b) {
        auto [qy, vy] = coveringOutput(iy, static_cast<int>(a), sy, d[0], p[0], g.shape()[rank - 2]);
        auto [qx, vx] = coveringOutput(ix, static_cast<int>(b), sx, d[1], p[2], g.shape()[rank - 1]);
        std::vector<Expr> at{qx, qy, static_cast<int>(b), static_cast<int>(a), c};
        if (rank == 4)
          at.push_back(v[0]);
        total += select(vy && vx, cols(at), make_const(ht, 0));
      }
    defineAt(f, v, total);
    AlgorithmHandles h;
    h.columns = cols;
    return fl.define(op, f, OpFamily::Window, h);
  }
  // Strided: input positions i = q * stride + phase. For one phase only the
  // kernel offsets with (phase + pad - k * dilation) divisible by the stride
  // contribute, all of them reading the gradient at q + that quotient, so
  // each phase is a dense convolution over q (no lane wasted on offsets that
  // miss). `phases` holds them with the phase as an axis; f interleaves.
  Var qx("qx"), phx("phx"), qy("qy"), phy("phy");
  Expr ty = phy + static_cast<int>(p[0]) - r.y * static_cast<int>(d[0]);
  Expr tx = phx + static_cast<int>(p[2]) - r.z * static_cast<int>(d[1]);
  r.where(ty % sy == 0 && tx % sx == 0);
  std::vector<Var> pargs{qx, phx, qy, phy, c};
  if (rank == 4)
    pargs.push_back(v[0]);
  Func phases = fl.newFunc(op, "_phases");
  phases(pargs) = make_const(ht, 0);
  phases(pargs) += gradAt(qy + ty / sy, qx + tx / sx) * weight;
  std::vector<Expr> at{ix / sx, ix % sx, iy / sy, iy % sy, c};
  if (rank == 4)
    at.push_back(v[0]);
  defineAt(f, v, phases(at));
  AlgorithmHandles h;
  h.paddedInput = gext;
  h.phases = phases;
  return fl.define(op, f, OpFamily::Window, h);
}

//===--- conv2d_backward_filter ---===//

LogicalResult defineConvBackwardFilter(FunctionLowering &fl, nn::Conv2dBackwardFilterOp op) {
  const LTensor &x = fl.get(op.getInput()), &g = fl.get(op.getGrad());
  auto type = cast<RankedTensorType>(op.getType());
  Halide::Type ht = FunctionLowering::halideType(type.getElementType());
  int rank = x.rank();
  ArrayRef<int64_t> s = op.getStride(), p = op.getPadding(), d = op.getDilation();
  int64_t groupIn = type.getShape()[1], groupOut = type.getShape()[0] / static_cast<int64_t>(op.getGroups());
  Func in = spatialExterior(x, make_const(ht, 0));
  std::vector<Var> v = fl.vars(4);
  Var o = v[0], c = v[1], ky = v[2], kx = v[3];
  int64_t batch = rank == 4 ? g.shape()[0] : 1;
  RDom r(0, static_cast<int>(batch), 0, static_cast<int>(g.shape()[rank - 2]), 0,
         static_cast<int>(g.shape()[rank - 1]), "r");
  std::vector<Expr> gIdx{o, r.y, r.z}, xIdx{(o / static_cast<int>(groupOut)) *
                                                    static_cast<int>(groupIn) +
                                                c,
                                            r.y * static_cast<int>(s[0]) +
                                                ky * static_cast<int>(d[0]) -
                                                static_cast<int>(p[0]),
                                            r.z * static_cast<int>(s[1]) +
                                                kx * static_cast<int>(d[1]) -
                                                static_cast<int>(p[2])};
  if (rank == 4) {
    gIdx.insert(gIdx.begin(), r.x);
    xIdx.insert(xIdx.begin(), r.x);
  }
  std::reverse(xIdx.begin(), xIdx.end());
  // A pure definition and an accumulating update, so that schedules can
  // split the reduction and vectorize across it (rfactor).
  Func f = fl.newFunc(op);
  defineAt(f, v, make_const(ht, 0));
  f(kx, ky, c, o) += g.at(gIdx) * in(xIdx);
  return defineWindow(fl, op, f, in);
}

//===--- maxpool2d_backward ---===//

LogicalResult defineMaxPoolBackward(FunctionLowering &fl, nn::MaxPool2dBackwardOp op) {
  const LTensor &g = fl.get(op.getGrad()), &x = fl.get(op.getInput());
  auto type = cast<RankedTensorType>(op.getType());
  Halide::Type ht = FunctionLowering::halideType(type.getElementType());
  int rank = x.rank();
  ArrayRef<int64_t> k = op.getKernel(), s = op.getStride(), p = op.getPadding(),
                    d = op.getDilation();
  // The first maximum of each window in row-major window order, as PyTorch;
  // compared through orderedKey so that a NaN is the maximum. PyTorch takes
  // a window's last NaN: NaN keys grow with the row-major window position.
  Func in = spatialExterior(x, make_const(ht, -std::numeric_limits<double>::infinity()));
  std::vector<Var> ov = fl.vars(rank);
  RDom kr(0, static_cast<int>(k[0]), 0, static_cast<int>(k[1]), "kr");
  std::vector<Expr> xIdx = exprs(ov);
  xIdx[rank - 2] = ov[rank - 2] * static_cast<int>(s[0]) + kr.x * static_cast<int>(d[0]) -
                   static_cast<int>(p[0]);
  xIdx[rank - 1] = ov[rank - 1] * static_cast<int>(s[1]) + kr.y * static_cast<int>(d[1]) -
                   static_cast<int>(p[2]);
  std::reverse(xIdx.begin(), xIdx.end());
  Func arg = fl.newFunc(op, "_argmax");
  std::vector<Var> ovReversed(ov.rbegin(), ov.rend());
  Expr value = in(xIdx), key = orderedKey(value);
  Expr position = Halide::cast(key.type(), kr.x * static_cast<int>(k[1]) + kr.y);
  arg(ovReversed) = argmax(kr, key + select(isNaNBits(value), position, make_const(key.type(), 0)));

  // Each input position sums the gradients of the windows whose maximum it
  // is. Windows that tile the input (stride = kernel, no dilation) cover a
  // position once: its window and its place in it are the quotient and the
  // remainder of its index by the stride, and there is nothing to sum.
  std::vector<Var> v = fl.vars(rank);
  bool tiles = s[0] == k[0] && s[1] == k[1] && d[0] == 1 && d[1] == 1;
  RDom r(0, static_cast<int>(k[0]), 0, static_cast<int>(k[1]), "r");
  Expr ky = tiles ? (v[rank - 2] + static_cast<int>(p[0])) % static_cast<int>(s[0]) : Expr(r.x);
  Expr kx = tiles ? (v[rank - 1] + static_cast<int>(p[2])) % static_cast<int>(s[1]) : Expr(r.y);
  auto [oy, vy] = coveringOutput(v[rank - 2], ky, s[0], d[0], p[0], g.shape()[rank - 2]);
  auto [ox, vx] = coveringOutput(v[rank - 1], kx, s[1], d[1], p[2], g.shape()[rank - 1]);
  std::vector<Expr> oIdx = exprs(v);
  oIdx[rank - 2] = oy;
  oIdx[rank - 1] = ox;
  std::vector<Expr> rev(oIdx.rbegin(), oIdx.rend());
  Expr isArgmax = arg(rev)[0] == ky && arg(rev)[1] == kx;
  Expr term = select(vy && vx && isArgmax, g.at(oIdx), make_const(ht, 0));
  Func f = fl.newFunc(op);
  AlgorithmHandles h;
  h.paddedInput = in;
  h.argmax = arg;
  if (tiles || (s[0] == 1 && s[1] == 1)) {
    defineAt(f, v, tiles ? term : sum(term));
    return fl.define(op, f, OpFamily::Window, h);
  }
  // Overlapping strided windows: per phase of the input position (its
  // remainder by the stride) the kernel offsets that can reach it are known,
  // and the windows they name lie at the position's quotient plus a
  // constant, so that each phase reads the gradient and the argmaxes in
  // plain vectors. `phases(qx, phx, qy, phy, c[, n])` sums them; the result
  // interleaves the phases.
  Var qx("qx"), phx("phx"), qy("qy"), phy("phy");
  std::vector<Var> pargs{qx, phx, qy, phy, v[rank - 3]};
  if (rank == 4)
    pargs.push_back(v[0]);
  int sy = static_cast<int>(s[0]), sx = static_cast<int>(s[1]);
  int64_t oh = g.shape()[rank - 2], ow = g.shape()[rank - 1];
  Expr total = make_const(ht, 0);
  for (int a = 0; a < static_cast<int>(k[0]); ++a)
    for (int b = 0; b < static_cast<int>(k[1]); ++b) {
      Expr ty = phy + static_cast<int>(p[0]) - a * static_cast<int>(d[0]);
      Expr tx = phx + static_cast<int>(p[2]) - b * static_cast<int>(d[1]);
      Expr wy = qy + ty / sy, wx = qx + tx / sx;
      Expr valid = ty % sy == 0 && tx % sx == 0 && wy >= 0 && wy < static_cast<int>(oh) &&
                   wx >= 0 && wx < static_cast<int>(ow);
      std::vector<Expr> at = exprs(v);
      at[rank - 2] = clamp(wy, 0, static_cast<int>(oh) - 1);
      at[rank - 1] = clamp(wx, 0, static_cast<int>(ow) - 1);
      std::vector<Expr> argAt{at[rank - 1], at[rank - 2], pargs[4]};
      std::vector<Expr> gAt = at;
      gAt[rank - 3] = pargs[4];
      if (rank == 4) {
        argAt.push_back(pargs[5]);
        gAt[0] = pargs[5];
      }
      Expr hit = arg(argAt)[0] == a && arg(argAt)[1] == b;
      total += select(valid && hit, g.at(gAt), make_const(ht, 0));
    }
  Func phases = fl.newFunc(op, "_phases");
  phases(pargs) = total;
  std::vector<Expr> at{v[rank - 1] / sx, v[rank - 1] % sx, v[rank - 2] / sy, v[rank - 2] % sy,
                       v[rank - 3]};
  if (rank == 4)
    at.push_back(v[0]);
  defineAt(f, v, phases(at));
  h.phases = phases;
  return fl.define(op, f, OpFamily::Window, h);
}

//===--- avgpool2d_backward ---===//

LogicalResult defineAvgPoolBackward(FunctionLowering &fl, nn::AvgPool2dBackwardOp op) {
  const LTensor &g = fl.get(op.getGrad()), &x = fl.get(op.getInput());
  auto type = cast<RankedTensorType>(op.getType());
  Halide::Type ht = FunctionLowering::halideType(type.getElementType());
  int rank = x.rank();
  ArrayRef<int64_t> k = op.getKernel(), s = op.getStride(), p = op.getPadding();
  std::vector<Var> v = fl.vars(rank);
  RDom r(0, static_cast<int>(k[0]), 0, static_cast<int>(k[1]), "r");
  auto [oy, vy] = coveringOutput(v[rank - 2], r.x, s[0], 1, p[0], g.shape()[rank - 2]);
  auto [ox, vx] = coveringOutput(v[rank - 1], r.y, s[1], 1, p[2], g.shape()[rank - 1]);
  std::vector<Expr> oIdx = exprs(v);
  oIdx[rank - 2] = oy;
  oIdx[rank - 1] = ox;
  // The forward divisor of the covering window, recomputed from its start.
  Expr hstart = oy * static_cast<int>(s[0]) - static_cast<int>(p[0]);
  Expr wstart = ox * static_cast<int>(s[1]) - static_cast<int>(p[2]);
  Expr divisor = avgPoolDivisor(hstart, wstart, k, p, op.getCountIncludePad(),
                                x.shape()[rank - 2], x.shape()[rank - 1]);
  Func f = fl.newFunc(op);
  defineAt(f, v, sum(select(vy && vx, g.at(oIdx) / Halide::cast(ht, divisor), make_const(ht, 0))));
  return fl.define(op, f, OpFamily::Window);
}

} // namespace

void registerWindowAlgorithms(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, nn::NNDialect *) {
    attachAlgorithm<nn::Conv2dOp, defineConv2d>(*context);
    attachAlgorithm<nn::MaxPool2dOp, defineMaxPool>(*context);
    attachAlgorithm<nn::AvgPool2dOp, defineAvgPool>(*context);
    attachAlgorithm<nn::Pad2dOp, definePad>(*context);
    attachAlgorithm<nn::Conv2dBackwardInputOp, defineConvBackwardInput>(*context);
    attachAlgorithm<nn::Conv2dBackwardFilterOp, defineConvBackwardFilter>(*context);
    attachAlgorithm<nn::MaxPool2dBackwardOp, defineMaxPoolBackward>(*context);
    attachAlgorithm<nn::AvgPool2dBackwardOp, defineAvgPoolBackward>(*context);
  });
}

} // namespace netc::codegen
