//===- OpCost.cpp - the conventions of the ops' costs ---------------------===//
//
// The arithmetic shared by the ops' getCost methods; OpCost.h states what they
// count.
//
//===----------------------------------------------------------------------===//

#include "ir/OpCost.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>

using namespace mlir;

namespace netc::nn {

int64_t cost::mul(int64_t a, int64_t b) {
  int64_t r;
  return llvm::MulOverflow(a, b, r) ? INT64_MAX : r;
}

int64_t cost::add(int64_t a, int64_t b) {
  int64_t r;
  return llvm::AddOverflow(a, b, r) ? INT64_MAX : r;
}

int64_t cost::elements(Value v) {
  // MLIR's getNumElements wraps: count with saturation instead.
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || !type.hasStaticShape())
    return 0;
  int64_t n = 1;
  for (int64_t d : type.getShape())
    n = mul(n, d);
  return n;
}

OpCost cost::perElement(int64_t n, int64_t flops, SmallVector<Value> kept) {
  OpCost c;
  c.forwardFlops = mul(n, flops);
  c.backwardFlops = mul(2, c.forwardFlops);
  c.kept = std::move(kept);
  return c;
}

OpCost cost::perResultElement(Operation *op, int64_t flops) {
  return perElement(op->getNumResults() ? elements(op->getResult(0)) : 0, flops);
}

OpCost cost::contraction(int64_t out, int64_t k, Value a, Value b, Value bias,
                         llvm::function_ref<bool(Value)> needsGradient) {
  OpCost c;
  int64_t macs = mul(2, mul(out, k));
  c.forwardFlops = bias ? add(macs, out) : macs;
  if (needsGradient(a)) {
    c.backwardFlops = add(c.backwardFlops, macs);
    c.kept.push_back(b);
  }
  if (needsGradient(b)) {
    c.backwardFlops = add(c.backwardFlops, macs);
    c.kept.push_back(a);
  }
  if (bias && needsGradient(bias))
    c.backwardFlops = add(c.backwardFlops, out);
  return c;
}

int64_t cost::windowSize(ArrayRef<int64_t> kernel) {
  int64_t k = 1;
  for (int64_t d : kernel)
    k = mul(k, d);
  return k;
}

int64_t cost::largestOperand(Operation *op) {
  int64_t n = 0;
  for (Value v : op->getOperands())
    n = std::max(n, elements(v));
  return n;
}

} // namespace netc::nn
