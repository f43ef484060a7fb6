//===- Window.cpp - convolution, pooling and padding ----------------------===//
//
// Direct loops over the definitions: no im2col, no tiling. Convolution treats
// an unbatched input [C, H, W] as a batch of one; padding is [top, bottom,
// left, right] and only top and left matter there, since output sizes come
// from the result types.
//
// The pools act on the two trailing axes; every leading axis (batch and
// channels) is a "plane" handled alike. Ceil mode needs no code of its own:
// a window that overhangs the input is clipped to it, as PyTorch's kernels
// clip.
//
//===----------------------------------------------------------------------===//

#include "interp/KernelContext.h"

#include "ir/NNOps.h"

#include "mlir/IR/DialectRegistry.h"

#include <cmath>
#include <limits>

using namespace mlir;

namespace netc::interp {
namespace {

//===----------------------------------------------------------------------===//
// Convolution geometry
//===----------------------------------------------------------------------===//

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
ConvGeometry convGeometry(const Shape &input, const Shape &output, const Shape &weight,
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

//===----------------------------------------------------------------------===//
// conv2d
//===----------------------------------------------------------------------===//

LogicalResult evalConv2d(nn::Conv2dOp op, KernelContext &ctx) {
  const Tensor &x = ctx.get(op.getInput()), &w = ctx.get(op.getWeight());
  Tensor y = ctx.zerosLike(op.getResult());
  ConvGeometry g = convGeometry(x.shape, y.shape, w.shape, op.getStride(), op.getPadding(),
                                op.getDilation(), op.getGroups());
  if (op.getBias()) {
    const Tensor &bias = ctx.get(op.getBias());
    for (int64_t i = 0; i < y.numel(); ++i)
      y.floats[i] = bias.floats[(i / (g.oh * g.ow)) % g.o];
  }
  g.forEachTerm([&](int64_t b, int64_t oc, int64_t oy, int64_t ox, int64_t ic, int64_t ci,
                    int64_t ky, int64_t kx, int64_t iy, int64_t ix) {
    y.floats[g.out(b, oc, oy, ox)] +=
        x.floats[g.in(b, ic, iy, ix)] * w.floats[g.weight(oc, ci, ky, kx)];
  });
  ctx.set(op.getResult(), std::move(y));
  return success();
}

//===----------------------------------------------------------------------===//
// conv2d_backward_input
//===----------------------------------------------------------------------===//

LogicalResult evalConv2dBackwardInput(nn::Conv2dBackwardInputOp op, KernelContext &ctx) {
  const Tensor &grad = ctx.get(op.getGrad()), &w = ctx.get(op.getWeight());
  Tensor gx = ctx.zerosLike(op.getResult());
  ConvGeometry g = convGeometry(gx.shape, grad.shape, w.shape, op.getStride(), op.getPadding(),
                                op.getDilation(), op.getGroups());
  g.forEachTerm([&](int64_t b, int64_t oc, int64_t oy, int64_t ox, int64_t ic, int64_t ci,
                    int64_t ky, int64_t kx, int64_t iy, int64_t ix) {
    gx.floats[g.in(b, ic, iy, ix)] +=
        grad.floats[g.out(b, oc, oy, ox)] * w.floats[g.weight(oc, ci, ky, kx)];
  });
  ctx.set(op.getResult(), std::move(gx));
  return success();
}

//===----------------------------------------------------------------------===//
// conv2d_backward_filter
//===----------------------------------------------------------------------===//

LogicalResult evalConv2dBackwardFilter(nn::Conv2dBackwardFilterOp op, KernelContext &ctx) {
  const Tensor &x = ctx.get(op.getInput()), &grad = ctx.get(op.getGrad());
  Tensor gw = ctx.zerosLike(op.getResult());
  ConvGeometry g = convGeometry(x.shape, grad.shape, gw.shape, op.getStride(), op.getPadding(),
                                op.getDilation(), op.getGroups());
  g.forEachTerm([&](int64_t b, int64_t oc, int64_t oy, int64_t ox, int64_t ic, int64_t ci,
                    int64_t ky, int64_t kx, int64_t iy, int64_t ix) {
    gw.floats[g.weight(oc, ci, ky, kx)] +=
        x.floats[g.in(b, ic, iy, ix)] * grad.floats[g.out(b, oc, oy, ox)];
  });
  ctx.set(op.getResult(), std::move(gw));
  return success();
}

//===----------------------------------------------------------------------===//
// Pooling geometry
//===----------------------------------------------------------------------===//

/// Planes and spatial sizes of a pool's input and output.
struct PoolGeometry {
  int64_t planes, h, w, oh, ow;
  int64_t kh, kw, strideH, strideW, padTop, padBottom, padLeft, padRight, dilH, dilW;

  int64_t in(int64_t p, int64_t y, int64_t x) const { return (p * h + y) * w + x; }
  int64_t out(int64_t p, int64_t y, int64_t x) const { return (p * oh + y) * ow + x; }
};

PoolGeometry poolGeometry(const Shape &input, const Shape &output, ArrayRef<int64_t> kernel,
                          ArrayRef<int64_t> stride, ArrayRef<int64_t> padding,
                          ArrayRef<int64_t> dilation) {
  PoolGeometry g;
  size_t r = input.size();
  g.h = input[r - 2];
  g.w = input[r - 1];
  g.planes = numElements(input) / (g.h * g.w);
  g.oh = output[r - 2];
  g.ow = output[r - 1];
  g.kh = kernel[0];
  g.kw = kernel[1];
  g.strideH = stride[0];
  g.strideW = stride[1];
  g.padTop = padding[0];
  g.padBottom = padding[1];
  g.padLeft = padding[2];
  g.padRight = padding[3];
  g.dilH = dilation.empty() ? 1 : dilation[0];
  g.dilW = dilation.empty() ? 1 : dilation[1];
  return g;
}

/// The flat input index of the maximum of window (p, oy, ox): PyTorch's CPU
/// rule, scanning the window in row-major order and replacing the best on a
/// strictly greater value or a NaN, so ties go to the first maximum and
/// padding never wins.
int64_t argmax(const PoolGeometry &g, const Tensor &x, int64_t p, int64_t oy, int64_t ox) {
  int64_t best = -1;
  double bestValue = -std::numeric_limits<double>::infinity();
  for (int64_t ky = 0; ky < g.kh; ++ky) {
    int64_t iy = oy * g.strideH - g.padTop + ky * g.dilH;
    if (iy < 0 || iy >= g.h)
      continue;
    for (int64_t kx = 0; kx < g.kw; ++kx) {
      int64_t ix = ox * g.strideW - g.padLeft + kx * g.dilW;
      if (ix < 0 || ix >= g.w)
        continue;
      double v = x.floats[g.in(p, iy, ix)];
      if (best < 0 || v > bestValue || std::isnan(v)) {
        best = g.in(p, iy, ix);
        bestValue = v;
      }
    }
  }
  return best;
}

//===----------------------------------------------------------------------===//
// maxpool2d
//===----------------------------------------------------------------------===//

LogicalResult evalMaxPool2d(nn::MaxPool2dOp op, KernelContext &ctx) {
  const Tensor &x = ctx.get(op.getInput());
  Tensor y = ctx.zerosLike(op.getResult());
  PoolGeometry g = poolGeometry(x.shape, y.shape, op.getKernel(), op.getStride(), op.getPadding(),
                                op.getDilation());
  for (int64_t p = 0; p < g.planes; ++p)
    for (int64_t oy = 0; oy < g.oh; ++oy)
      for (int64_t ox = 0; ox < g.ow; ++ox) {
        int64_t at = argmax(g, x, p, oy, ox);
        y.floats[g.out(p, oy, ox)] =
            at < 0 ? -std::numeric_limits<double>::infinity() : x.floats[at];
      }
  ctx.set(op.getResult(), std::move(y));
  return success();
}

//===----------------------------------------------------------------------===//
// maxpool2d_backward
//===----------------------------------------------------------------------===//

LogicalResult evalMaxPool2dBackward(nn::MaxPool2dBackwardOp op, KernelContext &ctx) {
  const Tensor &grad = ctx.get(op.getGrad()), &x = ctx.get(op.getInput());
  Tensor gx = ctx.zerosLike(op.getResult());
  PoolGeometry g = poolGeometry(x.shape, grad.shape, op.getKernel(), op.getStride(),
                                op.getPadding(), op.getDilation());
  for (int64_t p = 0; p < g.planes; ++p)
    for (int64_t oy = 0; oy < g.oh; ++oy)
      for (int64_t ox = 0; ox < g.ow; ++ox) {
        int64_t at = argmax(g, x, p, oy, ox);
        if (at >= 0)
          gx.floats[at] += grad.floats[g.out(p, oy, ox)];
      }
  ctx.set(op.getResult(), std::move(gx));
  return success();
}

/// The clipped window of output (oy, ox) of an average pool and its divisor,
/// as PyTorch's avg_pool2d computes them: the window is first clipped to the
/// padded input (its size is the divisor with count_include_pad), then to
/// the input itself (its size is the divisor without).
struct AvgWindow {
  int64_t y0, y1, x0, x1;
  double divisor;
};

AvgWindow avgWindow(const PoolGeometry &g, int64_t oy, int64_t ox, bool countIncludePad) {
  int64_t y0 = oy * g.strideH - g.padTop, x0 = ox * g.strideW - g.padLeft;
  int64_t y1 = std::min(y0 + g.kh, g.h + g.padBottom), x1 = std::min(x0 + g.kw, g.w + g.padRight);
  int64_t padded = (y1 - y0) * (x1 - x0);
  y0 = std::max<int64_t>(y0, 0);
  x0 = std::max<int64_t>(x0, 0);
  y1 = std::min(y1, g.h);
  x1 = std::min(x1, g.w);
  int64_t real = (y1 - y0) * (x1 - x0);
  return {y0, y1, x0, x1, double(countIncludePad ? padded : real)};
}

//===----------------------------------------------------------------------===//
// avgpool2d
//===----------------------------------------------------------------------===//

LogicalResult evalAvgPool2d(nn::AvgPool2dOp op, KernelContext &ctx) {
  const Tensor &x = ctx.get(op.getInput());
  Tensor y = ctx.zerosLike(op.getResult());
  PoolGeometry g =
      poolGeometry(x.shape, y.shape, op.getKernel(), op.getStride(), op.getPadding(), {});
  for (int64_t p = 0; p < g.planes; ++p)
    for (int64_t oy = 0; oy < g.oh; ++oy)
      for (int64_t ox = 0; ox < g.ow; ++ox) {
        AvgWindow win = avgWindow(g, oy, ox, op.getCountIncludePad());
        double sum = 0;
        for (int64_t iy = win.y0; iy < win.y1; ++iy)
          for (int64_t ix = win.x0; ix < win.x1; ++ix)
            sum += x.floats[g.in(p, iy, ix)];
        y.floats[g.out(p, oy, ox)] = ctx.rounded(sum, op.getResult()) / win.divisor;
      }
  ctx.set(op.getResult(), std::move(y));
  return success();
}

//===----------------------------------------------------------------------===//
// avgpool2d_backward
//===----------------------------------------------------------------------===//

LogicalResult evalAvgPool2dBackward(nn::AvgPool2dBackwardOp op, KernelContext &ctx) {
  const Tensor &grad = ctx.get(op.getGrad());
  Tensor gx = ctx.zerosLike(op.getResult());
  PoolGeometry g =
      poolGeometry(gx.shape, grad.shape, op.getKernel(), op.getStride(), op.getPadding(), {});
  for (int64_t p = 0; p < g.planes; ++p)
    for (int64_t oy = 0; oy < g.oh; ++oy)
      for (int64_t ox = 0; ox < g.ow; ++ox) {
        AvgWindow win = avgWindow(g, oy, ox, op.getCountIncludePad());
        double share = grad.floats[g.out(p, oy, ox)] / win.divisor;
        for (int64_t iy = win.y0; iy < win.y1; ++iy)
          for (int64_t ix = win.x0; ix < win.x1; ++ix)
            gx.floats[g.in(p, iy, ix)] += share;
      }
  ctx.set(op.getResult(), std::move(gx));
  return success();
}

//===----------------------------------------------------------------------===//
// pad2d
//===----------------------------------------------------------------------===//

LogicalResult evalPad2d(nn::Pad2dOp op, KernelContext &ctx) {
  const Tensor &x = ctx.get(op.getInput());
  Tensor y = ctx.zerosLike(op.getResult());
  ArrayRef<int64_t> pads = op.getPads();
  size_t r = x.shape.size();
  int64_t h = x.shape[r - 2], w = x.shape[r - 1], oh = y.shape[r - 2], ow = y.shape[r - 1];
  int64_t planes = x.numel() / (h * w);
  double value = op.getValue().convertToDouble();
  for (int64_t p = 0; p < planes; ++p)
    for (int64_t oy = 0; oy < oh; ++oy)
      for (int64_t ox = 0; ox < ow; ++ox) {
        // A negative pad crops: the same shift reads further into the input.
        int64_t iy = oy - pads[0], ix = ox - pads[2];
        bool inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
        y.floats[(p * oh + oy) * ow + ox] = inside ? x.floats[(p * h + iy) * w + ix] : value;
      }
  ctx.set(op.getResult(), std::move(y));
  return success();
}

} // namespace

void registerWindowKernels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, nn::NNDialect *) {
    attachKernels<evalConv2d, evalConv2dBackwardInput, evalConv2dBackwardFilter, evalMaxPool2d,
                  evalMaxPool2dBackward, evalAvgPool2d, evalAvgPool2dBackward, evalPad2d>(context);
  });
}

} // namespace netc::interp
