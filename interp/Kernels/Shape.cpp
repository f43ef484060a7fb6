//===- Shape.cpp - flatten, reshape, transpose, concat, slice, broadcast --===//
//
// Row-major data makes flatten and reshape copies with a new shape (taken
// from the result type); transpose, concat, slice and broadcast_to move
// elements.
//
//===----------------------------------------------------------------------===//

#include "interp/KernelContext.h"

#include "ir/NNOps.h"

#include "mlir/IR/DialectRegistry.h"

using namespace mlir;

namespace netc::interp {
namespace {

//===----------------------------------------------------------------------===//
// Shared
//===----------------------------------------------------------------------===//

/// flatten and reshape: the same elements under the result's shape.
LogicalResult view(Operation *op, KernelContext &ctx) {
  Tensor y = ctx.get(op->getOperand(0));
  y.shape = shapeOf(op->getResult(0).getType());
  ctx.set(op->getResult(0), std::move(y));
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

//===----------------------------------------------------------------------===//
// flatten
//===----------------------------------------------------------------------===//

LogicalResult evalFlatten(nn::FlattenOp op, KernelContext &ctx) { return view(op, ctx); }

//===----------------------------------------------------------------------===//
// reshape
//===----------------------------------------------------------------------===//

LogicalResult evalReshape(nn::ReshapeOp op, KernelContext &ctx) { return view(op, ctx); }

//===----------------------------------------------------------------------===//
// transpose
//===----------------------------------------------------------------------===//

LogicalResult evalTranspose(nn::TransposeOp op, KernelContext &ctx) {
  const Tensor &x = ctx.get(op.getInput());
  Tensor y = ctx.zerosLike(op.getResult());
  if (x.rank() == 0) {
    ctx.set(op.getResult(), x);
    return success();
  }
  int64_t d0 = normalizeAxis(op.getDim0(), x.rank()), d1 = normalizeAxis(op.getDim1(), x.rank());
  // Output element i reads the input at the same multi-index with the two
  // axes swapped: the input's strides, permuted, laid over the output.
  Shape strides = stridesOf(x.shape);
  std::swap(strides[d0], strides[d1]);
  for (int64_t i = 0; i < y.numel(); ++i)
    y.floats[i] = x.floats[broadcastIndex(i, y.shape, strides)];
  ctx.set(op.getResult(), std::move(y));
  return success();
}

//===----------------------------------------------------------------------===//
// concat
//===----------------------------------------------------------------------===//

LogicalResult evalConcat(nn::ConcatOp op, KernelContext &ctx) {
  Tensor y = ctx.zerosLike(op.getResult());
  int64_t axis = normalizeAxis(op.getDim(), y.rank());
  auto [outer, inner] = outerInner(y.shape, axis);
  int64_t offset = 0;
  for (Value input : op.getInputs()) {
    const Tensor &x = ctx.get(input);
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
  ctx.set(op.getResult(), std::move(y));
  return success();
}

//===----------------------------------------------------------------------===//
// slice
//===----------------------------------------------------------------------===//

LogicalResult evalSlice(nn::SliceOp op, KernelContext &ctx) {
  const Tensor &x = ctx.get(op.getInput());
  Tensor y = ctx.zerosLike(op.getResult());
  int64_t axis = normalizeAxis(op.getDim(), x.rank());
  auto [outer, inner] = outerInner(x.shape, axis);
  int64_t start = op.getStart(), size = op.getSize(), step = op.getStep(), length = x.shape[axis];
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t k = 0; k < size; ++k)
      for (int64_t i = 0; i < inner; ++i)
        y.floats[(o * size + k) * inner + i] = x.floats[(o * length + start + k * step) * inner + i];
  ctx.set(op.getResult(), std::move(y));
  return success();
}

//===----------------------------------------------------------------------===//
// broadcast_to
//===----------------------------------------------------------------------===//

LogicalResult evalBroadcastTo(nn::BroadcastToOp op, KernelContext &ctx) {
  const Tensor &x = ctx.get(op.getInput());
  Tensor y = ctx.zerosLike(op.getResult());
  Shape strides = broadcastStrides(x.shape, y.shape);
  for (int64_t i = 0; i < y.numel(); ++i)
    y.floats[i] = x.floats[broadcastIndex(i, y.shape, strides)];
  ctx.set(op.getResult(), std::move(y));
  return success();
}

} // namespace

void registerShapeKernels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, nn::NNDialect *) {
    attachKernels<evalFlatten, evalReshape, evalTranspose, evalConcat, evalSlice, evalBroadcastTo>(
        context);
  });
}

} // namespace netc::interp
