//===- Backward.cpp - the backward ops ------------------------------------===//
//
// Gradients of convolution and pooling are written as gathers: each input
// position sums the output positions whose windows cover it, so every
// element is computed independently and schedules can parallelize freely.
// Only embedding's gradient scatters (rows accumulate where indices repeat).
//
//===----------------------------------------------------------------------===//

#include "codegen/Algorithms/Common.h"

using namespace mlir;
using namespace Halide;

namespace netc::codegen {


namespace {

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

AlgorithmResult lowerConvBackwardInput(FunctionLowering &fl, nn::Conv2dBackwardInputOp op) {
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
  std::vector<Var> v = fl.vars(rank);
  Var c = v[rank - 3], iy = v[rank - 2], ix = v[rank - 1];
  RDom r(0, static_cast<int>(groupOut), 0, static_cast<int>(ws[2]), 0, static_cast<int>(ws[3]),
         "r");
  Expr o = (c / static_cast<int>(groupIn)) * static_cast<int>(groupOut) + r.x;
  Expr weight = w.at({o, c % static_cast<int>(groupIn), r.y, r.z});
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
    return AlgorithmResult{f, OpFamily::Window, {gext}};
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
  return AlgorithmResult{f, OpFamily::Window, {gext, phases}};
}

AlgorithmResult lowerConvBackwardFilter(FunctionLowering &fl, nn::Conv2dBackwardFilterOp op) {
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
  return AlgorithmResult{f, OpFamily::Window, {in}};
}

AlgorithmResult lowerMaxPoolBackward(FunctionLowering &fl, nn::MaxPool2dBackwardOp op) {
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

  std::vector<Var> v = fl.vars(rank);
  RDom r(0, static_cast<int>(k[0]), 0, static_cast<int>(k[1]), "r");
  auto [oy, vy] = coveringOutput(v[rank - 2], r.x, s[0], d[0], p[0], g.shape()[rank - 2]);
  auto [ox, vx] = coveringOutput(v[rank - 1], r.y, s[1], d[1], p[2], g.shape()[rank - 1]);
  std::vector<Expr> oIdx = exprs(v);
  oIdx[rank - 2] = oy;
  oIdx[rank - 1] = ox;
  std::vector<Expr> rev(oIdx.rbegin(), oIdx.rend());
  Expr isArgmax = arg(rev)[0] == r.x && arg(rev)[1] == r.y;
  Func f = fl.newFunc(op);
  defineAt(f, v, sum(select(vy && vx && isArgmax, g.at(oIdx), make_const(ht, 0))));
  return AlgorithmResult{f, OpFamily::Window, {in, arg}};
}

AlgorithmResult lowerAvgPoolBackward(FunctionLowering &fl, nn::AvgPool2dBackwardOp op) {
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
  return AlgorithmResult{f, OpFamily::Window, {}};
}

AlgorithmResult lowerEmbeddingBackward(FunctionLowering &fl, nn::EmbeddingBackwardOp op) {
  const LTensor &g = fl.get(op.getGrad()), &idx = fl.get(op.getIndices());
  auto type = cast<RankedTensorType>(op.getType());
  Halide::Type ht = FunctionLowering::halideType(type.getElementType());
  std::vector<Var> v = fl.vars(2);
  Halide::Region region;
  for (int64_t dim : idx.shape())
    region.push_back(Range(0, static_cast<int>(dim)));
  if (region.empty())
    region.push_back(Range(0, 1));
  RDom r(region, "r");
  std::vector<Expr> at;
  for (int i = 0; i < idx.rank(); ++i)
    at.push_back(r[i]);
  Expr row = clamp(Halide::cast<int32_t>(idx.at(at)), 0, static_cast<int>(op.getNum()) - 1);
  std::vector<Expr> gIdx = at;
  gIdx.push_back(v[1]);
  Func f = fl.newFunc(op);
  defineAt(f, v, make_const(ht, 0));
  f(v[1], row) += g.at(gIdx);
  return AlgorithmResult{f, OpFamily::Scatter, {}};
}

AlgorithmResult lowerLossBackward(FunctionLowering &fl, Operation *op) {
  const LTensor &grad = fl.get(op->getOperand(0)), &in = fl.get(op->getOperand(1)),
                &target = fl.get(op->getOperand(2));
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  Halide::Type ht = FunctionLowering::halideType(type.getElementType());
  std::vector<Var> v = fl.vars(type.getRank());
  Expr g = grad.func();
  Func f = fl.newFunc(op);
  if (isa<nn::BceBackwardOp>(op)) {
    int64_t count = type.getNumElements();
    Expr p = in.at(exprs(v)), y = target.at(exprs(v));
    Expr denom = nanMax(p * (make_const(ht, 1) - p), make_const(ht, 1e-12));
    defineAt(f, v, g * (p - y) / denom / make_const(ht, static_cast<double>(count)));
    return AlgorithmResult{f, OpFamily::Elementwise, {}};
  }
  // cross_entropy: softmax along the class axis minus the one-hot target.
  int classAxis = type.getRank() == 1 ? 0 : 1;
  int64_t count = type.getNumElements() / type.getShape()[classAxis];
  std::vector<Var> pos;
  for (int i = 0; i < type.getRank(); ++i)
    if (i != classAxis)
      pos.push_back(v[i]);
  RDom r(0, static_cast<int>(type.getShape()[classAxis]), "cls");
  Func m = fl.newFunc(op, "_max"), s = fl.newFunc(op, "_sum");
  defineAt(m, pos, maximum(in.at(replaced(v, classAxis, r.x))));
  std::vector<Expr> posRev(pos.rbegin(), pos.rend());
  defineAt(s, pos, sum(exactExp(in.at(replaced(v, classAxis, r.x)) - m(posRev))));
  Expr softmax = exactExp(in.at(exprs(v)) - m(posRev)) / s(posRev);
  Expr hit = select(Halide::cast<int64_t>(target.at(exprs(pos))) == Halide::cast<int64_t>(v[classAxis]),
                    make_const(ht, 1), make_const(ht, 0));
  defineAt(f, v, g * (softmax - hit) / make_const(ht, static_cast<double>(count)));
  return AlgorithmResult{f, OpFamily::Reduction, {m, s}};
}

} // namespace

std::optional<AlgorithmResult> lowerBackward(FunctionLowering &fl, Operation *op) {
  if (auto o = dyn_cast<nn::Conv2dBackwardInputOp>(op))
    return lowerConvBackwardInput(fl, o);
  if (auto o = dyn_cast<nn::Conv2dBackwardFilterOp>(op))
    return lowerConvBackwardFilter(fl, o);
  if (auto o = dyn_cast<nn::MaxPool2dBackwardOp>(op))
    return lowerMaxPoolBackward(fl, o);
  if (auto o = dyn_cast<nn::AvgPool2dBackwardOp>(op))
    return lowerAvgPoolBackward(fl, o);
  if (auto o = dyn_cast<nn::EmbeddingBackwardOp>(op))
    return lowerEmbeddingBackward(fl, o);
  if (isa<nn::BceBackwardOp, nn::CrossEntropyBackwardOp>(op))
    return lowerLossBackward(fl, op);
  return std::nullopt;
}

} // namespace netc::codegen
