//===- Reduce.cpp - reductions and broadcasting in the interpreter --------===//
//
// Every reduction maps each input element to one output element and adds it
// there: the output index keeps the input's index along kept axes and 0
// along reduced ones. The flat layout of a result is the same with and
// without keepdim, so keepdim needs no code.
//
//===----------------------------------------------------------------------===//

#include "interp/Kernels.h"

#include "ir/NNOps.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;

namespace netc::interp {
namespace {

/// Sums `x` into `y` through per-axis strides of `y` laid over `x`'s axes
/// (0 along axes summed away).
void accumulate(const Tensor &x, const Shape &strides, Tensor &y) {
  for (int64_t i = 0; i < x.numel(); ++i)
    y.floats[broadcastIndex(i, x.shape, strides)] += x.floats[i];
}

/// sum or mean over `dims` (all axes when absent or empty).
LogicalResult evalReduce(Operation *op, std::optional<ArrayRef<int64_t>> dims, bool mean,
                         Evaluator &ev) {
  const Tensor &x = ev.get(op->getOperand(0));
  Tensor y = ev.zerosLike(op->getResult(0));
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
      v = ev.rounded(v, op->getResult(0)) / count;
  }
  ev.set(op->getResult(0), std::move(y));
  return success();
}

LogicalResult evalSqNorm(nn::SqNormOp op, Evaluator &ev) {
  const Tensor &x = ev.get(op.getInput());
  Tensor y = ev.zerosLike(op.getResult());
  for (double v : x.floats)
    y.floats[0] += v * v;
  ev.set(op.getResult(), std::move(y));
  return success();
}

/// The adjoint of broadcasting: the input's elements summed into the
/// target shape, read through broadcast strides of that shape.
LogicalResult evalSumTo(nn::SumToOp op, Evaluator &ev) {
  const Tensor &x = ev.get(op.getInput());
  Tensor y = ev.zerosLike(op.getResult());
  accumulate(x, broadcastStrides(y.shape, x.shape), y);
  ev.set(op.getResult(), std::move(y));
  return success();
}

LogicalResult evalBroadcastTo(nn::BroadcastToOp op, Evaluator &ev) {
  const Tensor &x = ev.get(op.getInput());
  Tensor y = ev.zerosLike(op.getResult());
  Shape strides = broadcastStrides(x.shape, y.shape);
  for (int64_t i = 0; i < y.numel(); ++i)
    y.floats[i] = x.floats[broadcastIndex(i, y.shape, strides)];
  ev.set(op.getResult(), std::move(y));
  return success();
}

} // namespace

std::optional<LogicalResult> evalReduceOp(Operation *op, Evaluator &ev) {
  return llvm::TypeSwitch<Operation *, std::optional<LogicalResult>>(op)
      .Case([&](nn::SumOp o) { return evalReduce(op, o.getDims(), false, ev); })
      .Case([&](nn::MeanOp o) { return evalReduce(op, o.getDims(), true, ev); })
      .Case([&](nn::SqNormOp o) { return evalSqNorm(o, ev); })
      .Case([&](nn::SumToOp o) { return evalSumTo(o, ev); })
      .Case([&](nn::BroadcastToOp o) { return evalBroadcastTo(o, ev); })
      .Default([](Operation *) { return std::nullopt; });
}

} // namespace netc::interp
