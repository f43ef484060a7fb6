//===- Elementwise.cpp - activations, arithmetic, dropout, softmax --------===//
//
// Elementwise ops compute in double; the evaluator rounds f32 results. Binary
// ops broadcast with NumPy rules through broadcastStrides. Dropout draws its
// mask with runtime/DropoutMask.h, the rule compiled code shares.
//
//===----------------------------------------------------------------------===//

#include "interp/Kernels.h"

#include "ir/NNOps.h"
#include "runtime/DropoutMask.h"

#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <functional>

using namespace mlir;

namespace netc::interp {
namespace {

/// Applies `fn` to every element of the op's single operand.
LogicalResult unary(Operation *op, Evaluator &ev, const std::function<double(double)> &fn) {
  Tensor y = ev.get(op->getOperand(0));
  for (double &v : y.floats)
    v = fn(v);
  ev.set(op->getResult(0), std::move(y));
  return success();
}

/// Applies `fn` elementwise to the op's two operands, broadcast to the
/// result's shape.
LogicalResult binary(Operation *op, Evaluator &ev,
                     const std::function<double(double, double)> &fn) {
  const Tensor &a = ev.get(op->getOperand(0)), &b = ev.get(op->getOperand(1));
  Tensor y = ev.zerosLike(op->getResult(0));
  Shape sa = broadcastStrides(a.shape, y.shape), sb = broadcastStrides(b.shape, y.shape);
  for (int64_t i = 0; i < y.numel(); ++i)
    y.floats[i] =
        fn(a.floats[broadcastIndex(i, y.shape, sa)], b.floats[broadcastIndex(i, y.shape, sb)]);
  ev.set(op->getResult(0), std::move(y));
  return success();
}

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

/// Whether `x` counts as positive for relu-like ops; NaN passes through
/// as PyTorch propagates it.
double relu(double x) { return std::isnan(x) || x > 0 ? x : 0.0; }

LogicalResult evalLeakyReluBackward(nn::LeakyReluBackwardOp op, Evaluator &ev) {
  const Tensor &grad = ev.get(op.getGrad()), &x = ev.get(op.getInput());
  Tensor gx = ev.zerosLike(op.getResult());
  double slope = op.getSlope().convertToDouble();
  // relu's gradient (slope 0) is PyTorch's threshold_backward, which passes
  // the gradient at a NaN input; leaky_relu's scales it by the slope there.
  for (int64_t i = 0; i < gx.numel(); ++i) {
    double v = x.floats[i];
    bool pass = v > 0 || (slope == 0.0 && std::isnan(v));
    gx.floats[i] = pass ? grad.floats[i] : slope * grad.floats[i];
  }
  ev.set(op.getResult(), std::move(gx));
  return success();
}

LogicalResult evalDropout(nn::DropoutOp op, Evaluator &ev) {
  Tensor y = ev.get(op.getInput());
  if (op.getSeed()) {
    auto seed = static_cast<uint64_t>(ev.get(op.getSeed()).ints[0]);
    double p = op.getP().convertToDouble();
    double scale = runtime::dropoutScale(p);
    for (int64_t i = 0; i < y.numel(); ++i)
      // A product with the mask, as PyTorch's: a dropped NaN or inf is NaN.
      y.floats[i] *= runtime::keep(seed, static_cast<uint64_t>(i), p) ? scale : 0.0;
  }
  ev.set(op.getResult(), std::move(y));
  return success();
}

/// Calls fn(base, stride, length) for every line of `shape` along `axis`:
/// the elements base + k * stride for k < length.
template <typename Fn> void forEachLine(const Shape &shape, int64_t axis, Fn fn) {
  int64_t length = shape.empty() ? 1 : shape[axis];
  int64_t inner = 1;
  for (size_t i = axis + 1; i < shape.size(); ++i)
    inner *= shape[i];
  int64_t outer = numElements(shape) / (length * inner);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i)
      fn(o * length * inner + i, inner, length);
}

/// softmax or log_softmax along `dim`, subtracting the maximum first.
LogicalResult evalSoftmax(Operation *op, int64_t dim, bool log, Evaluator &ev) {
  Tensor y = ev.get(op->getOperand(0));
  int64_t axis = y.shape.empty() ? 0 : normalizeAxis(dim, y.rank());
  forEachLine(y.shape, axis, [&](int64_t base, int64_t stride, int64_t length) {
    double max = -INFINITY;
    for (int64_t k = 0; k < length; ++k)
      max = std::max(max, y.floats[base + k * stride]);
    double sum = 0;
    for (int64_t k = 0; k < length; ++k)
      sum += std::exp(y.floats[base + k * stride] - max);
    for (int64_t k = 0; k < length; ++k) {
      double &v = y.floats[base + k * stride];
      v = log ? v - max - std::log(sum) : std::exp(v - max) / sum;
    }
  });
  ev.set(op->getResult(0), std::move(y));
  return success();
}

} // namespace

std::optional<LogicalResult> evalElementwiseOp(Operation *op, Evaluator &ev) {
  using R = std::optional<LogicalResult>;
  return llvm::TypeSwitch<Operation *, R>(op)
      .Case([&](nn::ReluOp) { return unary(op, ev, relu); })
      .Case([&](nn::SigmoidOp) { return unary(op, ev, sigmoid); })
      .Case([&](nn::TanhOp) { return unary(op, ev, [](double x) { return std::tanh(x); }); })
      .Case([&](nn::ExpOp) { return unary(op, ev, [](double x) { return std::exp(x); }); })
      .Case([&](nn::LogOp) { return unary(op, ev, [](double x) { return std::log(x); }); })
      .Case([&](nn::SqrtOp) { return unary(op, ev, [](double x) { return std::sqrt(x); }); })
      .Case([&](nn::NegOp) { return unary(op, ev, [](double x) { return -x; }); })
      .Case([&](nn::GeluOp) { return unary(op, ev, geluOf); })
      .Case([&](nn::SiluOp) { return unary(op, ev, siluOf); })
      .Case([&](nn::GeluBackwardOp) { return evalGeluBackward(op, ev); })
      .Case([&](nn::LeakyReluOp o) {
        double slope = o.getSlope().convertToDouble();
        return unary(op, ev, [slope](double x) { return x > 0 ? x : x * slope; });
      })
      .Case([&](nn::LeakyReluBackwardOp o) { return evalLeakyReluBackward(o, ev); })
      .Case([&](nn::AddOp) { return binary(op, ev, std::plus<double>()); })
      .Case([&](nn::SubOp) { return binary(op, ev, std::minus<double>()); })
      .Case([&](nn::MulOp) { return binary(op, ev, std::multiplies<double>()); })
      .Case([&](nn::DivOp) { return binary(op, ev, std::divides<double>()); })
      .Case([&](nn::DropoutOp o) { return evalDropout(o, ev); })
      .Case([&](nn::SoftmaxOp o) { return evalSoftmax(op, o.getDim(), false, ev); })
      .Case([&](nn::LogSoftmaxOp o) { return evalSoftmax(op, o.getDim(), true, ev); })
      .Default([](Operation *) { return R(); });
}

} // namespace netc::interp
