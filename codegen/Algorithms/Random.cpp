//===- Random.cpp - the Halide algorithms of rand and randn ---------------===//
//
// The expressions of runtime/RandomDraw.h, step for step, so compiled code
// draws bitwise what the interpreter draws: integer mixing, exact
// conversions and scalings by powers of two, then (randn) log, sqrt and cos
// in double, which Halide lowers to the C library's functions as the
// interpreter calls them.
//
//===----------------------------------------------------------------------===//

#include "codegen/Algorithms/Common.h"

#include "runtime/RandomDraw.h"

#include <cmath>

using namespace mlir;
using Halide::Expr;
using Halide::Var;

namespace netc::codegen {

namespace {

/// The result's element type of a draw.
Halide::Type resultType(Operation *op) {
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  return FunctionLowering::halideType(type.getElementType());
}

/// The flat index of the result element at `v`.
Expr flatIndexOf(Operation *op, const std::vector<Var> &v) {
  return flatIndex(v, cast<RankedTensorType>(op->getResult(0).getType()).getShape());
}

//===--- rand ---===//

Expr randOf(FunctionLowering &fl, nn::RandOp op, const std::vector<Var> &v) {
  Halide::Type type = resultType(op);
  int bits = type.bits() == 32 ? 24 : 53;
  Expr word = counterWord(fl.scalar(op.getSeed()), flatIndexOf(op, v));
  // Both factors are exact in the result type, and so is their product.
  return Halide::cast(type, word >> (64 - bits)) * make_const(type, std::ldexp(1.0, -bits));
}

//===--- randn ---===//

Expr randnOf(FunctionLowering &fl, nn::RandnOp op, const std::vector<Var> &v) {
  Expr seed = fl.scalar(op.getSeed());
  Expr twice = flatIndexOf(op, v) * Expr(int64_t(2));
  Expr w1 = counterWord(seed, twice), w2 = counterWord(seed, twice + Expr(int64_t(1)));
  Expr scale = Expr(0x1p-53);
  Expr u1 = Halide::cast<double>((w1 >> 11) + Expr(uint64_t(1))) * scale;
  Expr u2 = Halide::cast<double>(w2 >> 11) * scale;
  Expr z = Halide::sqrt(Expr(-2.0) * Halide::log(u1)) * Halide::cos(Expr(runtime::kTwoPi) * u2);
  return Halide::cast(resultType(op), z);
}

/// Attaches `Value` to `Op` as an elementwise algorithm.
template <typename Op, PureValue<Op> Value> void attach(MLIRContext &context) {
  attachAlgorithm<Op, definePure<OpFamily::Elementwise, Op, Value>>(context);
}

} // namespace

void registerRandomAlgorithms(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, nn::NNDialect *) {
    attach<nn::RandOp, randOf>(*context);
    attach<nn::RandnOp, randnOf>(*context);
  });
}

} // namespace netc::codegen
