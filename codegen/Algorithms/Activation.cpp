//===- Activation.cpp - elu, softplus, clamp, hardtanh --------------------===//
//
// The piecewise activations and their backward ops, in the order of
// operations of PyTorch's CPU kernels. Comparisons that decide between a
// NaN and another value use the bit-level helpers of Special.cpp.
//
//===----------------------------------------------------------------------===//

#include "codegen/Algorithms/Common.h"

using namespace mlir;
using namespace Halide;

namespace netc::codegen {
namespace {

/// `c` in the type of `like`.
Expr constantLike(Expr like, double c) { return make_const(like.type(), c); }

/// The optional f64 attribute's value.
std::optional<double> valueOf(std::optional<APFloat> attr) {
  if (!attr)
    return std::nullopt;
  return attr->convertToDouble();
}

//===--- elu ---===//

Expr elu(FunctionLowering &fl, nn::EluOp op, const std::vector<Var> &v) {
  Expr x = operandAt(fl, op, 0, v);
  // PyTorch 1.13 subtracts 1 from exp (not expm1); NaN stays NaN on both arms.
  Expr alpha = constantLike(x, op.getAlpha().convertToDouble());
  return select(x > constantLike(x, 0), x, (exactExp(x) - constantLike(x, 1)) * alpha);
}

Expr eluBackward(FunctionLowering &fl, nn::EluBackwardOp op, const std::vector<Var> &v) {
  Expr grad = operandAt(fl, op, 0, v), x = operandAt(fl, op, 1, v);
  Expr alpha = constantLike(x, op.getAlpha().convertToDouble());
  // grad where x > 0 or x is NaN, else grad * alpha * exp(x).
  return exactSelect(x > constantLike(x, 0) || isNaNBits(x), grad, grad * alpha * exactExp(x));
}

//===--- softplus ---===//

Expr softplus(FunctionLowering &fl, nn::SoftplusOp op, const std::vector<Var> &v) {
  Expr x = operandAt(fl, op, 0, v);
  Expr beta = constantLike(x, op.getBeta().convertToDouble());
  Expr bx = x * beta;
  Expr soft = libmCall("log1pf", "log1p", {exactExp(bx)}) / beta;
  return exactSelect(bx > constantLike(x, op.getThreshold().convertToDouble()), x, soft);
}

Expr softplusBackward(FunctionLowering &fl, nn::SoftplusBackwardOp op,
                      const std::vector<Var> &v) {
  Expr grad = operandAt(fl, op, 0, v), x = operandAt(fl, op, 1, v);
  Expr bx = x * constantLike(x, op.getBeta().convertToDouble());
  Expr z = exactExp(bx);
  return exactSelect(bx > constantLike(x, op.getThreshold().convertToDouble()), grad,
                     grad * z / (z + constantLike(x, 1)));
}

//===--- clamp and hardtanh ---===//

/// min(max(x, lo), hi) with either bound optional; NaN stays NaN.
Expr clampOf(Expr x, std::optional<double> lo, std::optional<double> hi) {
  Expr y = x;
  if (lo)
    y = max(y, constantLike(x, *lo));
  if (hi)
    y = min(y, constantLike(x, *hi));
  return keepNaN(x, y);
}

Expr clamp(FunctionLowering &fl, nn::ClampOp op, const std::vector<Var> &v) {
  return clampOf(operandAt(fl, op, 0, v), valueOf(op.getMin()), valueOf(op.getMax()));
}

Expr hardtanh(FunctionLowering &fl, nn::HardtanhOp op, const std::vector<Var> &v) {
  return clampOf(operandAt(fl, op, 0, v), valueOf(op.getMin()), valueOf(op.getMax()));
}

Expr clampBackward(FunctionLowering &fl, nn::ClampBackwardOp op, const std::vector<Var> &v) {
  Expr grad = operandAt(fl, op, 0, v), x = operandAt(fl, op, 1, v);
  std::optional<double> lo = valueOf(op.getMin()), hi = valueOf(op.getMax());
  Expr pass;
  if (op.getInclusive()) {
    // clamp_backward: min <= x <= max, never at NaN.
    pass = !isNaNBits(x);
    if (lo)
      pass = pass && x >= constantLike(x, *lo);
    if (hi)
      pass = pass && x <= constantLike(x, *hi);
  } else {
    // hardtanh_backward: 0 where x <= min or x >= max, so NaN passes.
    Expr inside = Internal::const_true();
    if (lo)
      inside = inside && x > constantLike(x, *lo);
    if (hi)
      inside = inside && x < constantLike(x, *hi);
    pass = isNaNBits(x) || inside;
  }
  return exactSelect(pass, grad, constantLike(grad, 0));
}

/// Attaches `Value` to `Op` as an elementwise algorithm.
template <typename Op, PureValue<Op> Value> void attach(MLIRContext &context) {
  attachAlgorithm<Op, definePure<OpFamily::Elementwise, Op, Value>>(context);
}

} // namespace

void registerActivationAlgorithms(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, nn::NNDialect *) {
    attach<nn::EluOp, elu>(*context);
    attach<nn::EluBackwardOp, eluBackward>(*context);
    attach<nn::SoftplusOp, softplus>(*context);
    attach<nn::SoftplusBackwardOp, softplusBackward>(*context);
    attach<nn::ClampOp, clamp>(*context);
    attach<nn::HardtanhOp, hardtanh>(*context);
    attach<nn::ClampBackwardOp, clampBackward>(*context);
  });
}

} // namespace netc::codegen
