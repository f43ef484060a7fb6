//===- Math.cpp - abs, pow, erf, sin, cos, maximum, where, cast -----------===//
//
// Elementwise math in double (the kernel context rounds f32 results), with
// the broadcasting helper mapElements that these kernels and the
// activations' share. NaN follows PyTorch: maximum and minimum propagate it,
// where counts it as true.
//
//===----------------------------------------------------------------------===//

#include "interp/KernelContext.h"

#include "ir/NNOps.h"

#include "mlir/IR/DialectRegistry.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace mlir;

namespace netc::interp {

LogicalResult mapElements(Operation *op, KernelContext &ctx,
                          const std::function<double(ArrayRef<double>)> &fn) {
  Tensor y = ctx.zerosLike(op->getResult(0));
  SmallVector<const Tensor *> operands;
  SmallVector<Shape> strides;
  for (Value v : op->getOperands()) {
    operands.push_back(&ctx.get(v));
    strides.push_back(broadcastStrides(operands.back()->shape, y.shape));
  }
  SmallVector<double> values(operands.size());
  for (int64_t i = 0; i < y.numel(); ++i) {
    for (size_t k = 0; k < operands.size(); ++k)
      values[k] = operands[k]->get(broadcastIndex(i, y.shape, strides[k]));
    y.floats[i] = fn(values);
  }
  ctx.set(op->getResult(0), std::move(y));
  return success();
}

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

/// A kernel applying `fn` to the single operand's elements.
template <typename OpT, double (*Fn)(double)> LogicalResult evalUnary(OpT op, KernelContext &ctx) {
  return mapElements(op, ctx, [](ArrayRef<double> v) { return Fn(v[0]); });
}

double absOf(double x) { return std::fabs(x); }
double signOf(double x) { return x > 0 ? 1.0 : x < 0 ? -1.0 : 0.0; }
double erfOf(double x) { return std::erf(x); }
double sinOf(double x) { return std::sin(x); }
double cosOf(double x) { return std::cos(x); }
double identity(double x) { return x; }

//===--- pow ---===//

LogicalResult evalPow(nn::PowOp op, KernelContext &ctx) {
  double e = op.getExponent().convertToDouble();
  return mapElements(op, ctx, [e](ArrayRef<double> v) {
    // PyTorch takes square roots for +-0.5 (sqrt(-inf) is NaN, pow's inf).
    if (e == 0.5)
      return std::sqrt(v[0]);
    if (e == -0.5)
      return 1.0 / std::sqrt(v[0]);
    return std::pow(v[0], e);
  });
}

//===--- maximum, minimum and their gradient ---===//

LogicalResult evalMaximum(nn::MaximumOp op, KernelContext &ctx) {
  return mapElements(op, ctx, [](ArrayRef<double> v) {
    return std::isnan(v[0]) || std::isnan(v[1]) ? kNaN : std::max(v[0], v[1]);
  });
}

LogicalResult evalMinimum(nn::MinimumOp op, KernelContext &ctx) {
  return mapElements(op, ctx, [](ArrayRef<double> v) {
    return std::isnan(v[0]) || std::isnan(v[1]) ? kNaN : std::min(v[0], v[1]);
  });
}

LogicalResult evalMinMaxBackward(nn::MinMaxBackwardOp op, KernelContext &ctx) {
  bool maximum = op.getMaximum();
  return mapElements(op, ctx, [maximum](ArrayRef<double> v) {
    double grad = v[0], self = v[1], other = v[2];
    // PyTorch: where(self == other, grad / 2, grad), zeroed where other
    // wins; with a NaN no comparison holds and grad passes.
    if (self == other)
      return grad / 2;
    bool otherWins = maximum ? self < other : self > other;
    return otherWins ? 0.0 : grad;
  });
}

//===--- where, detach, cast ---===//

LogicalResult evalWhere(nn::WhereOp op, KernelContext &ctx) {
  // Nonzero is true; NaN != 0 holds, as PyTorch's conversion to bool.
  return mapElements(op, ctx, [](ArrayRef<double> v) { return v[0] != 0 ? v[1] : v[2]; });
}

LogicalResult evalCast(nn::CastOp op, KernelContext &ctx) {
  ctx.set(op.getResult(), ctx.get(op.getInput()).convertedTo(ctx.zerosLike(op.getResult()).type));
  return success();
}

} // namespace

void registerMathKernels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, nn::NNDialect *) {
    attachKernels<evalUnary<nn::AbsOp, absOf>, evalUnary<nn::SignOp, signOf>,
                  evalUnary<nn::ErfOp, erfOf>, evalUnary<nn::SinOp, sinOf>,
                  evalUnary<nn::CosOp, cosOf>, evalUnary<nn::DetachOp, identity>, evalPow,
                  evalMaximum, evalMinimum, evalMinMaxBackward, evalWhere, evalCast>(context);
  });
}

} // namespace netc::interp
