//===- GradientBuilder.cpp - building vector-Jacobian products ------------===//
//
// The vocabulary of the ops' gradient rules (the buildVJP methods in
// ir/Ops/), with PyTorch 1.13's formulas (torch/csrc/autograd/
// FunctionsManual.cpp and derivatives.yaml) so that netc's gradients match
// torch.autograd's.
//
// A null gradient (the result does not reach the loss) flows through the
// builder as null, so every rule then returns null gradients without a
// special case.
//
//===----------------------------------------------------------------------===//

#include "ir/GradientBuilder.h"
#include "ir/Build.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;
using namespace netc::nn;
using namespace netc::nn::detail;

ArrayRef<int64_t> netc::nn::detail::staticShape(Value v) {
  return cast<RankedTensorType>(v.getType()).getShape();
}

Value GradientBuilder::create(StringRef opName, ValueRange operands,
                              ArrayRef<NamedAttribute> attrs) {
  if (llvm::any_of(operands, [](Value v) { return !v; }))
    return nullptr;
  Value result = createInferred(builder, loc, opName, operands, attrs);
  if (!result)
    failed = true;
  return result;
}

Value GradientBuilder::scalar(Value like, double value) {
  if (!like)
    return nullptr;
  Type elementType = cast<TensorType>(like.getType()).getElementType();
  auto type = RankedTensorType::get({}, elementType);
  auto attr = DenseElementsAttr::get(type, builder.getFloatAttr(elementType, value));
  return builder.create<arith::ConstantOp>(loc, attr);
}

Value GradientBuilder::reshape(Value v, ArrayRef<int64_t> shape) {
  if (!v || staticShape(v) == shape)
    return v;
  return create<ReshapeOp>({v}, {i64Array("shape", shape)});
}

Value GradientBuilder::broadcastTo(Value v, ArrayRef<int64_t> shape) {
  if (!v || staticShape(v) == shape)
    return v;
  return create<BroadcastToOp>({v}, {i64Array("shape", shape)});
}

Value GradientBuilder::sumTo(Value v, Value like) {
  if (!v || staticShape(v) == staticShape(like))
    return v;
  return create<SumToOp>({v}, {i64Array("shape", staticShape(like))});
}

Value GradientBuilder::transposeLast(Value v) {
  return create<TransposeOp>({v}, {i64("dim0", -2), i64("dim1", -1)});
}

Value GradientBuilder::unreduce(Value grad, ArrayRef<int64_t> inputShape,
                                std::optional<ArrayRef<int64_t>> dims, bool keepdim, bool mean) {
  int64_t rank = static_cast<int64_t>(inputShape.size());
  // PyTorch 1.13 reads an empty dim list as all dims, like no list at all.
  bool all = !dims || dims->empty();
  SmallVector<bool> reduced(std::max<int64_t>(rank, 1), all);
  if (!all)
    for (int64_t d : *dims)
      reduced[d < 0 ? d + std::max<int64_t>(rank, 1) : d] = true;
  SmallVector<int64_t> kept(inputShape);
  int64_t count = 1;
  for (int64_t i = 0; i < rank; ++i)
    if (reduced[i]) {
      count *= inputShape[i];
      kept[i] = 1;
    }
  // mean_backward divides the expanded gradient by the count; dividing first
  // gives the same values with fewer divisions.
  if (mean)
    grad = div(grad, scalar(grad, static_cast<double>(count)));
  // Without keepdim the reduced axes are gone: restore them as 1 (a 0-d
  // gradient of a full reduction broadcasts as it is).
  if (!keepdim && !all)
    grad = reshape(grad, kept);
  return broadcastTo(grad, inputShape);
}
