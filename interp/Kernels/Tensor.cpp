//===- Tensor.cpp - permute, max/min, argmax/argmin, triu/tril ------------===//
//
// The reference kernels of the tensor ops. An axis splits a row-major tensor
// into lines: `outer` blocks of `length` elements `inner` apart. The first
// extremum of a line is its first NaN, else its first maximum (minimum), as
// PyTorch's CPU kernels.
//
//===----------------------------------------------------------------------===//

#include "interp/KernelContext.h"

#include "ir/NNOps.h"

#include "mlir/IR/DialectRegistry.h"

#include <cmath>

using namespace mlir;

namespace netc::interp {
namespace {

/// The lines of `shape` along `axis`.
struct Lines {
  int64_t outer = 1, length = 1, inner = 1;

  Lines(const Shape &shape, int64_t axis) {
    for (int64_t i = 0; i < static_cast<int64_t>(shape.size()); ++i) {
      if (i < axis)
        outer *= shape[i];
      else if (i > axis)
        inner *= shape[i];
      else
        length = shape[i];
    }
  }
  /// The flat index of element `k` of line (o, i).
  int64_t at(int64_t o, int64_t k, int64_t i) const { return (o * length + k) * inner + i; }
};

/// The position of the first extremum of line (o, i) of `x`.
int64_t firstExtremum(const Tensor &x, const Lines &lines, int64_t o, int64_t i, bool isMin) {
  int64_t best = 0;
  double bestValue = x.floats[lines.at(o, 0, i)];
  for (int64_t k = 1; k < lines.length && !std::isnan(bestValue); ++k) {
    double v = x.floats[lines.at(o, k, i)];
    if (std::isnan(v) || (isMin ? v < bestValue : v > bestValue)) {
      best = k;
      bestValue = v;
    }
  }
  return best;
}

/// max, min (the values) and argmax, argmin (the positions, as i64): the
/// result holds one element per line, in line order whether or not the
/// axis is kept.
LogicalResult evalAlongAxis(Operation *op, uint64_t dim, bool isMin, KernelContext &ctx) {
  const Tensor &x = ctx.get(op->getOperand(0));
  Tensor y = ctx.zerosLike(op->getResult(0));
  Lines lines(x.shape, normalizeAxis(static_cast<int64_t>(dim), x.rank()));
  for (int64_t o = 0; o < lines.outer; ++o)
    for (int64_t i = 0; i < lines.inner; ++i) {
      int64_t k = firstExtremum(x, lines, o, i, isMin);
      if (y.isFloat())
        y.floats[o * lines.inner + i] = x.floats[lines.at(o, k, i)];
      else
        y.ints[o * lines.inner + i] = k;
    }
  ctx.set(op->getResult(0), std::move(y));
  return success();
}

//===----------------------------------------------------------------------===//
// permute
//===----------------------------------------------------------------------===//

LogicalResult evalPermute(nn::PermuteOp op, KernelContext &ctx) {
  const Tensor &x = ctx.get(op.getInput());
  Tensor y = ctx.zerosLike(op.getResult());
  // Result axis i walks input axis dims[i]: the input's strides, permuted,
  // laid over the result.
  Shape in = stridesOf(x.shape), strides;
  for (int64_t d : op.getDims())
    strides.push_back(in[normalizeAxis(d, x.rank())]);
  for (int64_t i = 0; i < y.numel(); ++i)
    y.floats[i] = x.floats[broadcastIndex(i, y.shape, strides)];
  ctx.set(op.getResult(), std::move(y));
  return success();
}

//===----------------------------------------------------------------------===//
// max, min, argmax, argmin
//===----------------------------------------------------------------------===//

LogicalResult evalMax(nn::MaxOp op, KernelContext &ctx) {
  return evalAlongAxis(op, op.getDim(), false, ctx);
}

LogicalResult evalMin(nn::MinOp op, KernelContext &ctx) {
  return evalAlongAxis(op, op.getDim(), true, ctx);
}

LogicalResult evalArgMax(nn::ArgMaxOp op, KernelContext &ctx) {
  return evalAlongAxis(op, op.getDim(), false, ctx);
}

LogicalResult evalArgMin(nn::ArgMinOp op, KernelContext &ctx) {
  return evalAlongAxis(op, op.getDim(), true, ctx);
}

//===----------------------------------------------------------------------===//
// extremum_backward
//===----------------------------------------------------------------------===//

LogicalResult evalExtremumBackward(nn::ExtremumBackwardOp op, KernelContext &ctx) {
  const Tensor &x = ctx.get(op.getInput()), &g = ctx.get(op.getGrad());
  Tensor y = ctx.zerosLike(op.getResult());
  Lines lines(x.shape, normalizeAxis(static_cast<int64_t>(op.getDim()), x.rank()));
  for (int64_t o = 0; o < lines.outer; ++o)
    for (int64_t i = 0; i < lines.inner; ++i)
      y.floats[lines.at(o, firstExtremum(x, lines, o, i, op.getIsMin()), i)] =
          g.floats[o * lines.inner + i];
  ctx.set(op.getResult(), std::move(y));
  return success();
}

//===----------------------------------------------------------------------===//
// triu, tril
//===----------------------------------------------------------------------===//

/// Keeps the elements whose column minus row passes `keep`.
template <typename OpT, bool Upper> LogicalResult evalTriangle(OpT op, KernelContext &ctx) {
  Tensor y = ctx.get(op.getInput());
  int64_t rows = y.shape[y.rank() - 2], cols = y.shape[y.rank() - 1];
  int64_t diagonal = static_cast<int64_t>(op.getDiagonal());
  for (int64_t i = 0; i < y.numel(); ++i) {
    int64_t offset = i % cols - (i / cols) % rows;
    if (Upper ? offset < diagonal : offset > diagonal)
      y.floats[i] = 0.0;
  }
  ctx.set(op.getResult(), std::move(y));
  return success();
}

//===----------------------------------------------------------------------===//
// slice_backward
//===----------------------------------------------------------------------===//

LogicalResult evalSliceBackward(nn::SliceBackwardOp op, KernelContext &ctx) {
  const Tensor &g = ctx.get(op.getGrad());
  Tensor y = ctx.zerosLike(op.getResult());
  int64_t axis = normalizeAxis(static_cast<int64_t>(op.getDim()), g.rank());
  Lines in(g.shape, axis), out(y.shape, axis);
  int64_t start = static_cast<int64_t>(op.getStart()), step = static_cast<int64_t>(op.getStep());
  for (int64_t o = 0; o < in.outer; ++o)
    for (int64_t k = 0; k < in.length; ++k)
      for (int64_t i = 0; i < in.inner; ++i)
        y.floats[out.at(o, start + k * step, i)] = g.floats[in.at(o, k, i)];
  ctx.set(op.getResult(), std::move(y));
  return success();
}

} // namespace

void registerTensorKernels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, nn::NNDialect *) {
    attachKernels<evalPermute, evalMax, evalMin, evalArgMax, evalArgMin, evalExtremumBackward,
                  evalTriangle<nn::TriuOp, true>, evalTriangle<nn::TrilOp, false>,
                  evalSliceBackward>(context);
  });
}

} // namespace netc::interp
