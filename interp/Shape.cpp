//===- Shape.cpp - flatten, reshape, transpose, concat, slice -------------===//
//
// Row-major data makes flatten and reshape copies with a new shape (taken
// from the result type); transpose, concat and slice move elements.
//
//===----------------------------------------------------------------------===//

#include "interp/Kernels.h"

#include "ir/NNOps.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;

namespace netc::interp {
namespace {

/// flatten and reshape: the same elements under the result's shape.
LogicalResult evalView(Operation *op, Evaluator &ev) {
  Tensor y = ev.get(op->getOperand(0));
  y.shape = shapeOf(op->getResult(0).getType());
  ev.set(op->getResult(0), std::move(y));
  return success();
}

LogicalResult evalTranspose(nn::TransposeOp op, Evaluator &ev) {
  const Tensor &x = ev.get(op.getInput());
  Tensor y = ev.zerosLike(op.getResult());
  if (x.rank() == 0) {
    ev.set(op.getResult(), x);
    return success();
  }
  int64_t d0 = normalizeAxis(op.getDim0(), x.rank()), d1 = normalizeAxis(op.getDim1(), x.rank());
  // Output element i reads the input at the same multi-index with the two
  // axes swapped: the input's strides, permuted, laid over the output.
  Shape strides = stridesOf(x.shape);
  std::swap(strides[d0], strides[d1]);
  for (int64_t i = 0; i < y.numel(); ++i)
    y.floats[i] = x.floats[broadcastIndex(i, y.shape, strides)];
  ev.set(op.getResult(), std::move(y));
  return success();
}

/// The sizes around axis `axis` of `shape`: the product of the axes before
/// it and of the axes after it.
std::pair<int64_t, int64_t> outerInner(const Shape &shape, int64_t axis) {
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < static_cast<int64_t>(shape.size()); ++i) {
    if (i < axis)
      outer *= shape[i];
    else if (i > axis)
      inner *= shape[i];
  }
  return {outer, inner};
}

LogicalResult evalConcat(nn::ConcatOp op, Evaluator &ev) {
  Tensor y = ev.zerosLike(op.getResult());
  int64_t axis = normalizeAxis(op.getDim(), y.rank());
  auto [outer, inner] = outerInner(y.shape, axis);
  int64_t offset = 0;
  for (Value input : op.getInputs()) {
    const Tensor &x = ev.get(input);
    // torch.cat's legacy rule skips 1-D empty inputs whatever the other ranks.
    if (x.rank() != y.rank())
      continue;
    int64_t length = x.shape[axis];
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t k = 0; k < length; ++k)
        for (int64_t i = 0; i < inner; ++i)
          y.floats[(o * y.shape[axis] + offset + k) * inner + i] =
              x.floats[(o * length + k) * inner + i];
    offset += length;
  }
  ev.set(op.getResult(), std::move(y));
  return success();
}

LogicalResult evalSlice(nn::SliceOp op, Evaluator &ev) {
  const Tensor &x = ev.get(op.getInput());
  Tensor y = ev.zerosLike(op.getResult());
  int64_t axis = normalizeAxis(op.getDim(), x.rank());
  auto [outer, inner] = outerInner(x.shape, axis);
  int64_t start = op.getStart(), size = op.getSize(), length = x.shape[axis];
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t k = 0; k < size; ++k)
      for (int64_t i = 0; i < inner; ++i)
        y.floats[(o * size + k) * inner + i] = x.floats[(o * length + start + k) * inner + i];
  ev.set(op.getResult(), std::move(y));
  return success();
}

} // namespace

std::optional<LogicalResult> evalShapeOp(Operation *op, Evaluator &ev) {
  return llvm::TypeSwitch<Operation *, std::optional<LogicalResult>>(op)
      .Case<nn::FlattenOp, nn::ReshapeOp>([&](Operation *) { return evalView(op, ev); })
      .Case([&](nn::TransposeOp o) { return evalTranspose(o, ev); })
      .Case([&](nn::ConcatOp o) { return evalConcat(o, ev); })
      .Case([&](nn::SliceOp o) { return evalSlice(o, ev); })
      .Default([](Operation *) { return std::nullopt; });
}

} // namespace netc::interp
