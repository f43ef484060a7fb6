//===- Pool.cpp - pooling, its gradients and pad2d in the interpreter -----===//
//
// The pools act on the two trailing axes; every leading axis (batch and
// channels) is a "plane" handled alike. Output sizes come from the result
// types, so ceil mode needs no code of its own: a window that overhangs the
// input is clipped to it, as PyTorch's kernels clip.
//
//===----------------------------------------------------------------------===//

#include "interp/Kernels.h"

#include "ir/NNOps.h"

#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <limits>

using namespace mlir;

namespace netc::interp {
namespace {

/// Planes and spatial sizes of a pool's input and output.
struct PoolGeometry {
  int64_t planes, h, w, oh, ow;
  int64_t kh, kw, strideH, strideW, padTop, padBottom, padLeft, padRight, dilH, dilW;

  int64_t in(int64_t p, int64_t y, int64_t x) const { return (p * h + y) * w + x; }
  int64_t out(int64_t p, int64_t y, int64_t x) const { return (p * oh + y) * ow + x; }
};

PoolGeometry geometry(const Shape &input, const Shape &output, ArrayRef<int64_t> kernel,
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

LogicalResult evalMaxPool(nn::MaxPool2dOp op, Evaluator &ev) {
  const Tensor &x = ev.get(op.getInput());
  Tensor y = ev.zerosLike(op.getResult());
  PoolGeometry g =
      geometry(x.shape, y.shape, op.getKernel(), op.getStride(), op.getPadding(), op.getDilation());
  for (int64_t p = 0; p < g.planes; ++p)
    for (int64_t oy = 0; oy < g.oh; ++oy)
      for (int64_t ox = 0; ox < g.ow; ++ox) {
        int64_t at = argmax(g, x, p, oy, ox);
        y.floats[g.out(p, oy, ox)] =
            at < 0 ? -std::numeric_limits<double>::infinity() : x.floats[at];
      }
  ev.set(op.getResult(), std::move(y));
  return success();
}

LogicalResult evalMaxPoolBackward(nn::MaxPool2dBackwardOp op, Evaluator &ev) {
  const Tensor &grad = ev.get(op.getGrad()), &x = ev.get(op.getInput());
  Tensor gx = ev.zerosLike(op.getResult());
  PoolGeometry g = geometry(x.shape, grad.shape, op.getKernel(), op.getStride(), op.getPadding(),
                            op.getDilation());
  for (int64_t p = 0; p < g.planes; ++p)
    for (int64_t oy = 0; oy < g.oh; ++oy)
      for (int64_t ox = 0; ox < g.ow; ++ox) {
        int64_t at = argmax(g, x, p, oy, ox);
        if (at >= 0)
          gx.floats[at] += grad.floats[g.out(p, oy, ox)];
      }
  ev.set(op.getResult(), std::move(gx));
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

LogicalResult evalAvgPool(nn::AvgPool2dOp op, Evaluator &ev) {
  const Tensor &x = ev.get(op.getInput());
  Tensor y = ev.zerosLike(op.getResult());
  PoolGeometry g = geometry(x.shape, y.shape, op.getKernel(), op.getStride(), op.getPadding(), {});
  for (int64_t p = 0; p < g.planes; ++p)
    for (int64_t oy = 0; oy < g.oh; ++oy)
      for (int64_t ox = 0; ox < g.ow; ++ox) {
        AvgWindow win = avgWindow(g, oy, ox, op.getCountIncludePad());
        double sum = 0;
        for (int64_t iy = win.y0; iy < win.y1; ++iy)
          for (int64_t ix = win.x0; ix < win.x1; ++ix)
            sum += x.floats[g.in(p, iy, ix)];
        y.floats[g.out(p, oy, ox)] = ev.rounded(sum, op.getResult()) / win.divisor;
      }
  ev.set(op.getResult(), std::move(y));
  return success();
}

LogicalResult evalAvgPoolBackward(nn::AvgPool2dBackwardOp op, Evaluator &ev) {
  const Tensor &grad = ev.get(op.getGrad());
  Tensor gx = ev.zerosLike(op.getResult());
  PoolGeometry g =
      geometry(gx.shape, grad.shape, op.getKernel(), op.getStride(), op.getPadding(), {});
  for (int64_t p = 0; p < g.planes; ++p)
    for (int64_t oy = 0; oy < g.oh; ++oy)
      for (int64_t ox = 0; ox < g.ow; ++ox) {
        AvgWindow win = avgWindow(g, oy, ox, op.getCountIncludePad());
        double share = grad.floats[g.out(p, oy, ox)] / win.divisor;
        for (int64_t iy = win.y0; iy < win.y1; ++iy)
          for (int64_t ix = win.x0; ix < win.x1; ++ix)
            gx.floats[g.in(p, iy, ix)] += share;
      }
  ev.set(op.getResult(), std::move(gx));
  return success();
}

LogicalResult evalPad(nn::Pad2dOp op, Evaluator &ev) {
  const Tensor &x = ev.get(op.getInput());
  Tensor y = ev.zerosLike(op.getResult());
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
  ev.set(op.getResult(), std::move(y));
  return success();
}

} // namespace

std::optional<LogicalResult> evalPoolOp(Operation *op, Evaluator &ev) {
  return llvm::TypeSwitch<Operation *, std::optional<LogicalResult>>(op)
      .Case([&](nn::MaxPool2dOp o) { return evalMaxPool(o, ev); })
      .Case([&](nn::MaxPool2dBackwardOp o) { return evalMaxPoolBackward(o, ev); })
      .Case([&](nn::AvgPool2dOp o) { return evalAvgPool(o, ev); })
      .Case([&](nn::AvgPool2dBackwardOp o) { return evalAvgPoolBackward(o, ev); })
      .Case([&](nn::Pad2dOp o) { return evalPad(o, ev); })
      .Default([](Operation *) { return std::nullopt; });
}

} // namespace netc::interp
