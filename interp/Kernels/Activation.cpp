//===- Activation.cpp - elu, softplus, clamp, hardtanh --------------------===//
//
// The piecewise activations and their backward ops in double, in PyTorch's
// formulas; the kernel context rounds f32 results.
//
//===----------------------------------------------------------------------===//

#include "interp/KernelContext.h"

#include "ir/NNOps.h"

#include "mlir/IR/DialectRegistry.h"

#include <cmath>
#include <optional>

using namespace mlir;

namespace netc::interp {
namespace {

/// The optional f64 attribute's value.
std::optional<double> valueOf(std::optional<APFloat> attr) {
  if (!attr)
    return std::nullopt;
  return attr->convertToDouble();
}

//===--- elu ---===//

LogicalResult evalElu(nn::EluOp op, KernelContext &ctx) {
  double alpha = op.getAlpha().convertToDouble();
  // exp(x) - 1 as PyTorch 1.13's kernel, not expm1.
  return mapElements(op, ctx, [alpha](ArrayRef<double> v) {
    return v[0] > 0 ? v[0] : (std::exp(v[0]) - 1.0) * alpha;
  });
}

LogicalResult evalEluBackward(nn::EluBackwardOp op, KernelContext &ctx) {
  double alpha = op.getAlpha().convertToDouble();
  return mapElements(op, ctx, [alpha](ArrayRef<double> v) {
    double grad = v[0], x = v[1];
    return x > 0 || std::isnan(x) ? grad : grad * alpha * std::exp(x);
  });
}

//===--- softplus ---===//

LogicalResult evalSoftplus(nn::SoftplusOp op, KernelContext &ctx) {
  double beta = op.getBeta().convertToDouble(), threshold = op.getThreshold().convertToDouble();
  return mapElements(op, ctx, [=](ArrayRef<double> v) {
    double bx = v[0] * beta;
    return bx > threshold ? v[0] : std::log1p(std::exp(bx)) / beta;
  });
}

LogicalResult evalSoftplusBackward(nn::SoftplusBackwardOp op, KernelContext &ctx) {
  double beta = op.getBeta().convertToDouble(), threshold = op.getThreshold().convertToDouble();
  return mapElements(op, ctx, [=](ArrayRef<double> v) {
    double grad = v[0], bx = v[1] * beta, z = std::exp(bx);
    return bx > threshold ? grad : grad * z / (z + 1.0);
  });
}

//===--- clamp and hardtanh ---===//

/// min(max(x, lo), hi) with optional bounds; NaN stays NaN.
double clampOf(double x, std::optional<double> lo, std::optional<double> hi) {
  double y = x;
  if (lo && y < *lo)
    y = *lo;
  if (hi && y > *hi)
    y = *hi;
  return y;
}

LogicalResult evalClamp(nn::ClampOp op, KernelContext &ctx) {
  std::optional<double> lo = valueOf(op.getMin()), hi = valueOf(op.getMax());
  return mapElements(op, ctx, [=](ArrayRef<double> v) { return clampOf(v[0], lo, hi); });
}

LogicalResult evalHardtanh(nn::HardtanhOp op, KernelContext &ctx) {
  std::optional<double> lo = valueOf(op.getMin()), hi = valueOf(op.getMax());
  return mapElements(op, ctx, [=](ArrayRef<double> v) { return clampOf(v[0], lo, hi); });
}

LogicalResult evalClampBackward(nn::ClampBackwardOp op, KernelContext &ctx) {
  std::optional<double> lo = valueOf(op.getMin()), hi = valueOf(op.getMax());
  bool inclusive = op.getInclusive();
  return mapElements(op, ctx, [=](ArrayRef<double> v) {
    double grad = v[0], x = v[1];
    // clamp: min <= x <= max (never at NaN); hardtanh: not (x <= min or
    // x >= max) (always at NaN).
    bool pass = inclusive ? (!lo || x >= *lo) && (!hi || x <= *hi)
                          : !((lo && x <= *lo) || (hi && x >= *hi));
    return pass ? grad : 0.0;
  });
}

} // namespace

void registerActivationKernels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, nn::NNDialect *) {
    attachKernels<evalElu, evalEluBackward, evalSoftplus, evalSoftplusBackward, evalClamp,
                  evalHardtanh, evalClampBackward>(context);
  });
}

} // namespace netc::interp
