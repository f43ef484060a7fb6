//===- Special.cpp - exact results at NaN, infinities and overflow --------===//
//
// Halide 14 compiles f32 exp and log on CPUs to polynomial approximations
// that ignore the special values (exp(inf) = exp(NaN) = 0, log(inf) = 88.7,
// log(NaN) = 89.1), and it emits every float instruction with LLVM's no-NaN
// and no-infinity flags. Under those flags LLVM may assume that no computed
// float is NaN or infinite: max and min drop NaN operands, a float select of
// a NaN may take the other arm, and even Halide's is_nan folds to false
// once its argument comes from a flagged instruction (an inlined producer,
// or the same subexpression shared through CSE). So the helpers here test
// for NaN and infinity on the float's bits with integer operations and
// choose between results with integer selects, which no float flag reaches.
// Every target gets the same expressions.
//
//===----------------------------------------------------------------------===//

#include "codegen/Algorithms/Common.h"

using namespace Halide;

namespace netc::codegen {

namespace {

/// The signed integer type of a float's width.
Halide::Type bitsType(const Halide::Type &t) { return Int(t.bits()); }

/// An integer constant of the float type's width (int32 or int64).
Expr bitsConst(const Halide::Type &t, uint64_t value) {
  return t.bits() == 32 ? Expr(static_cast<int32_t>(value)) : Expr(static_cast<int64_t>(value));
}

/// All bits but the sign of a float of type `t`, as an integer.
Expr magnitudeMask(const Halide::Type &t) {
  return bitsConst(t, t.bits() == 32 ? 0x7fffffffull : 0x7fffffffffffffffull);
}

/// The bits of `x` without the sign: above the infinity's bits for NaN.
Expr magnitudeBits(Expr x) { return reinterpret(bitsType(x.type()), x) & magnitudeMask(x.type()); }

/// The bits of +inf in x's type.
Expr infinityBits(const Halide::Type &t) {
  return bitsConst(t, t.bits() == 32 ? 0x7f800000ull : 0x7ff0000000000000ull);
}

/// Whether `x` is neither NaN nor infinite, on its bits.
Expr isFiniteBits(Expr x) { return magnitudeBits(x) < infinityBits(x.type()); }

/// select(cond, a, b) on the bits of a and b (see the file comment).
Expr bitSelect(Expr cond, Expr a, Expr b) {
  Halide::Type bits = bitsType(a.type());
  return reinterpret(a.type(), select(cond, reinterpret(bits, a), reinterpret(bits, b)));
}

/// `bits` (of a float of type `t`) with the magnitude bits flipped where the
/// sign is set: negative floats count down as their magnitude grows, so this
/// makes integer order float order. It is its own inverse (the sign bit is
/// unchanged).
Expr flipNegatives(Expr bits, const Halide::Type &t) {
  return bits ^ ((bits >> (t.bits() - 1)) & magnitudeMask(t));
}

} // namespace

Expr isNaNBits(Expr x) { return magnitudeBits(x) > infinityBits(x.type()); }

Expr exactExp(Expr x) {
  Halide::Type t = x.type();
  bool f32 = t.bits() == 32;
  // Beyond these bounds exp overflows to inf or underflows to 0 in the type;
  // clamping keeps the approximation's exponent arithmetic in range (exp of
  // 3.4e38 gave 0 through an integer overflow).
  Expr lo = make_const(t, f32 ? -104.0 : -746.0), hi = make_const(t, f32 ? 89.0 : 710.0);
  return bitSelect(isNaNBits(x), x, exp(clamp(x, lo, hi)));
}

Expr exactLog(Expr x) {
  Halide::Type t = x.type();
  // log and sqrt agree outside the finite numbers: inf at +inf, NaN at -inf
  // and NaN; sqrt is exact there on every target.
  Expr special = sqrt(x);
  if (t.bits() != 32)
    return bitSelect(isFiniteBits(x), log(x), special);
  // The f32 approximation also misreads subnormal inputs: scale them by 2^24.
  Expr tiny = x < make_const(t, 1.17549435e-38);
  Expr scaled = log(select(tiny, x * make_const(t, 16777216.0), x)) -
                select(tiny, make_const(t, 16.635532333438686), make_const(t, 0.0));
  return bitSelect(isFiniteBits(x), scaled, special);
}

Expr nanMax(Expr a, Expr b) {
  return bitSelect(isNaNBits(a), a, bitSelect(isNaNBits(b), b, max(a, b)));
}

Expr reluOf(Expr x) { return bitSelect(isNaNBits(x), x, max(x, make_const(x.type(), 0.0))); }

Expr keepNaN(Expr x, Expr value) { return bitSelect(isNaNBits(x), x, value); }

Expr nanMin(Expr a, Expr b) {
  return bitSelect(isNaNBits(a), a, bitSelect(isNaNBits(b), b, min(a, b)));
}

Expr exactSelect(Expr cond, Expr a, Expr b) { return bitSelect(cond, a, b); }

Expr isNonzeroBits(Expr c) {
  if (!c.type().is_float())
    return c != make_const(c.type(), 0);
  // -0.0 is zero and NaN is not, as PyTorch converts floats to bool.
  return magnitudeBits(c) != bitsConst(c.type(), 0);
}

Expr libmCall(const char *f32Name, const char *f64Name, const std::vector<Expr> &args) {
  // As erf below: the C library's functions, exact at the special values and
  // out of reach of Halide's float flags.
  bool f32 = args.front().type().bits() == 32;
  return Internal::Call::make(args.front().type(), f32 ? f32Name : f64Name, args,
                              Internal::Call::PureExtern);
}

Expr orderedKey(Expr v) {
  Halide::Type t = v.type();
  // Every NaN becomes the positive quiet NaN, whose key is above +inf's.
  Expr quietNaN = bitsConst(t, t.bits() == 32 ? 0x7fc00000ull : 0x7ff8000000000000ull);
  return flipNegatives(select(isNaNBits(v), quietNaN, reinterpret(bitsType(t), v)), t);
}

Expr fromOrderedKey(Expr key, Halide::Type type) {
  return reinterpret(type, flipNegatives(key, type));
}

Expr maximumWithNaN(Expr value) { return fromOrderedKey(maximum(orderedKey(value)), value.type()); }

// erf: Halide 14's own exists for f32 only and is accurate to a few ulp, so
// this calls the C library's erf and erff (scalar calls; libm is linked into
// every executable and into the JIT's process).
Expr vectorErf(Expr x) {
  Halide::Type t = x.type();
  if (t.bits() != 32)
    return exactErf(x);
  // Two fits of netc's own (least squares against erf in double): below 1,
  // erf(z) = z P(z^2); from 1 on, erf(z) = 1 - exp(-z^2) R(1 / (1 + z / 2)).
  // In f32 they stay within 1.4e-7 of erf (absolute; relative beyond 1e-3),
  // about an ulp, with no libm call: the loop stays in vectors.
  static const double small[] = {1.12837916,     -0.376126128,  0.1128349,     -0.0268508364,
                                 0.00518380059, -0.000797716994, 7.76144384e-05};
  static const double large[] = {0.275593337, 0.341560464, 0.0312211836, 0.55408797, -0.202374594};
  Expr z = min(abs(x), make_const(t, 10.0)), u = z * z;
  Expr p = make_const(t, small[6]);
  for (int i = 5; i >= 0; --i)
    p = p * u + make_const(t, small[i]);
  Expr r = make_const(t, 0.0), q = make_const(t, 1.0) / (make_const(t, 1.0) + z * make_const(t, 0.5));
  for (int i = 4; i >= 0; --i)
    r = (r + make_const(t, large[i])) * q;
  Expr magnitude = select(z < make_const(t, 1.0), z * p, make_const(t, 1.0) - exp(-u) * r);
  return bitSelect(isNaNBits(x), x, select(x < make_const(t, 0.0), -magnitude, magnitude));
}

Expr exactErf(Expr x) {
  bool f32 = x.type().bits() == 32;
  // erf is odd, bounded and exact at the special values in libm: erf(NaN) is
  // NaN, erf(+-inf) is +-1; no flag of Halide's float arithmetic reaches it.
  return Internal::Call::make(x.type(), f32 ? "erff" : "erf", {x}, Internal::Call::PureExtern);
}

} // namespace netc::codegen
