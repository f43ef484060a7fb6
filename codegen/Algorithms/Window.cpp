//===- Window.cpp - convolution, pooling and padding ----------------------===//
//
// Ops that slide a window over the two trailing axes. Inputs are read
// through spatialExterior, which answers the padding value outside the image,
// so one formula covers padding, ceil_mode overhang and cropping.
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

/// Reads an exterior Func at MLIR-ordered indices.
static Expr atExterior(const Func &f, std::vector<Expr> indices) {
  std::reverse(indices.begin(), indices.end());
  return f(indices);
}

static std::optional<AlgorithmResult> lowerConv2d(FunctionLowering &fl, nn::Conv2dOp conv) {
  const LTensor &x = fl.get(conv.getInput()), &w = fl.get(conv.getWeight());
  auto type = cast<RankedTensorType>(conv.getType());
  Halide::Type ht = FunctionLowering::halideType(type.getElementType());
  int rank = x.rank();
  ArrayRef<int64_t> ws = w.shape();
  int64_t outChannels = ws[0], groupChannels = ws[1];
  int64_t perGroup = outChannels / static_cast<int64_t>(conv.getGroups());
  ArrayRef<int64_t> s = conv.getStride(), p = conv.getPadding(), d = conv.getDilation();

  Func in = spatialExterior(x, make_const(ht, 0));
  std::vector<Var> v = fl.vars(rank);
  Var o = v[rank - 3], oy = v[rank - 2], ox = v[rank - 1];
  RDom r(0, static_cast<int>(groupChannels), 0, static_cast<int>(ws[2]), 0,
         static_cast<int>(ws[3]), "r");
  std::vector<Expr> idx = exprs(v);
  idx[rank - 3] = (o / static_cast<int>(perGroup)) * static_cast<int>(groupChannels) + r.x;
  idx[rank - 2] = oy * static_cast<int>(s[0]) + r.y * static_cast<int>(d[0]) - static_cast<int>(p[0]);
  idx[rank - 1] = ox * static_cast<int>(s[1]) + r.z * static_cast<int>(d[1]) - static_cast<int>(p[2]);

  Func f = fl.newFunc(conv);
  defineAt(f, v, conv.getBias() ? fl.get(conv.getBias()).at({Expr(o)}) : make_const(ht, 0));
  std::vector<Expr> lhs = exprs(v);
  std::reverse(lhs.begin(), lhs.end());
  f(lhs) += w.at({Expr(o), r.x, r.y, r.z}) * atExterior(in, idx);
  return AlgorithmResult{f, OpFamily::Window, {in}};
}

/// The window geometry shared by the pools.
struct PoolGeometry {
  int64_t kh, kw, sh, sw, pt, pb, pl, pr, dh = 1, dw = 1;
};

static std::optional<AlgorithmResult> lowerMaxPool(FunctionLowering &fl, nn::MaxPool2dOp pool) {
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
  return AlgorithmResult{f, OpFamily::Window, {in}};
}

/// PyTorch's divisor of an average-pool window starting at (hstart, wstart):
/// the window clipped to the padded input, or to the input itself when
/// padding does not count.
static Expr poolDivisor(Expr hstart, Expr wstart, const PoolGeometry &g, int64_t h, int64_t w,
                        bool countPad) {
  Expr hend = min(hstart + static_cast<int>(g.kh), static_cast<int>(h + g.pb));
  Expr wend = min(wstart + static_cast<int>(g.kw), static_cast<int>(w + g.pr));
  Expr poolSize = (hend - hstart) * (wend - wstart);
  Expr hs = max(hstart, 0), wsClip = max(wstart, 0);
  Expr he = min(hend, static_cast<int>(h)), we = min(wend, static_cast<int>(w));
  return countPad ? poolSize : (he - hs) * (we - wsClip);
}



static std::optional<AlgorithmResult> lowerAvgPool(FunctionLowering &fl, nn::AvgPool2dOp pool) {
  const LTensor &x = fl.get(pool.getInput());
  auto type = cast<RankedTensorType>(pool.getType());
  Halide::Type ht = FunctionLowering::halideType(type.getElementType());
  int rank = x.rank();
  ArrayRef<int64_t> k = pool.getKernel(), s = pool.getStride(), p = pool.getPadding();
  PoolGeometry g{k[0], k[1], s[0], s[1], p[0], p[1], p[2], p[3]};
  Func in = spatialExterior(x, make_const(ht, 0));
  std::vector<Var> v = fl.vars(rank);
  Expr hstart = v[rank - 2] * static_cast<int>(s[0]) - static_cast<int>(p[0]);
  Expr wstart = v[rank - 1] * static_cast<int>(s[1]) - static_cast<int>(p[2]);
  RDom r(0, static_cast<int>(k[0]), 0, static_cast<int>(k[1]), "r");
  std::vector<Expr> idx = exprs(v);
  idx[rank - 2] = hstart + r.x;
  idx[rank - 1] = wstart + r.y;
  Expr divisor = poolDivisor(hstart, wstart, g, x.shape()[rank - 2], x.shape()[rank - 1],
                             pool.getCountIncludePad());
  Func f = fl.newFunc(pool);
  defineAt(f, v, sum(atExterior(in, idx)) / Halide::cast(ht, divisor));
  return AlgorithmResult{f, OpFamily::Window, {in}};
}

Expr avgPoolDivisor(Expr hstart, Expr wstart, ArrayRef<int64_t> kernel, ArrayRef<int64_t> padding,
                    bool countPad, int64_t h, int64_t w) {
  PoolGeometry g{kernel[0], kernel[1], 1, 1, padding[0], padding[1], padding[2], padding[3]};
  return poolDivisor(hstart, wstart, g, h, w, countPad);
}

static std::optional<AlgorithmResult> lowerPad(FunctionLowering &fl, nn::Pad2dOp pad) {
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
  return AlgorithmResult{f, OpFamily::Window, {in}};
}

std::optional<AlgorithmResult> lowerWindow(FunctionLowering &fl, Operation *op) {
  if (auto conv = dyn_cast<nn::Conv2dOp>(op))
    return lowerConv2d(fl, conv);
  if (auto pool = dyn_cast<nn::MaxPool2dOp>(op))
    return lowerMaxPool(fl, pool);
  if (auto pool = dyn_cast<nn::AvgPool2dOp>(op))
    return lowerAvgPool(fl, pool);
  if (auto pad = dyn_cast<nn::Pad2dOp>(op))
    return lowerPad(fl, pad);
  return std::nullopt;
}

} // namespace netc::codegen
