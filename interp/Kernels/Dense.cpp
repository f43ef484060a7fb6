//===- Dense.cpp - linear, matmul and embedding ---------------------------===//
//
// Plain triple loops in double, accumulating each dot product in order.
// Embedding indices are checked before any row is read.
//
//===----------------------------------------------------------------------===//

#include "interp/KernelContext.h"

#include "ir/NNOps.h"

#include "mlir/IR/DialectRegistry.h"

using namespace mlir;

namespace netc::interp {
namespace {

//===----------------------------------------------------------------------===//
// linear
//===----------------------------------------------------------------------===//

LogicalResult evalLinear(nn::LinearOp op, KernelContext &ctx) {
  const Tensor &x = ctx.get(op.getInput()), &w = ctx.get(op.getWeight());
  Tensor y = ctx.zerosLike(op.getResult());
  int64_t out = w.shape[0], in = w.shape[1], rows = x.numel() / in;
  const Tensor *bias = op.getBias() ? &ctx.get(op.getBias()) : nullptr;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t o = 0; o < out; ++o) {
      double acc = bias ? bias->floats[o] : 0.0;
      for (int64_t i = 0; i < in; ++i)
        acc += x.floats[r * in + i] * w.floats[o * in + i];
      y.floats[r * out + o] = acc;
    }
  ctx.set(op.getResult(), std::move(y));
  return success();
}

//===----------------------------------------------------------------------===//
// matmul
//===----------------------------------------------------------------------===//

/// torch.matmul: a 1-D lhs is a row [1, k] and a 1-D rhs a column [k, 1],
/// the leading (batch) axes broadcast, and the unit axes added for 1-D
/// operands are dropped from the result. The result's flat layout is the
/// same with or without those unit axes, so only the batch needs care.
LogicalResult evalMatmul(nn::MatmulOp op, KernelContext &ctx) {
  const Tensor &a = ctx.get(op.getLhs()), &b = ctx.get(op.getRhs());
  Tensor y = ctx.zerosLike(op.getResult());
  Shape sa = a.shape, sb = b.shape;
  if (sa.size() == 1)
    sa.insert(sa.begin(), 1);
  if (sb.size() == 1)
    sb.push_back(1);
  int64_t m = sa[sa.size() - 2], k = sa.back(), n = sb.back();
  Shape batchA(sa.begin(), sa.end() - 2), batchB(sb.begin(), sb.end() - 2);
  Shape batch(std::max(batchA.size(), batchB.size()), 1);
  // Trailing-aligned broadcast of the batch axes; a missing axis counts as 1.
  size_t rank = batch.size(), offA = rank - batchA.size(), offB = rank - batchB.size();
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i >= offA ? batchA[i - offA] : 1, db = i >= offB ? batchB[i - offB] : 1;
    batch[i] = std::max(da, db);
  }
  Shape stridesA = broadcastStrides(batchA, batch), stridesB = broadcastStrides(batchB, batch);
  for (int64_t bi = 0; bi < numElements(batch); ++bi) {
    // Batch strides count whole matrices of the operand.
    int64_t baseA = broadcastIndex(bi, batch, stridesA) * m * k;
    int64_t baseB = broadcastIndex(bi, batch, stridesB) * k * n;
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double acc = 0;
        for (int64_t l = 0; l < k; ++l)
          acc += a.floats[baseA + i * k + l] * b.floats[baseB + l * n + j];
        y.floats[(bi * m + i) * n + j] = acc;
      }
  }
  ctx.set(op.getResult(), std::move(y));
  return success();
}

//===----------------------------------------------------------------------===//
// Embedding indices
//===----------------------------------------------------------------------===//

/// Checks that every index lies in [0, num), naming the first that does not.
LogicalResult checkIndices(Operation *op, const Tensor &indices, int64_t num) {
  for (int64_t i = 0; i < indices.numel(); ++i)
    if (indices.ints[i] < 0 || indices.ints[i] >= num)
      return op->emitError() << "embedding index " << indices.ints[i] << " at flat position " << i
                             << " is out of range [0, " << num << ")";
  return success();
}

//===----------------------------------------------------------------------===//
// embedding
//===----------------------------------------------------------------------===//

LogicalResult evalEmbedding(nn::EmbeddingOp op, KernelContext &ctx) {
  const Tensor &indices = ctx.get(op.getIndices()), &w = ctx.get(op.getWeight());
  int64_t num = w.shape[0], dim = w.shape[1];
  if (failed(checkIndices(op, indices, num)))
    return failure();
  Tensor y = ctx.zerosLike(op.getResult());
  for (int64_t i = 0; i < indices.numel(); ++i)
    for (int64_t d = 0; d < dim; ++d)
      y.floats[i * dim + d] = w.floats[indices.ints[i] * dim + d];
  ctx.set(op.getResult(), std::move(y));
  return success();
}

//===----------------------------------------------------------------------===//
// embedding_backward
//===----------------------------------------------------------------------===//

LogicalResult evalEmbeddingBackward(nn::EmbeddingBackwardOp op, KernelContext &ctx) {
  const Tensor &grad = ctx.get(op.getGrad()), &indices = ctx.get(op.getIndices());
  Tensor gw = ctx.zerosLike(op.getResult());
  int64_t num = gw.shape[0], dim = gw.shape[1];
  if (failed(checkIndices(op, indices, num)))
    return failure();
  for (int64_t i = 0; i < indices.numel(); ++i)
    for (int64_t d = 0; d < dim; ++d)
      gw.floats[indices.ints[i] * dim + d] += grad.floats[i * dim + d];
  ctx.set(op.getResult(), std::move(gw));
  return success();
}

} // namespace

void registerDenseKernels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, nn::NNDialect *) {
    attachKernels<evalLinear, evalMatmul, evalEmbedding, evalEmbeddingBackward>(context);
  });
}

} // namespace netc::interp
