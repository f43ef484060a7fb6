//===- Loss.cpp - losses and their gradients ------------------------------===//
//
// Mean reduction everywhere, in the forms PyTorch 1.13's CPU kernels use:
// logs clamped at -100 in bce, the max-shifted softplus in bce_logits, a
// max-shifted log-sum-exp in cross_entropy.
//
//===----------------------------------------------------------------------===//

#include "interp/KernelContext.h"

#include "ir/NNOps.h"
#include "ir/ShapeMath.h"

#include "mlir/IR/DialectRegistry.h"

#include <cmath>

using namespace mlir;

namespace netc::interp {
namespace {

//===----------------------------------------------------------------------===//
// Shared
//===----------------------------------------------------------------------===//

/// Sets the 0-d result of a loss.
LogicalResult setScalar(Operation *op, double value, KernelContext &ctx) {
  Tensor y = ctx.zerosLike(op->getResult(0));
  y.floats[0] = value;
  ctx.set(op->getResult(0), std::move(y));
  return success();
}

//===----------------------------------------------------------------------===//
// mse
//===----------------------------------------------------------------------===//

LogicalResult evalMse(nn::MseOp op, KernelContext &ctx) {
  const Tensor &a = ctx.get(op.getInput()), &b = ctx.get(op.getTarget());
  shape::ShapeResult joint = shape::broadcast(a.shape, b.shape);
  if (!joint)
    return op.emitError() << "mse: " << joint.message();
  const Shape &full = joint.shape();
  Shape sa = broadcastStrides(a.shape, full), sb = broadcastStrides(b.shape, full);
  double sum = 0;
  int64_t count = numElements(full);
  Value like = op.getResult();
  for (int64_t i = 0; i < count; ++i) {
    double d = ctx.rounded(
        a.floats[broadcastIndex(i, full, sa)] - b.floats[broadcastIndex(i, full, sb)], like);
    sum += ctx.rounded(d * d, like);
  }
  return setScalar(op, ctx.rounded(sum, like) / double(count), ctx);
}

//===----------------------------------------------------------------------===//
// bce
//===----------------------------------------------------------------------===//

/// PyTorch rejects input probabilities outside [0, 1] (NaN included); so
/// does the interpreter. Targets are not checked there: a NaN or infinite
/// target gives a NaN or infinite loss.
LogicalResult checkProbabilities(Operation *op, const Tensor &t) {
  for (int64_t i = 0; i < t.numel(); ++i)
    if (!(t.floats[i] >= 0 && t.floats[i] <= 1))
      return op->emitError() << "bce expects every element of its input in [0, 1], got "
                             << t.floats[i] << " at flat position " << i;
  return success();
}

LogicalResult evalBce(nn::BceOp op, KernelContext &ctx) {
  const Tensor &p = ctx.get(op.getInput()), &y = ctx.get(op.getTarget());
  if (failed(checkProbabilities(op, p)))
    return failure();
  double sum = 0;
  for (int64_t i = 0; i < p.numel(); ++i)
    sum += ctx.rounded((y.floats[i] - 1) * std::max(std::log1p(-p.floats[i]), -100.0) -
                           y.floats[i] * std::max(std::log(p.floats[i]), -100.0),
                       op.getResult());
  return setScalar(op, ctx.rounded(sum, op.getResult()) / double(p.numel()), ctx);
}

//===----------------------------------------------------------------------===//
// bce_logits
//===----------------------------------------------------------------------===//

LogicalResult evalBceLogits(nn::BceLogitsOp op, KernelContext &ctx) {
  const Tensor &z = ctx.get(op.getInput()), &y = ctx.get(op.getTarget());
  double sum = 0;
  for (int64_t i = 0; i < z.numel(); ++i) {
    // PyTorch 1.13's form, term for term, so that infinite logits give its
    // results: (1 - y) z + m + log(exp(-m) + exp(-z - m)), m = max(-z, 0).
    double v = z.floats[i], m = std::isnan(v) ? v : std::max(-v, 0.0);
    sum += ctx.rounded((1 - y.floats[i]) * v + m + std::log(std::exp(-m) + std::exp(-v - m)),
                       op.getResult());
  }
  return setScalar(op, ctx.rounded(sum, op.getResult()) / double(z.numel()), ctx);
}

//===----------------------------------------------------------------------===//
// Class layout
//===----------------------------------------------------------------------===//

/// The layout of cross_entropy's logits: `outer` samples, `classes` along
/// axis 1 (axis 0 when unbatched), `inner` positions after the class axis.
struct ClassLayout {
  int64_t outer, classes, inner;
  int64_t at(int64_t o, int64_t c, int64_t i) const { return (o * classes + c) * inner + i; }
};

ClassLayout classLayout(const Shape &logits) {
  if (logits.size() == 1)
    return {1, logits[0], 1};
  int64_t inner = 1;
  for (size_t i = 2; i < logits.size(); ++i)
    inner *= logits[i];
  return {logits[0], logits[1], inner};
}

/// Checks every target against the class count.
LogicalResult checkTargets(Operation *op, const Tensor &target, int64_t classes) {
  for (int64_t i = 0; i < target.numel(); ++i)
    if (target.ints[i] < 0 || target.ints[i] >= classes)
      return op->emitError() << "cross_entropy target " << target.ints[i] << " at flat position "
                             << i << " is out of range [0, " << classes << ")";
  return success();
}

/// The maximum of one sample's logits and log(sum_c exp(z_c - max)); a NaN
/// logit makes both NaN.
std::pair<double, double> shiftedLogSumExp(const Tensor &z, const ClassLayout &l, int64_t o,
                                           int64_t i) {
  double max = -INFINITY;
  for (int64_t c = 0; c < l.classes; ++c) {
    double v = z.floats[l.at(o, c, i)];
    max = std::isnan(v) || std::isnan(max) ? NAN : std::max(max, v);
  }
  double sum = 0;
  for (int64_t c = 0; c < l.classes; ++c)
    sum += std::exp(z.floats[l.at(o, c, i)] - max);
  return {max, std::log(sum)};
}

/// log(sum_c exp(z_c)) of one sample's logits, shifted by their maximum.
double logSumExp(const Tensor &z, const ClassLayout &l, int64_t o, int64_t i) {
  auto [max, logSum] = shiftedLogSumExp(z, l, o, i);
  return max + logSum;
}

//===----------------------------------------------------------------------===//
// cross_entropy
//===----------------------------------------------------------------------===//

LogicalResult evalCrossEntropy(nn::CrossEntropyOp op, KernelContext &ctx) {
  const Tensor &z = ctx.get(op.getInput()), &t = ctx.get(op.getTarget());
  ClassLayout l = classLayout(z.shape);
  if (failed(checkTargets(op, t, l.classes)))
    return failure();
  double sum = 0;
  Value like = op.getResult();
  for (int64_t o = 0; o < l.outer; ++o)
    for (int64_t i = 0; i < l.inner; ++i) {
      // -log_softmax(z)[target] = (max - z[target]) + log(sum), each rounded
      // as PyTorch's f32 kernels round it.
      auto [max, logSum] = shiftedLogSumExp(z, l, o, i);
      double shifted = ctx.rounded(max - z.floats[l.at(o, t.ints[o * l.inner + i], i)], like);
      sum += ctx.rounded(shifted + ctx.rounded(logSum, like), like);
    }
  return setScalar(op, ctx.rounded(sum, like) / double(l.outer * l.inner), ctx);
}

//===----------------------------------------------------------------------===//
// bce_backward
//===----------------------------------------------------------------------===//

LogicalResult evalBceBackward(nn::BceBackwardOp op, KernelContext &ctx) {
  const Tensor &g = ctx.get(op.getGrad()), &p = ctx.get(op.getInput()),
               &y = ctx.get(op.getTarget());
  Tensor gx = ctx.zerosLike(op.getResult());
  double scale = g.floats[0] / double(p.numel());
  for (int64_t i = 0; i < p.numel(); ++i) {
    double v = p.floats[i];
    gx.floats[i] = scale * (v - y.floats[i]) / std::max(v * (1 - v), 1e-12);
  }
  ctx.set(op.getResult(), std::move(gx));
  return success();
}

//===----------------------------------------------------------------------===//
// cross_entropy_backward
//===----------------------------------------------------------------------===//

LogicalResult evalCrossEntropyBackward(nn::CrossEntropyBackwardOp op, KernelContext &ctx) {
  const Tensor &g = ctx.get(op.getGrad()), &z = ctx.get(op.getInput()),
               &t = ctx.get(op.getTarget());
  ClassLayout l = classLayout(z.shape);
  if (failed(checkTargets(op, t, l.classes)))
    return failure();
  Tensor gz = ctx.zerosLike(op.getResult());
  double scale = g.floats[0] / double(l.outer * l.inner);
  for (int64_t o = 0; o < l.outer; ++o)
    for (int64_t i = 0; i < l.inner; ++i) {
      double lse = logSumExp(z, l, o, i);
      int64_t target = t.ints[o * l.inner + i];
      for (int64_t c = 0; c < l.classes; ++c) {
        double softmax = std::exp(z.floats[l.at(o, c, i)] - lse);
        gz.floats[l.at(o, c, i)] = scale * (softmax - (c == target ? 1.0 : 0.0));
      }
    }
  ctx.set(op.getResult(), std::move(gz));
  return success();
}

} // namespace

void registerLossKernels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, nn::NNDialect *) {
    attachKernels<evalMse, evalBce, evalBceLogits, evalCrossEntropy, evalBceBackward,
                  evalCrossEntropyBackward>(context);
  });
}

} // namespace netc::interp
