//===- Loss.cpp - losses and their gradients ------------------------------===//
//
// Mean reduction everywhere, in the forms PyTorch 1.13's CPU kernels use:
// logs clamped at -100 in bce, the max-shifted softplus in bce_logits, a
// max-shifted log-sum-exp in cross_entropy; nll_loss with PyTorch's
// ignore_index and label smoothing; kl_div's pointwise term; the metrics.
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

/// Checks every target but `ignore` against the class count.
LogicalResult checkTargets(Operation *op, const Tensor &target, int64_t classes,
                           std::optional<int64_t> ignore = std::nullopt,
                           StringRef name = "cross_entropy") {
  for (int64_t i = 0; i < target.numel(); ++i)
    if ((target.ints[i] < 0 || target.ints[i] >= classes) && target.ints[i] != ignore)
      return op->emitError() << name << " target " << target.ints[i] << " at flat position " << i
                             << " is out of range [0, " << classes << ")";
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

//===----------------------------------------------------------------------===//
// nll_loss
//===----------------------------------------------------------------------===//

/// Calls `fn(layout, o, i, target)` at every target of an nll_loss or its
/// gradient that is not ignore_index; returns their count, or fails on a
/// target out of range.
template <typename Op, typename Fn>
FailureOr<int64_t> forEachKept(Op op, KernelContext &ctx, Fn fn) {
  const Tensor &t = ctx.get(op.getTarget());
  ClassLayout l = classLayout(ctx.get(op.getInput()).shape);
  std::optional<int64_t> ignore = op.getIgnoreIndex();
  if (failed(checkTargets(op, t, l.classes, ignore, op->getName().stripDialect())))
    return failure();
  int64_t count = 0;
  for (int64_t o = 0; o < l.outer; ++o)
    for (int64_t i = 0; i < l.inner; ++i) {
      int64_t target = t.ints[o * l.inner + i];
      if (target == ignore)
        continue;
      ++count;
      fn(l, o, i, target);
    }
  return count;
}

LogicalResult evalNllLoss(nn::NllLossOp op, KernelContext &ctx) {
  const Tensor &x = ctx.get(op.getInput());
  double eps = op.getLabelSmoothing().convertToDouble(), sum = 0;
  Value like = op.getResult();
  FailureOr<int64_t> count =
      forEachKept(op, ctx, [&](const ClassLayout &l, int64_t o, int64_t i, int64_t target) {
        double term = -x.floats[l.at(o, target, i)];
        if (eps != 0.0) {
          double classSum = 0;
          for (int64_t c = 0; c < l.classes; ++c)
            classSum += x.floats[l.at(o, c, i)];
          term = (1 - eps) * term - eps / double(l.classes) * ctx.rounded(classSum, like);
        }
        sum += ctx.rounded(term, like);
      });
  if (failed(count))
    return failure();
  // All ignored: 0/0, NaN, as PyTorch.
  return setScalar(op, ctx.rounded(sum, like) / double(*count), ctx);
}

LogicalResult evalNllLossBackward(nn::NllLossBackwardOp op, KernelContext &ctx) {
  double eps = op.getLabelSmoothing().convertToDouble();
  Tensor gx = ctx.zerosLike(op.getResult());
  // The weights first; the scale -g / count once the count is known.
  FailureOr<int64_t> count =
      forEachKept(op, ctx, [&](const ClassLayout &l, int64_t o, int64_t i, int64_t target) {
        for (int64_t c = 0; c < l.classes; ++c)
          gx.floats[l.at(o, c, i)] = (c == target ? 1 - eps : 0.0) + eps / double(l.classes);
      });
  if (failed(count))
    return failure();
  // With every target ignored the gradient stays 0, as PyTorch's.
  double scale = *count ? -ctx.get(op.getGrad()).floats[0] / double(*count) : 0.0;
  for (int64_t k = 0; k < gx.numel(); ++k)
    gx.floats[k] *= scale;
  ctx.set(op.getResult(), std::move(gx));
  return success();
}

//===----------------------------------------------------------------------===//
// kl_div
//===----------------------------------------------------------------------===//

LogicalResult evalKlDiv(nn::KlDivOp op, KernelContext &ctx) {
  const Tensor &x = ctx.get(op.getInput()), &t = ctx.get(op.getTarget());
  Tensor y = ctx.zerosLike(op.getResult());
  Shape sx = broadcastStrides(x.shape, y.shape), st = broadcastStrides(t.shape, y.shape);
  bool logTarget = op.getLogTarget();
  for (int64_t i = 0; i < y.numel(); ++i) {
    double v = x.floats[broadcastIndex(i, y.shape, sx)];
    double q = t.floats[broadcastIndex(i, y.shape, st)];
    // xlogy(q, q) is 0 at q = 0 (NaN at a NaN q).
    y.floats[i] = logTarget ? std::exp(q) * (q - v) : (q == 0 ? 0.0 : q * std::log(q)) - q * v;
  }
  ctx.set(op.getResult(), std::move(y));
  return success();
}

//===----------------------------------------------------------------------===//
// iou, dice, accuracy
//===----------------------------------------------------------------------===//

/// The metric of thresholded masks: iou, or dice when not `iou`; 1 for two
/// empty masks.
LogicalResult evalMaskMetric(Operation *op, KernelContext &ctx, bool iou) {
  const Tensor &p = ctx.get(op->getOperand(0)), &t = ctx.get(op->getOperand(1));
  int64_t both = 0, sizes = 0;
  for (int64_t i = 0; i < p.numel(); ++i) {
    bool inP = p.floats[i] > 0.5, inT = t.floats[i] > 0.5;
    both += inP && inT;
    sizes += int64_t(inP) + int64_t(inT);
  }
  double numerator = iou ? double(both) : 2.0 * double(both);
  double denominator = iou ? double(sizes - both) : double(sizes);
  return setScalar(op, denominator == 0 ? 1.0 : numerator / denominator, ctx);
}

LogicalResult evalIou(nn::IouOp op, KernelContext &ctx) { return evalMaskMetric(op, ctx, true); }
LogicalResult evalDice(nn::DiceOp op, KernelContext &ctx) { return evalMaskMetric(op, ctx, false); }

LogicalResult evalAccuracy(nn::AccuracyOp op, KernelContext &ctx) {
  const Tensor &x = ctx.get(op.getInput()), &t = ctx.get(op.getTarget());
  ClassLayout l = classLayout(x.shape);
  int64_t correct = 0;
  for (int64_t o = 0; o < l.outer; ++o)
    for (int64_t i = 0; i < l.inner; ++i) {
      // The first maximum, a NaN counting as the largest (torch.argmax).
      int64_t best = 0;
      for (int64_t c = 1; c < l.classes; ++c) {
        double v = x.floats[l.at(o, c, i)], b = x.floats[l.at(o, best, i)];
        if (!std::isnan(b) && (std::isnan(v) || v > b))
          best = c;
      }
      correct += t.ints[o * l.inner + i] == best;
    }
  return setScalar(op, double(correct) / double(l.outer * l.inner), ctx);
}

} // namespace

void registerLossKernels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, nn::NNDialect *) {
    attachKernels<evalMse, evalBce, evalBceLogits, evalCrossEntropy, evalBceBackward,
                  evalCrossEntropyBackward, evalNllLoss, evalNllLossBackward, evalKlDiv, evalIou,
                  evalDice, evalAccuracy>(context);
  });
}

} // namespace netc::interp
