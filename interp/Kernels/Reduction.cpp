//===- Reduction.cpp - sums, norms and softmax ----------------------------===//
//
// Every sum maps each input element to one output element and adds it
// there: the output index keeps the input's index along kept axes and 0
// along reduced ones. The flat layout of a result is the same with and
// without keepdim, so keepdim needs no code. Softmax reduces along one axis
// and writes back along the same line.
//
//===----------------------------------------------------------------------===//

#include "interp/KernelContext.h"

#include "ir/NNOps.h"

#include "mlir/IR/DialectRegistry.h"

#include <cmath>

using namespace mlir;

namespace netc::interp {
namespace {

//===----------------------------------------------------------------------===//
// Shared
//===----------------------------------------------------------------------===//

/// Sums `x` into `y` through per-axis strides of `y` laid over `x`'s axes
/// (0 along axes summed away).
void accumulate(const Tensor &x, const Shape &strides, Tensor &y) {
  for (int64_t i = 0; i < x.numel(); ++i)
    y.floats[broadcastIndex(i, x.shape, strides)] += x.floats[i];
}

/// sum or mean over `dims` (all axes when absent or empty).
LogicalResult reduce(Operation *op, std::optional<ArrayRef<int64_t>> dims, bool mean,
                     KernelContext &ctx) {
  const Tensor &x = ctx.get(op->getOperand(0));
  Tensor y = ctx.zerosLike(op->getResult(0));
  Shape kept = x.shape;
  if (!dims || dims->empty()) {
    kept.assign(x.shape.size(), 1);
  } else {
    for (int64_t d : *dims)
      if (!x.shape.empty())
        kept[normalizeAxis(d, x.rank())] = 1;
  }
  accumulate(x, broadcastStrides(kept, x.shape), y);
  if (mean) {
    double count = double(x.numel()) / double(y.numel());
    // The sum rounds to the result's type before the division, as in
    // PyTorch's f32 kernels and compiled code: a sum past f32's range is inf.
    for (double &v : y.floats)
      v = ctx.rounded(v, op->getResult(0)) / count;
  }
  ctx.set(op->getResult(0), std::move(y));
  return success();
}

/// Calls fn(base, stride, length) for every line of `shape` along `axis`:
/// the elements base + k * stride for k < length.
template <typename Fn> void forEachLine(const Shape &shape, int64_t axis, Fn fn) {
  int64_t length = shape.empty() ? 1 : shape[axis];
  int64_t inner = 1;
  for (size_t i = axis + 1; i < shape.size(); ++i)
    inner *= shape[i];
  int64_t outer = numElements(shape) / (length * inner);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i)
      fn(o * length * inner + i, inner, length);
}

/// softmax or log_softmax along `dim`, subtracting the maximum first.
LogicalResult softmax(Operation *op, int64_t dim, bool log, KernelContext &ctx) {
  Tensor y = ctx.get(op->getOperand(0));
  int64_t axis = y.shape.empty() ? 0 : normalizeAxis(dim, y.rank());
  forEachLine(y.shape, axis, [&](int64_t base, int64_t stride, int64_t length) {
    double max = -INFINITY;
    for (int64_t k = 0; k < length; ++k)
      max = std::max(max, y.floats[base + k * stride]);
    double sum = 0;
    for (int64_t k = 0; k < length; ++k)
      sum += std::exp(y.floats[base + k * stride] - max);
    for (int64_t k = 0; k < length; ++k) {
      double &v = y.floats[base + k * stride];
      v = log ? v - max - std::log(sum) : std::exp(v - max) / sum;
    }
  });
  ctx.set(op->getResult(0), std::move(y));
  return success();
}

//===----------------------------------------------------------------------===//
// sum
//===----------------------------------------------------------------------===//

LogicalResult evalSum(nn::SumOp op, KernelContext &ctx) {
  return reduce(op, op.getDims(), /*mean=*/false, ctx);
}

//===----------------------------------------------------------------------===//
// mean
//===----------------------------------------------------------------------===//

LogicalResult evalMean(nn::MeanOp op, KernelContext &ctx) {
  return reduce(op, op.getDims(), /*mean=*/true, ctx);
}

//===----------------------------------------------------------------------===//
// sqnorm
//===----------------------------------------------------------------------===//

LogicalResult evalSqNorm(nn::SqNormOp op, KernelContext &ctx) {
  const Tensor &x = ctx.get(op.getInput());
  Tensor y = ctx.zerosLike(op.getResult());
  for (double v : x.floats)
    y.floats[0] += v * v;
  ctx.set(op.getResult(), std::move(y));
  return success();
}

//===----------------------------------------------------------------------===//
// softmax
//===----------------------------------------------------------------------===//

LogicalResult evalSoftmax(nn::SoftmaxOp op, KernelContext &ctx) {
  return softmax(op, op.getDim(), /*log=*/false, ctx);
}

//===----------------------------------------------------------------------===//
// log_softmax
//===----------------------------------------------------------------------===//

LogicalResult evalLogSoftmax(nn::LogSoftmaxOp op, KernelContext &ctx) {
  return softmax(op, op.getDim(), /*log=*/true, ctx);
}

//===----------------------------------------------------------------------===//
// sum_to
//===----------------------------------------------------------------------===//

/// The adjoint of broadcasting: the input's elements summed into the
/// target shape, read through broadcast strides of that shape.
LogicalResult evalSumTo(nn::SumToOp op, KernelContext &ctx) {
  const Tensor &x = ctx.get(op.getInput());
  Tensor y = ctx.zerosLike(op.getResult());
  accumulate(x, broadcastStrides(y.shape, x.shape), y);
  ctx.set(op.getResult(), std::move(y));
  return success();
}

} // namespace

void registerReductionKernels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, nn::NNDialect *) {
    attachKernels<evalSum, evalMean, evalSqNorm, evalSoftmax, evalLogSoftmax, evalSumTo>(context);
  });
}

} // namespace netc::interp
