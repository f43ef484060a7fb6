//===- OpsElementwise.cpp - ONNX elementwise and math ops -----------------===//
//
// Unary math maps to the nn op of the same meaning; activations with
// parameters are nn's (elu, leaky_relu, softplus) or short formulas of them
// that are exact (Selu = gamma * elu, PRelu = relu(x) - slope * relu(-x)).
// ONNX's booleans are float masks of 0 and 1 here: comparisons are built
// from nn.sign of a difference, the logic ops are arithmetic on masks, and
// Where takes a mask as its condition, as nn.where does.
//
//===----------------------------------------------------------------------===//

#include "onnx/OpsBuilder.h"

#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;

namespace netc::onnx {

namespace {

/// A float input, or a located error naming the input.
Value floatIn(OpsBuilder &b, unsigned i) {
  Value v = b.in(i);
  if (v && !OpsBuilder::isFloat(v)) {
    b.error("input " + std::to_string(i) + " must be a float tensor");
    return {};
  }
  return v;
}

/// Ops whose nn namesake takes the one input and nothing else.
LogicalResult convertUnary(OpsBuilder &b, StringRef nnName) {
  b.out(0, b.unary(nnName, floatIn(b, 0)));
  return b.result();
}

LogicalResult convertReciprocal(OpsBuilder &b) {
  Value x = floatIn(b, 0);
  b.out(0, x ? b.binary("nn.div", b.scalar(1.0, x), x) : Value());
  return b.result();
}

/// x^y for a constant y whose elements are all equal (nn.pow's exponent is a
/// number); a y computed at run time is an error.
LogicalResult convertPow(OpsBuilder &b) {
  Value x = floatIn(b, 0);
  auto exponent = b.floats(1);
  if (!exponent || exponent->empty() ||
      llvm::any_of(*exponent, [&](double e) { return e != exponent->front(); }))
    return b.fail("the exponent must be a constant with a single value (nn.pow takes a number)");
  b.out(0, b.op("nn.pow", x, {b.f64("exponent", exponent->front())}));
  return b.result();
}

LogicalResult convertSoftsign(OpsBuilder &b) {
  Value x = floatIn(b, 0);
  if (!x)
    return b.result();
  Value den = b.binary("nn.add", b.scalar(1.0, x), b.unary("nn.abs", x));
  b.out(0, b.binary("nn.div", x, den));
  return b.result();
}

LogicalResult convertElu(OpsBuilder &b) {
  b.out(0, b.op("nn.elu", floatIn(b, 0), {b.f64("alpha", b.attrFloat("alpha", 1.0))}));
  return b.result();
}

LogicalResult convertSelu(OpsBuilder &b) {
  Value x = floatIn(b, 0);
  double alpha = b.attrFloat("alpha", 1.67326319217681884765625);
  double gamma = b.attrFloat("gamma", 1.05070102214813232421875);
  Value e = b.op("nn.elu", x, {b.f64("alpha", alpha)});
  b.out(0, e ? b.binary("nn.mul", e, b.scalar(gamma, x)) : Value());
  return b.result();
}

/// max(0, x) + min(0, alpha (exp(x / alpha) - 1)) = alpha elu(x / alpha).
LogicalResult convertCelu(OpsBuilder &b) {
  Value x = floatIn(b, 0);
  double alpha = b.attrFloat("alpha", 1.0);
  if (!x)
    return b.result();
  if (alpha == 1.0) {
    b.out(0, b.op("nn.elu", x));
    return b.result();
  }
  Value e = b.op("nn.elu", b.binary("nn.div", x, b.scalar(alpha, x)));
  b.out(0, b.binary("nn.mul", e, b.scalar(alpha, x)));
  return b.result();
}

LogicalResult convertLeakyRelu(OpsBuilder &b) {
  b.out(0, b.op("nn.leaky_relu", floatIn(b, 0), {b.f64("slope", b.attrFloat("alpha", 0.01))}));
  return b.result();
}

LogicalResult convertSoftplus(OpsBuilder &b) {
  b.out(0, b.op("nn.softplus", floatIn(b, 0)));
  return b.result();
}

/// relu(x) - slope * relu(-x): x where x > 0, else slope * x.
LogicalResult convertPRelu(OpsBuilder &b) {
  Value x = floatIn(b, 0), slope = floatIn(b, 1);
  if (!x || !slope)
    return b.result();
  Value neg = b.binary("nn.mul", slope, b.unary("nn.relu", b.unary("nn.neg", x)));
  b.out(0, b.binary("nn.sub", b.unary("nn.relu", x), neg));
  return b.result();
}

/// sign(x) with no gradient: nn.sign has none, and ONNX's is zero almost
/// everywhere, so a mask multiplied into a loss does not stop training.
Value sign(OpsBuilder &b, Value x) { return b.unary("nn.detach", b.unary("nn.sign", x)); }

/// The mask (1 where a > b, else 0) of two float tensors.
Value greater(OpsBuilder &b, Value lhs, Value rhs) {
  return b.unary("nn.relu", sign(b, b.binary("nn.sub", lhs, rhs)));
}

/// 1 - mask.
Value negate(OpsBuilder &b, Value mask) {
  return mask ? b.binary("nn.sub", b.scalar(1.0, mask), mask) : Value();
}

LogicalResult convertThresholdedRelu(OpsBuilder &b) {
  Value x = floatIn(b, 0);
  if (!x)
    return b.result();
  Value mask = greater(b, x, b.scalar(b.attrFloat("alpha", 1.0), x));
  b.out(0, b.op("nn.where", {mask, x, b.scalar(0.0, x)}));
  return b.result();
}

/// Max and Min fold their inputs with nn.maximum / nn.minimum, Sum with
/// nn.add, Mean divides the sum by the count.
LogicalResult convertVariadic(OpsBuilder &b, StringRef nnName, bool mean) {
  unsigned n = b.numInputs();
  if (n == 0)
    return b.fail("needs at least one input");
  Value acc = floatIn(b, 0);
  for (unsigned i = 1; i < n && acc; ++i)
    acc = b.binary(nnName, acc, floatIn(b, i));
  if (mean && acc && n > 1)
    acc = b.binary("nn.div", acc, b.scalar(double(n), acc));
  b.out(0, acc);
  return b.result();
}

/// A comparison's operand: a float tensor as it is, an integer one as f64.
Value comparable(OpsBuilder &b, unsigned i) {
  Value v = b.in(i);
  if (!v || OpsBuilder::isFloat(v))
    return v;
  return b.cast(v, b.builder().getF64Type());
}

/// Equal, Less, Greater, LessOrEqual, GreaterOrEqual as float masks.
LogicalResult convertCompare(OpsBuilder &b, StringRef kind) {
  Value lhs = comparable(b, 0), rhs = comparable(b, 1);
  if (!lhs || !rhs)
    return b.result();
  if (OpsBuilder::element(lhs) != OpsBuilder::element(rhs))
    return b.fail("compares tensors of different element types");
  Value mask;
  if (kind == "Equal")
    mask = negate(b, b.unary("nn.abs", sign(b, b.binary("nn.sub", lhs, rhs))));
  else if (kind == "Greater")
    mask = greater(b, lhs, rhs);
  else if (kind == "Less")
    mask = greater(b, rhs, lhs);
  else if (kind == "GreaterOrEqual")
    mask = negate(b, greater(b, rhs, lhs));
  else
    mask = negate(b, greater(b, lhs, rhs));
  b.out(0, mask);
  return b.result();
}

/// A boolean input as a float mask (constants are integer tensors).
Value maskIn(OpsBuilder &b, unsigned i) {
  Value v = b.in(i);
  if (!v || OpsBuilder::isFloat(v))
    return v;
  return b.cast(v, b.builder().getF32Type());
}

/// Not, And, Or, Xor on masks of 0 and 1.
LogicalResult convertLogic(OpsBuilder &b, StringRef kind) {
  Value a = maskIn(b, 0);
  if (kind == "Not") {
    b.out(0, negate(b, a));
    return b.result();
  }
  Value c = maskIn(b, 1);
  if (kind == "And")
    b.out(0, b.binary("nn.mul", a, c));
  else if (kind == "Or")
    b.out(0, b.binary("nn.maximum", a, c));
  else
    b.out(0, b.unary("nn.abs", b.binary("nn.sub", a, c)));
  return b.result();
}

LogicalResult convertWhere(OpsBuilder &b) {
  Value c = b.in(0), x = floatIn(b, 1), y = floatIn(b, 2);
  b.out(0, c && x && y ? b.op("nn.where", {c, x, y}) : Value());
  return b.result();
}

/// Cast to float, double, int32, int64 or bool (a mask: 1 where non-zero).
LogicalResult convertCast(OpsBuilder &b) {
  Value x = b.in(0);
  if (!x)
    return b.result();
  int64_t to = b.attrInt("to", 0);
  OpBuilder &ob = b.builder();
  Type target;
  switch (to) {
  case 1:
    target = ob.getF32Type();
    break;
  case 11:
    target = ob.getF64Type();
    break;
  case 6:
    target = ob.getI32Type();
    break;
  case 7:
    target = ob.getI64Type();
    break;
  case 9: {
    Value f = OpsBuilder::isFloat(x) ? x : comparable(b, 0);
    b.out(0, f ? b.unary("nn.abs", sign(b, f)) : Value());
    return b.result();
  }
  default:
    return b.fail("casts to ONNX element type " + std::to_string(to) +
                  "; netc has float, double, int32, int64 and bool (as a mask)");
  }
  if (OpsBuilder::element(x) == target) {
    b.out(0, x);
    return b.result();
  }
  b.out(0, b.cast(x, target));
  return b.result();
}

} // namespace

void registerElementwiseOps(OnnxOpRegistry &r) {
  for (auto [onnxName, nnName] : {std::pair{"Neg", "nn.neg"},
                                  {"Abs", "nn.abs"},
                                  {"Exp", "nn.exp"},
                                  {"Log", "nn.log"},
                                  {"Sqrt", "nn.sqrt"},
                                  {"Erf", "nn.erf"},
                                  {"Sin", "nn.sin"},
                                  {"Cos", "nn.cos"},
                                  {"Tanh", "nn.tanh"}}) {
    std::string nn = nnName;
    addOp(r, onnxName, [nn](OpsBuilder &b) { return convertUnary(b, nn); });
  }
  addOp(r, "Sign", [](OpsBuilder &b) {
    b.out(0, sign(b, floatIn(b, 0)));
    return b.result();
  });
  addOp(r, "Reciprocal", convertReciprocal);
  addOp(r, "Pow", convertPow);
  addOp(r, "Softsign", convertSoftsign);
  addOp(r, "Softplus", convertSoftplus);
  addOp(r, "Elu", convertElu);
  addOp(r, "Selu", convertSelu);
  addOp(r, "Celu", convertCelu);
  addOp(r, "LeakyRelu", convertLeakyRelu);
  addOp(r, "PRelu", convertPRelu);
  addOp(r, "ThresholdedRelu", convertThresholdedRelu);
  addOp(r, "Max", [](OpsBuilder &b) { return convertVariadic(b, "nn.maximum", false); });
  addOp(r, "Min", [](OpsBuilder &b) { return convertVariadic(b, "nn.minimum", false); });
  addOp(r, "Sum", [](OpsBuilder &b) { return convertVariadic(b, "nn.add", false); });
  addOp(r, "Mean", [](OpsBuilder &b) { return convertVariadic(b, "nn.add", true); });
  for (const char *kind : {"Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual"})
    addOp(r, kind, [kind](OpsBuilder &b) { return convertCompare(b, kind); });
  for (const char *kind : {"Not", "And", "Or", "Xor"})
    addOp(r, kind, [kind](OpsBuilder &b) { return convertLogic(b, kind); });
  addOp(r, "Where", convertWhere);
  addOp(r, "Cast", convertCast);
}

} // namespace netc::onnx
