//===- Conv.cpp - conv2d and its gradients in the interpreter -------------===//
//
// Direct loops over the definition: no im2col, no tiling. An unbatched input
// [C, H, W] is treated as a batch of one; padding is [top, bottom, left,
// right] and only top and left matter here, since output sizes come from the
// result types.
//
//===----------------------------------------------------------------------===//

#include "interp/Kernels.h"

#include "ir/NNOps.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;

namespace netc::interp {
namespace {

/// The sizes of one convolution: input [N, C, H, W], weight [O, C / groups,
/// KH, KW], output [N, O, OH, OW].
struct ConvGeometry {
  int64_t n, c, h, w, o, oh, ow, kh, kw;
  int64_t strideH, strideW, padTop, padLeft, dilH, dilW, groups;

  /// Input channels and output channels per group.
  int64_t channelsPerGroup() const { return c / groups; }
  int64_t outputsPerGroup() const { return o / groups; }
  /// Flat indices into the three tensors.
  int64_t in(int64_t b, int64_t ch, int64_t y, int64_t x) const {
    return ((b * c + ch) * h + y) * w + x;
  }
  int64_t out(int64_t b, int64_t oc, int64_t y, int64_t x) const {
    return ((b * o + oc) * oh + y) * ow + x;
  }
  int64_t weight(int64_t oc, int64_t ci, int64_t y, int64_t x) const {
    return ((oc * channelsPerGroup() + ci) * kh + y) * kw + x;
  }

  /// Calls fn(b, oc, oy, ox, ic, ci, iy, ix) for every product term of the
  /// convolution whose input position lies inside the input (padding reads
  /// zeros and contributes nothing).
  template <typename Fn> void forEachTerm(Fn fn) const {
    for (int64_t b = 0; b < n; ++b)
      for (int64_t oc = 0; oc < o; ++oc) {
        int64_t group = oc / outputsPerGroup();
        for (int64_t oy = 0; oy < oh; ++oy)
          for (int64_t ox = 0; ox < ow; ++ox)
            for (int64_t ci = 0; ci < channelsPerGroup(); ++ci)
              for (int64_t ky = 0; ky < kh; ++ky) {
                int64_t iy = oy * strideH - padTop + ky * dilH;
                if (iy < 0 || iy >= h)
                  continue;
                for (int64_t kx = 0; kx < kw; ++kx) {
                  int64_t ix = ox * strideW - padLeft + kx * dilW;
                  if (ix < 0 || ix >= w)
                    continue;
                  fn(b, oc, oy, ox, group * channelsPerGroup() + ci, ci, ky, kx, iy, ix);
                }
              }
      }
  }
};

/// The geometry from the input, output and weight shapes and the attributes.
ConvGeometry geometry(const Shape &input, const Shape &output, const Shape &weight,
                      ArrayRef<int64_t> stride, ArrayRef<int64_t> padding,
                      ArrayRef<int64_t> dilation, int64_t groups) {
  bool batched = input.size() == 4;
  ConvGeometry g;
  g.n = batched ? input[0] : 1;
  g.c = input[input.size() - 3];
  g.h = input[input.size() - 2];
  g.w = input[input.size() - 1];
  g.o = weight[0];
  g.oh = output[output.size() - 2];
  g.ow = output[output.size() - 1];
  g.kh = weight[2];
  g.kw = weight[3];
  g.strideH = stride[0];
  g.strideW = stride[1];
  g.padTop = padding[0];
  g.padLeft = padding[2];
  g.dilH = dilation[0];
  g.dilW = dilation[1];
  g.groups = groups;
  return g;
}

LogicalResult evalConv2d(nn::Conv2dOp op, Evaluator &ev) {
  const Tensor &x = ev.get(op.getInput()), &w = ev.get(op.getWeight());
  Tensor y = ev.zerosLike(op.getResult());
  ConvGeometry g = geometry(x.shape, y.shape, w.shape, op.getStride(), op.getPadding(),
                            op.getDilation(), op.getGroups());
  if (op.getBias()) {
    const Tensor &bias = ev.get(op.getBias());
    for (int64_t i = 0; i < y.numel(); ++i)
      y.floats[i] = bias.floats[(i / (g.oh * g.ow)) % g.o];
  }
  g.forEachTerm([&](int64_t b, int64_t oc, int64_t oy, int64_t ox, int64_t ic, int64_t ci,
                    int64_t ky, int64_t kx, int64_t iy, int64_t ix) {
    y.floats[g.out(b, oc, oy, ox)] +=
        x.floats[g.in(b, ic, iy, ix)] * w.floats[g.weight(oc, ci, ky, kx)];
  });
  ev.set(op.getResult(), std::move(y));
  return success();
}

LogicalResult evalConv2dBackwardInput(nn::Conv2dBackwardInputOp op, Evaluator &ev) {
  const Tensor &grad = ev.get(op.getGrad()), &w = ev.get(op.getWeight());
  Tensor gx = ev.zerosLike(op.getResult());
  ConvGeometry g = geometry(gx.shape, grad.shape, w.shape, op.getStride(), op.getPadding(),
                            op.getDilation(), op.getGroups());
  g.forEachTerm([&](int64_t b, int64_t oc, int64_t oy, int64_t ox, int64_t ic, int64_t ci,
                    int64_t ky, int64_t kx, int64_t iy, int64_t ix) {
    gx.floats[g.in(b, ic, iy, ix)] +=
        grad.floats[g.out(b, oc, oy, ox)] * w.floats[g.weight(oc, ci, ky, kx)];
  });
  ev.set(op.getResult(), std::move(gx));
  return success();
}

LogicalResult evalConv2dBackwardFilter(nn::Conv2dBackwardFilterOp op, Evaluator &ev) {
  const Tensor &x = ev.get(op.getInput()), &grad = ev.get(op.getGrad());
  Tensor gw = ev.zerosLike(op.getResult());
  ConvGeometry g = geometry(x.shape, grad.shape, gw.shape, op.getStride(), op.getPadding(),
                            op.getDilation(), op.getGroups());
  g.forEachTerm([&](int64_t b, int64_t oc, int64_t oy, int64_t ox, int64_t ic, int64_t ci,
                    int64_t ky, int64_t kx, int64_t iy, int64_t ix) {
    gw.floats[g.weight(oc, ci, ky, kx)] +=
        x.floats[g.in(b, ic, iy, ix)] * grad.floats[g.out(b, oc, oy, ox)];
  });
  ev.set(op.getResult(), std::move(gw));
  return success();
}

} // namespace

std::optional<LogicalResult> evalConvOp(Operation *op, Evaluator &ev) {
  return llvm::TypeSwitch<Operation *, std::optional<LogicalResult>>(op)
      .Case([&](nn::Conv2dOp o) { return evalConv2d(o, ev); })
      .Case([&](nn::Conv2dBackwardInputOp o) { return evalConv2dBackwardInput(o, ev); })
      .Case([&](nn::Conv2dBackwardFilterOp o) { return evalConv2dBackwardFilter(o, ev); })
      .Default([](Operation *) { return std::nullopt; });
}

} // namespace netc::interp
