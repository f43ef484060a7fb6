//===- NNGradients.cpp - vector-Jacobian products of elementwise ops ------===//
//
// Each op's gradient rule (GradientOpInterface::buildVJP): given the gradient
// `g` of its result, the gradients of its operands as nn ops, with PyTorch
// 1.13's formulas (torch/csrc/autograd/FunctionsManual.cpp and
// derivatives.yaml) so that netc's gradients match torch.autograd's. This
// file holds the GradientBuilder helpers and the rules of activations,
// elementwise arithmetic, softmax, reductions and losses; the layers and the
// shape ops are in NNGradientsLayers.cpp.
//
// A null `g` (the result does not reach the loss) flows through the builder
// as null, so every rule then returns null gradients without a special case.
//
//===----------------------------------------------------------------------===//

#include "ir/Build.h"
#include "ir/GradientBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;
using namespace netc::nn;
using namespace netc::nn::detail;

//===----------------------------------------------------------------------===//
// GradientBuilder
//===----------------------------------------------------------------------===//

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

//===----------------------------------------------------------------------===//
// Activations
//===----------------------------------------------------------------------===//

FailureOr<SmallVector<Value>> ReluOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  // threshold_backward: g where the input is positive, 0 elsewhere (and at 0).
  return gb.finish(
      {gb.create<LeakyReluBackwardOp>({resultGrads[0], getInput()}, {gb.f64("slope", 0.0)})});
}

FailureOr<SmallVector<Value>> LeakyReluOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  // leaky_relu_backward: g where x > 0, else slope * g (so slope * g at 0).
  return gb.finish({gb.create<LeakyReluBackwardOp>(
      {resultGrads[0], getInput()}, {gb.f64("slope", getSlope().convertToDouble())})});
}

FailureOr<SmallVector<Value>> SigmoidOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  // sigmoid_backward: g * (1 - y) * y.
  Value y = getResult();
  return gb.finish({gb.mul(gb.mul(resultGrads[0], gb.sub(gb.scalar(y, 1.0), y)), y)});
}

FailureOr<SmallVector<Value>> TanhOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  // tanh_backward: g * (1 - y * y).
  Value y = getResult();
  return gb.finish({gb.mul(resultGrads[0], gb.sub(gb.scalar(y, 1.0), gb.mul(y, y)))});
}

FailureOr<SmallVector<Value>> ExpOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  // g * exp(x), reusing the result.
  return gb.finish({gb.mul(resultGrads[0], getResult())});
}

FailureOr<SmallVector<Value>> LogOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  return gb.finish({gb.div(resultGrads[0], getInput())});
}

FailureOr<SmallVector<Value>> SqrtOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  // g / (2 * sqrt(x)), reusing the result.
  Value y = getResult();
  return gb.finish({gb.div(resultGrads[0], gb.mul(gb.scalar(y, 2.0), y))});
}

FailureOr<SmallVector<Value>> NegOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  return gb.finish({gb.neg(resultGrads[0])});
}

//===----------------------------------------------------------------------===//
// Elementwise arithmetic with broadcasting
//===----------------------------------------------------------------------===//

// Each operand's gradient is summed back over the axes it was broadcast along.

FailureOr<SmallVector<Value>> AddOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  Value g = resultGrads[0];
  return gb.finish({gb.sumTo(g, getLhs()), gb.sumTo(g, getRhs())});
}

FailureOr<SmallVector<Value>> SubOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  Value g = resultGrads[0];
  // Negation is exact, so negating after the sum gives PyTorch's values.
  return gb.finish({gb.sumTo(g, getLhs()), gb.neg(gb.sumTo(g, getRhs()))});
}

FailureOr<SmallVector<Value>> MulOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  Value g = resultGrads[0];
  return gb.finish(
      {gb.sumTo(gb.mul(g, getRhs()), getLhs()), gb.sumTo(gb.mul(g, getLhs()), getRhs())});
}

FailureOr<SmallVector<Value>> DivOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  Value g = resultGrads[0];
  // div_tensor_other_backward: -g * ((a / b) / b), with a / b the result.
  Value rhsGrad = gb.mul(gb.neg(g), gb.div(getResult(), getRhs()));
  return gb.finish({gb.sumTo(gb.div(g, getRhs()), getLhs()), gb.sumTo(rhsGrad, getRhs())});
}

//===----------------------------------------------------------------------===//
// Softmax
//===----------------------------------------------------------------------===//

FailureOr<SmallVector<Value>> SoftmaxOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  // _softmax_backward_data: y * (g - sum(g * y, dim, keepdim)).
  Value g = resultGrads[0], y = getResult();
  Value dot =
      gb.create<SumOp>({gb.mul(g, y)}, {gb.i64Array("dims", {static_cast<int64_t>(getDim())}),
                                        gb.boolean("keepdim", true)});
  return gb.finish({gb.mul(y, gb.sub(g, dot))});
}

FailureOr<SmallVector<Value>> LogSoftmaxOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  // _log_softmax_backward_data: g - exp(y) * sum(g, dim, keepdim).
  Value g = resultGrads[0];
  Value total = gb.create<SumOp>(
      {g}, {gb.i64Array("dims", {static_cast<int64_t>(getDim())}), gb.boolean("keepdim", true)});
  return gb.finish({gb.sub(g, gb.mul(gb.create<ExpOp>({getResult()}), total))});
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

FailureOr<SmallVector<Value>> SumOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  return gb.finish({gb.unreduce(resultGrads[0], staticShape(getInput()), getDims(), getKeepdim(),
                                /*mean=*/false)});
}

FailureOr<SmallVector<Value>> MeanOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  return gb.finish({gb.unreduce(resultGrads[0], staticShape(getInput()), getDims(), getKeepdim(),
                                /*mean=*/true)});
}

FailureOr<SmallVector<Value>> SqNormOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  // d/dx sum(x^2) = 2 x, times the 0-d g (broadcast).
  Value x = getInput();
  return gb.finish({gb.mul(gb.mul(gb.scalar(x, 2.0), x), resultGrads[0])});
}

//===----------------------------------------------------------------------===//
// Losses (mean reduction; g is the 0-d gradient of the loss)
//===----------------------------------------------------------------------===//

/// The number of elements of a statically shaped value.
static double numElements(Value v) {
  double n = 1;
  for (int64_t d : staticShape(v))
    n *= static_cast<double>(d);
  return n;
}

FailureOr<SmallVector<Value>> MseOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  // mse_loss_backward: (2 / numel) * (a - b) * g over the broadcast shape;
  // the target's gradient is its negation.
  Value diff = gb.sub(getInput(), getTarget());
  Value grad = gb.mul(gb.mul(diff, gb.scalar(diff, 2.0 / numElements(diff))), resultGrads[0]);
  return gb.finish({gb.sumTo(grad, getInput()), gb.neg(gb.sumTo(grad, getTarget()))});
}

FailureOr<SmallVector<Value>> BceOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  Value g = resultGrads[0], p = getInput();
  // The input's gradient in the clamped form has its own op. The target's is
  // binary_cross_entropy_target_backward: -logit(p) * g / numel.
  Value logit = gb.create<LogOp>({gb.div(p, gb.sub(gb.scalar(p, 1.0), p))});
  Value targetGrad = gb.div(gb.mul(gb.neg(logit), g), gb.scalar(p, numElements(p)));
  return gb.finish({gb.create<BceBackwardOp>({g, p, getTarget()}), targetGrad});
}

FailureOr<SmallVector<Value>> BceLogitsOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  // binary_cross_entropy_with_logits_backward: (sigmoid(z) - y) * g / numel;
  // the target's: -z * g / numel.
  Value g = resultGrads[0], z = getInput();
  Value count = gb.scalar(z, numElements(z));
  Value inputGrad = gb.div(gb.mul(gb.sub(gb.create<SigmoidOp>({z}), getTarget()), g), count);
  Value targetGrad = gb.div(gb.mul(gb.neg(z), g), count);
  return gb.finish({inputGrad, targetGrad});
}

FailureOr<SmallVector<Value>> CrossEntropyOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  // Class indices are not differentiable.
  return gb.finish(
      {gb.create<CrossEntropyBackwardOp>({resultGrads[0], getInput(), getTarget()}), Value()});
}
