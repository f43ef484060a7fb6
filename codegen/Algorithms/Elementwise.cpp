//===- Elementwise.cpp - activations, arithmetic, dropout -----------------===//
//
// Ops computed one element at a time. Binary ops broadcast with NumPy's
// rules: an operand's axis of size 1 facing a larger axis reads index 0.
//
//===----------------------------------------------------------------------===//

#include "codegen/Algorithms/Common.h"

using namespace mlir;
using namespace Halide;

namespace netc::codegen {

Expr broadcastAt(const LTensor &t, const std::vector<Var> &outVars, ArrayRef<int64_t> outShape) {
  int offset = static_cast<int>(outVars.size()) - t.rank();
  std::vector<Expr> indices;
  for (int i = 0; i < t.rank(); ++i)
    indices.push_back(t.shape()[i] == 1 && outShape[i + offset] != 1 ? Expr(0)
                                                                      : Expr(outVars[i + offset]));
  return t.at(indices);
}

Expr operandAt(FunctionLowering &fl, Operation *op, unsigned i, const std::vector<Var> &v) {
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  return broadcastAt(fl.get(op->getOperand(i)), v, type.getShape());
}

Expr flatIndex(const std::vector<Var> &vars, ArrayRef<int64_t> shape) {
  Expr index = Halide::cast<int64_t>(Expr(0));
  for (size_t i = 0; i < vars.size(); ++i)
    index = index * Expr(int64_t(shape[i])) + Halide::cast<int64_t>(vars[i]);
  return index;
}

Expr counterWord(Expr seed, Expr counter) {
  // A splitmix64 finaliser of the seed and the counter (runtime/SplitMix64.h).
  Expr z = Halide::cast<uint64_t>(seed) + Expr(uint64_t(0x9E3779B97F4A7C15ull)) *
                                              (Halide::cast<uint64_t>(counter) + Expr(uint64_t(1)));
  z = (z ^ (z >> 30)) * Expr(uint64_t(0xBF58476D1CE4E5B9ull));
  z = (z ^ (z >> 27)) * Expr(uint64_t(0x94D049BB133111EBull));
  return z ^ (z >> 31);
}

Expr dropoutKeep(Expr seed, Expr index, double p) {
  // The counter-based mask of runtime/DropoutMask.h: the top 24 bits of the
  // element's word against p.
  Expr bits = Halide::cast<uint32_t>(counterWord(seed, index) >> 40);
  return bits >= Expr(static_cast<uint32_t>(p * 16777216.0));
}

namespace {

/// `c` in the element type of `op`'s result.
Expr constant(Operation *op, double c) {
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  return make_const(FunctionLowering::halideType(type.getElementType()), c);
}

/// The first operand of a unary op at `v`.
Expr operand(FunctionLowering &fl, Operation *op, const std::vector<Var> &v) {
  return operandAt(fl, op, 0, v);
}

//===--- relu ---===//

Expr relu(FunctionLowering &fl, nn::ReluOp op, const std::vector<Var> &v) {
  return reluOf(operand(fl, op, v));
}

//===--- sigmoid ---===//

Expr sigmoid(FunctionLowering &fl, nn::SigmoidOp op, const std::vector<Var> &v) {
  return constant(op, 1) / (constant(op, 1) + exactExp(-operand(fl, op, v)));
}

//===--- tanh ---===//

Expr tanhOf(FunctionLowering &fl, nn::TanhOp op, const std::vector<Var> &v) {
  return tanh(operand(fl, op, v));
}

//===--- exp ---===//

Expr expOf(FunctionLowering &fl, nn::ExpOp op, const std::vector<Var> &v) {
  return exactExp(operand(fl, op, v));
}

//===--- log ---===//

Expr logValue(FunctionLowering &fl, nn::LogOp op, const std::vector<Var> &v) {
  return exactLog(operand(fl, op, v));
}

//===--- sqrt ---===//

Expr sqrtOf(FunctionLowering &fl, nn::SqrtOp op, const std::vector<Var> &v) {
  return sqrt(operand(fl, op, v));
}

//===--- neg ---===//

Expr neg(FunctionLowering &fl, nn::NegOp op, const std::vector<Var> &v) {
  return -operand(fl, op, v);
}

//===--- leaky_relu ---===//

Expr leakyRelu(FunctionLowering &fl, nn::LeakyReluOp op, const std::vector<Var> &v) {
  Expr x = operand(fl, op, v);
  return select(x > constant(op, 0), x, constant(op, op.getSlope().convertToDouble()) * x);
}

//===--- add, sub, mul, div ---===//

Expr add(FunctionLowering &fl, nn::AddOp op, const std::vector<Var> &v) {
  return operandAt(fl, op, 0, v) + operandAt(fl, op, 1, v);
}

Expr sub(FunctionLowering &fl, nn::SubOp op, const std::vector<Var> &v) {
  return operandAt(fl, op, 0, v) - operandAt(fl, op, 1, v);
}

Expr mul(FunctionLowering &fl, nn::MulOp op, const std::vector<Var> &v) {
  return operandAt(fl, op, 0, v) * operandAt(fl, op, 1, v);
}

Expr div(FunctionLowering &fl, nn::DivOp op, const std::vector<Var> &v) {
  return operandAt(fl, op, 0, v) / operandAt(fl, op, 1, v);
}

//===--- dropout ---===//

Expr dropout(FunctionLowering &fl, nn::DropoutOp op, const std::vector<Var> &v) {
  double p = op.getP().convertToDouble();
  Expr x = operand(fl, op, v);
  if (!op.getSeed() || p == 0.0)
    return x;
  // x times the mask's scale or 0, as PyTorch multiplies: a dropped NaN or
  // inf gives NaN, not 0.
  auto type = cast<RankedTensorType>(op.getType());
  return x * select(dropoutKeep(fl.scalar(op.getSeed()), flatIndex(v, type.getShape()), p),
                    constant(op, 1.0 / (1.0 - p)), constant(op, 0));
}

//===--- leaky_relu_backward ---===//

Expr leakyReluBackward(FunctionLowering &fl, nn::LeakyReluBackwardOp op,
                       const std::vector<Var> &v) {
  // relu's gradient (slope 0) is PyTorch's threshold_backward, which passes
  // the gradient at a NaN input; leaky_relu's scales it by the slope.
  double slope = op.getSlope().convertToDouble();
  Expr grad = operandAt(fl, op, 0, v), x = operandAt(fl, op, 1, v);
  Expr pass = slope == 0.0 ? (x > constant(op, 0) || isNaNBits(x)) : x > constant(op, 0);
  return select(pass, grad, constant(op, slope) * grad);
}

//===--- gelu ---===//

/// Phi(x), the standard normal distribution function, through an erf that
/// stays in vectors (a libm call per element cost a transformer's MLP more
/// than its matrix products).
Expr normalCdf(Expr x) {
  Halide::Type t = x.type();
  return make_const(t, 0.5) *
         (make_const(t, 1.0) + vectorErf(x * make_const(t, 0.70710678118654752440)));
}

Expr gelu(FunctionLowering &fl, nn::GeluOp op, const std::vector<Var> &v) {
  // x * Phi(x): gelu(-inf) is -inf * 0 = NaN and gelu(inf) is inf, as in PyTorch.
  Expr x = operand(fl, op, v);
  return x * normalCdf(x);
}

//===--- silu ---===//

Expr silu(FunctionLowering &fl, nn::SiluOp op, const std::vector<Var> &v) {
  // x / (1 + exp(-x)) as PyTorch computes it: silu(-inf) is -inf / inf = NaN.
  Expr x = operand(fl, op, v);
  return x / (constant(op, 1.0) + exactExp(-x));
}

//===--- gelu_backward ---===//

Expr geluBackward(FunctionLowering &fl, nn::GeluBackwardOp op, const std::vector<Var> &v) {
  // PyTorch's gelu_backward: grad * (cdf + x * pdf); exactExp keeps pdf(+-inf)
  // = 0, so the result there is NaN (inf * 0) as in PyTorch.
  Expr grad = operandAt(fl, op, 0, v), x = operandAt(fl, op, 1, v);
  Expr pdf = exactExp(constant(op, -0.5) * x * x) * constant(op, 0.39894228040143267794);
  return grad * (normalCdf(x) + x * pdf);
}

/// Attaches `Value` to `Op` as an elementwise algorithm.
template <typename Op, PureValue<Op> Value> void attach(MLIRContext &context) {
  attachAlgorithm<Op, definePure<OpFamily::Elementwise, Op, Value>>(context);
}

} // namespace

void registerElementwiseAlgorithms(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, nn::NNDialect *) {
    attach<nn::ReluOp, relu>(*context);
    attach<nn::SigmoidOp, sigmoid>(*context);
    attach<nn::TanhOp, tanhOf>(*context);
    attach<nn::ExpOp, expOf>(*context);
    attach<nn::LogOp, logValue>(*context);
    attach<nn::SqrtOp, sqrtOf>(*context);
    attach<nn::NegOp, neg>(*context);
    attach<nn::LeakyReluOp, leakyRelu>(*context);
    attach<nn::AddOp, add>(*context);
    attach<nn::SubOp, sub>(*context);
    attach<nn::MulOp, mul>(*context);
    attach<nn::DivOp, div>(*context);
    attach<nn::DropoutOp, dropout>(*context);
    attach<nn::LeakyReluBackwardOp, leakyReluBackward>(*context);
    attach<nn::GeluOp, gelu>(*context);
    attach<nn::SiluOp, silu>(*context);
    attach<nn::GeluBackwardOp, geluBackward>(*context);
  });
}

} // namespace netc::codegen
