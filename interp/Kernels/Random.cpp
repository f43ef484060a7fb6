//===- Random.cpp - the interpreter kernels of rand and randn -------------===//
//
// Each element from runtime/RandomDraw.h, the rule compiled code shares; the
// kernel context rounds f32 results, which the uniform draws are exact in.
//
//===----------------------------------------------------------------------===//

#include "interp/KernelContext.h"

#include "ir/NNOps.h"
#include "runtime/RandomDraw.h"

#include "mlir/IR/DialectRegistry.h"

using namespace mlir;

namespace netc::interp {

namespace {

/// Sets `op`'s result element i to `draw(seed, i)`.
template <typename Draw> LogicalResult fillDraw(Operation *op, Value seed, KernelContext &ctx, Draw draw) {
  Tensor y = ctx.zerosLike(op->getResult(0));
  auto s = static_cast<uint64_t>(ctx.get(seed).ints[0]);
  for (int64_t i = 0; i < y.numel(); ++i)
    y.floats[i] = draw(s, static_cast<uint64_t>(i));
  ctx.set(op->getResult(0), std::move(y));
  return success();
}

LogicalResult evalRand(nn::RandOp op, KernelContext &ctx) {
  unsigned bits = cast<RankedTensorType>(op.getType()).getElementType().isF32() ? 24 : 53;
  return fillDraw(op, op.getSeed(), ctx,
                  [bits](uint64_t s, uint64_t i) { return runtime::uniformDraw(s, i, bits); });
}

LogicalResult evalRandn(nn::RandnOp op, KernelContext &ctx) {
  return fillDraw(op, op.getSeed(), ctx, runtime::normalDraw);
}

} // namespace

void registerRandomKernels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, nn::NNDialect *) {
    attachKernels<evalRand, evalRandn>(context);
  });
}

} // namespace netc::interp
