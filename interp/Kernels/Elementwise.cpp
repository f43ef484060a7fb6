//===- Elementwise.cpp - activations, arithmetic and dropout --------------===//
//
// Elementwise ops compute in double; the kernel context rounds f32 results.
// Binary ops broadcast with NumPy rules through broadcastStrides. Dropout
// draws its mask with runtime/DropoutMask.h, the rule compiled code shares.
//
//===----------------------------------------------------------------------===//

#include "interp/KernelContext.h"

#include "ir/NNOps.h"
#include "runtime/DropoutMask.h"

#include "mlir/IR/DialectRegistry.h"

#include <cmath>
#include <functional>

using namespace mlir;

namespace netc::interp {
namespace {

//===----------------------------------------------------------------------===//
// Shared
//===----------------------------------------------------------------------===//

/// Applies `fn` to every element of the op's single operand.
LogicalResult unary(Operation *op, KernelContext &ctx, const std::function<double(double)> &fn) {
  Tensor y = ctx.get(op->getOperand(0));
  for (double &v : y.floats)
    v = fn(v);
  ctx.set(op->getResult(0), std::move(y));
  return success();
}

/// Applies `fn` elementwise to the op's two operands, broadcast to the
/// result's shape.
LogicalResult binary(Operation *op, KernelContext &ctx,
                     const std::function<double(double, double)> &fn) {
  const Tensor &a = ctx.get(op->getOperand(0)), &b = ctx.get(op->getOperand(1));
  Tensor y = ctx.zerosLike(op->getResult(0));
  Shape sa = broadcastStrides(a.shape, y.shape), sb = broadcastStrides(b.shape, y.shape);
  for (int64_t i = 0; i < y.numel(); ++i)
    y.floats[i] =
        fn(a.floats[broadcastIndex(i, y.shape, sa)], b.floats[broadcastIndex(i, y.shape, sb)]);
  ctx.set(op->getResult(0), std::move(y));
  return success();
}

//===----------------------------------------------------------------------===//
// relu
//===----------------------------------------------------------------------===//

LogicalResult evalRelu(nn::ReluOp op, KernelContext &ctx) {
  // NaN passes through, as PyTorch propagates it.
  return unary(op, ctx, [](double x) { return std::isnan(x) || x > 0 ? x : 0.0; });
}

//===----------------------------------------------------------------------===//
// sigmoid
//===----------------------------------------------------------------------===//

LogicalResult evalSigmoid(nn::SigmoidOp op, KernelContext &ctx) {
  return unary(op, ctx, [](double x) { return 1.0 / (1.0 + std::exp(-x)); });
}

//===----------------------------------------------------------------------===//
// tanh
//===----------------------------------------------------------------------===//

LogicalResult evalTanh(nn::TanhOp op, KernelContext &ctx) {
  return unary(op, ctx, [](double x) { return std::tanh(x); });
}

//===----------------------------------------------------------------------===//
// exp
//===----------------------------------------------------------------------===//

LogicalResult evalExp(nn::ExpOp op, KernelContext &ctx) {
  return unary(op, ctx, [](double x) { return std::exp(x); });
}

//===----------------------------------------------------------------------===//
// log
//===----------------------------------------------------------------------===//

LogicalResult evalLog(nn::LogOp op, KernelContext &ctx) {
  return unary(op, ctx, [](double x) { return std::log(x); });
}

//===----------------------------------------------------------------------===//
// sqrt
//===----------------------------------------------------------------------===//

LogicalResult evalSqrt(nn::SqrtOp op, KernelContext &ctx) {
  return unary(op, ctx, [](double x) { return std::sqrt(x); });
}

//===----------------------------------------------------------------------===//
// neg
//===----------------------------------------------------------------------===//

LogicalResult evalNeg(nn::NegOp op, KernelContext &ctx) {
  return unary(op, ctx, [](double x) { return -x; });
}

//===----------------------------------------------------------------------===//
// leaky_relu
//===----------------------------------------------------------------------===//

LogicalResult evalLeakyRelu(nn::LeakyReluOp op, KernelContext &ctx) {
  double slope = op.getSlope().convertToDouble();
  return unary(op, ctx, [slope](double x) { return x > 0 ? x : x * slope; });
}

//===----------------------------------------------------------------------===//
// leaky_relu_backward
//===----------------------------------------------------------------------===//

LogicalResult evalLeakyReluBackward(nn::LeakyReluBackwardOp op, KernelContext &ctx) {
  const Tensor &grad = ctx.get(op.getGrad()), &x = ctx.get(op.getInput());
  Tensor gx = ctx.zerosLike(op.getResult());
  double slope = op.getSlope().convertToDouble();
  // relu's gradient (slope 0) is PyTorch's threshold_backward, which passes
  // the gradient at a NaN input; leaky_relu's scales it by the slope there.
  for (int64_t i = 0; i < gx.numel(); ++i) {
    double v = x.floats[i];
    bool pass = v > 0 || (slope == 0.0 && std::isnan(v));
    gx.floats[i] = pass ? grad.floats[i] : slope * grad.floats[i];
  }
  ctx.set(op.getResult(), std::move(gx));
  return success();
}

//===----------------------------------------------------------------------===//
// add
//===----------------------------------------------------------------------===//

LogicalResult evalAdd(nn::AddOp op, KernelContext &ctx) {
  return binary(op, ctx, std::plus<double>());
}

//===----------------------------------------------------------------------===//
// sub
//===----------------------------------------------------------------------===//

LogicalResult evalSub(nn::SubOp op, KernelContext &ctx) {
  return binary(op, ctx, std::minus<double>());
}

//===----------------------------------------------------------------------===//
// mul
//===----------------------------------------------------------------------===//

LogicalResult evalMul(nn::MulOp op, KernelContext &ctx) {
  return binary(op, ctx, std::multiplies<double>());
}

//===----------------------------------------------------------------------===//
// div
//===----------------------------------------------------------------------===//

LogicalResult evalDiv(nn::DivOp op, KernelContext &ctx) {
  return binary(op, ctx, std::divides<double>());
}

//===----------------------------------------------------------------------===//
// dropout
//===----------------------------------------------------------------------===//

LogicalResult evalDropout(nn::DropoutOp op, KernelContext &ctx) {
  Tensor y = ctx.get(op.getInput());
  if (op.getSeed()) {
    auto seed = static_cast<uint64_t>(ctx.get(op.getSeed()).ints[0]);
    double p = op.getP().convertToDouble();
    double scale = runtime::dropoutScale(p);
    for (int64_t i = 0; i < y.numel(); ++i)
      // A product with the mask, as PyTorch's: a dropped NaN or inf is NaN.
      y.floats[i] *= runtime::keep(seed, static_cast<uint64_t>(i), p) ? scale : 0.0;
  }
  ctx.set(op.getResult(), std::move(y));
  return success();
}

//===----------------------------------------------------------------------===//
// gelu, silu and gelu_backward
//===----------------------------------------------------------------------===//

/// The standard normal distribution function.
double normalCdf(double x) { return 0.5 * (1.0 + std::erf(x * M_SQRT1_2)); }

LogicalResult evalGelu(nn::GeluOp op, KernelContext &ctx) {
  return unary(op, ctx, [](double x) { return x * normalCdf(x); });
}

LogicalResult evalSilu(nn::SiluOp op, KernelContext &ctx) {
  return unary(op, ctx, [](double x) { return x / (1.0 + std::exp(-x)); });
}

LogicalResult evalGeluBackward(nn::GeluBackwardOp op, KernelContext &ctx) {
  // gelu'(x) = Phi(x) + x * phi(x); at +-inf that is NaN (inf * 0), as in PyTorch.
  const double invSqrt2Pi = 0.39894228040143267794;
  return binary(op, ctx, [invSqrt2Pi](double grad, double x) {
    return grad * (normalCdf(x) + x * std::exp(-0.5 * x * x) * invSqrt2Pi);
  });
}

} // namespace

void registerElementwiseKernels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, nn::NNDialect *) {
    attachKernels<evalRelu, evalSigmoid, evalTanh, evalExp, evalLog, evalSqrt, evalNeg,
                  evalLeakyRelu, evalLeakyReluBackward, evalAdd, evalSub, evalMul, evalDiv,
                  evalDropout, evalGelu, evalSilu, evalGeluBackward>(context);
  });
}

} // namespace netc::interp
