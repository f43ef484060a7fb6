//===- Stateful.cpp - train_select, increment and the collective ops -------===//
//
// The kernels of the ops of train steps and buffers. A forward function run
// as it is (not in its inference form) is the forward form, so train_select
// gives its `eval` operand; train steps never contain one.
//
//===----------------------------------------------------------------------===//

#include "interp/KernelContext.h"

#include "ir/NNOps.h"

#include "mlir/IR/DialectRegistry.h"

#include <cstdint>

using namespace mlir;

namespace netc::interp {
namespace {

LogicalResult evalTrainSelect(nn::TrainSelectOp op, KernelContext &ctx) {
  ctx.set(op.getResult(), ctx.get(op.getEval()));
  return success();
}

LogicalResult evalIncrement(nn::IncrementOp op, KernelContext &ctx) {
  Tensor y = ctx.get(op.getInput());
  bool i32 = getElementTypeOrSelf(op.getType()).isInteger(32);
  auto amount = static_cast<uint64_t>(op.getAmount());
  for (int64_t &v : y.ints) {
    // Wraps modulo 2^bits, as compiled integer arithmetic does.
    uint64_t next = static_cast<uint64_t>(v) + amount;
    v = i32 ? static_cast<int64_t>(static_cast<int32_t>(static_cast<uint32_t>(next)))
            : static_cast<int64_t>(next);
  }
  ctx.set(op.getResult(), std::move(y));
  return success();
}

// The interpreter runs one process: the collective ops are their value there.
LogicalResult evalReplicaMean(nn::ReplicaMeanOp op, KernelContext &ctx) {
  ctx.set(op.getResult(), ctx.get(op.getInput()));
  return success();
}

LogicalResult evalReplicaCount(nn::ReplicaCountOp op, KernelContext &ctx) {
  Tensor one = ctx.zerosLike(op.getResult());
  one.floats[0] = 1.0;
  ctx.set(op.getResult(), std::move(one));
  return success();
}

} // namespace

void registerStatefulKernels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, nn::NNDialect *) {
    attachKernels<evalTrainSelect, evalIncrement, evalReplicaMean, evalReplicaCount>(context);
  });
}

} // namespace netc::interp
