//===- Math.cpp - abs, pow, erf, sin, cos, maximum, where, cast -----------===//
//
// Elementwise math with PyTorch's results at NaN and infinities: the
// transcendental functions call the C library (Special.cpp says why), the
// selections decide on bits. maximum, minimum and where broadcast their
// operands with NumPy's rules (operandAt).
//
//===----------------------------------------------------------------------===//

#include "codegen/Algorithms/Common.h"

using namespace mlir;
using namespace Halide;

namespace netc::codegen {
namespace {

/// `c` in the type of `like`.
Expr constantLike(Expr like, double c) { return make_const(like.type(), c); }

//===--- abs, sign, erf, sin, cos ---===//

Expr absOf(FunctionLowering &fl, nn::AbsOp op, const std::vector<Var> &v) {
  return abs(operandAt(fl, op, 0, v));
}

Expr sign(FunctionLowering &fl, nn::SignOp op, const std::vector<Var> &v) {
  Expr x = operandAt(fl, op, 0, v);
  Expr one = constantLike(x, 1), zero = constantLike(x, 0);
  Expr s = select(x > zero, one, select(x < zero, -one, zero));
  return select(isNaNBits(x), zero, s);
}

Expr erfOf(FunctionLowering &fl, nn::ErfOp op, const std::vector<Var> &v) {
  return exactErf(operandAt(fl, op, 0, v));
}

Expr sinOf(FunctionLowering &fl, nn::SinOp op, const std::vector<Var> &v) {
  return libmCall("sinf", "sin", {operandAt(fl, op, 0, v)});
}

Expr cosOf(FunctionLowering &fl, nn::CosOp op, const std::vector<Var> &v) {
  return libmCall("cosf", "cos", {operandAt(fl, op, 0, v)});
}

//===--- pow ---===//

Expr powOf(FunctionLowering &fl, nn::PowOp op, const std::vector<Var> &v) {
  Expr x = operandAt(fl, op, 0, v);
  double e = op.getExponent().convertToDouble();
  Expr one = constantLike(x, 1);
  // PyTorch's special exponents, then the C library's pow (NaN for a
  // negative base and a non-integer exponent).
  if (e == 0.0)
    return one;
  if (e == 1.0)
    return x;
  if (e == 2.0)
    return x * x;
  if (e == 3.0)
    return x * x * x;
  if (e == 0.5)
    return sqrt(x);
  if (e == -0.5)
    return one / sqrt(x);
  if (e == -1.0)
    return one / x;
  if (e == -2.0)
    return one / (x * x);
  return libmCall("powf", "pow", {x, constantLike(x, e)});
}

//===--- maximum, minimum and their gradient ---===//

Expr maximumOf(FunctionLowering &fl, nn::MaximumOp op, const std::vector<Var> &v) {
  return nanMax(operandAt(fl, op, 0, v), operandAt(fl, op, 1, v));
}

Expr minimumOf(FunctionLowering &fl, nn::MinimumOp op, const std::vector<Var> &v) {
  return nanMin(operandAt(fl, op, 0, v), operandAt(fl, op, 1, v));
}

Expr minMaxBackward(FunctionLowering &fl, nn::MinMaxBackwardOp op, const std::vector<Var> &v) {
  Expr grad = operandAt(fl, op, 0, v);
  Expr self = operandAt(fl, op, 1, v), other = operandAt(fl, op, 2, v);
  // Ties split the gradient in halves; a NaN on either side passes it whole
  // (no comparison holds), as PyTorch's formula gives.
  Expr otherWins = op.getMaximum() ? self < other : self > other;
  Expr share = exactSelect(self == other, grad * constantLike(grad, 0.5),
                           exactSelect(otherWins, constantLike(grad, 0), grad));
  return exactSelect(isNaNBits(self) || isNaNBits(other), grad, share);
}

//===--- where, detach, cast ---===//

Expr whereOf(FunctionLowering &fl, nn::WhereOp op, const std::vector<Var> &v) {
  return exactSelect(isNonzeroBits(operandAt(fl, op, 0, v)), operandAt(fl, op, 1, v),
                     operandAt(fl, op, 2, v));
}

Expr detach(FunctionLowering &fl, nn::DetachOp op, const std::vector<Var> &v) {
  return operandAt(fl, op, 0, v);
}

Expr castOf(FunctionLowering &fl, nn::CastOp op, const std::vector<Var> &v) {
  // Halide's cast rounds floats to nearest and truncates floats to integers.
  return Halide::cast(FunctionLowering::halideType(op.getDtype()), operandAt(fl, op, 0, v));
}

/// Attaches `Value` to `Op` as an elementwise algorithm.
template <typename Op, PureValue<Op> Value> void attach(MLIRContext &context) {
  attachAlgorithm<Op, definePure<OpFamily::Elementwise, Op, Value>>(context);
}

} // namespace

void registerMathAlgorithms(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, nn::NNDialect *) {
    attach<nn::AbsOp, absOf>(*context);
    attach<nn::SignOp, sign>(*context);
    attach<nn::ErfOp, erfOf>(*context);
    attach<nn::SinOp, sinOf>(*context);
    attach<nn::CosOp, cosOf>(*context);
    attach<nn::PowOp, powOf>(*context);
    attach<nn::MaximumOp, maximumOf>(*context);
    attach<nn::MinimumOp, minimumOf>(*context);
    attach<nn::MinMaxBackwardOp, minMaxBackward>(*context);
    attach<nn::WhereOp, whereOf>(*context);
    attach<nn::DetachOp, detach>(*context);
    attach<nn::CastOp, castOf>(*context);
  });
}

} // namespace netc::codegen
