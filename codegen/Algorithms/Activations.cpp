//===- Activations.cpp - gelu, silu and gelu's gradient -------------------===//
//
// The Halide expressions of the activations gelu and silu and of gelu's
// backward op, in PyTorch's formulas so that results agree to rounding.
// Elementwise.cpp's dispatch calls them. Halide 14's own erf exists for f32
// only and is accurate to a few ulp, so erf here calls the C library's erf
// and erff (scalar calls; libm is linked into every executable and into
// the JIT's process).
//
//===----------------------------------------------------------------------===//

#include "codegen/Algorithms/Common.h"

using namespace Halide;

namespace netc::codegen {

Expr exactErf(Expr x) {
  bool f32 = x.type().bits() == 32;
  // erf is odd, bounded and exact at the special values in libm: erf(NaN) is
  // NaN, erf(+-inf) is +-1; no flag of Halide's float arithmetic reaches it.
  return Internal::Call::make(x.type(), f32 ? "erff" : "erf", {x}, Internal::Call::PureExtern);
}

Expr geluOf(Expr x) {
  Halide::Type t = x.type();
  // x * 0.5 * (1 + erf(x / sqrt(2))): gelu(-inf) is -inf * 0 = NaN and
  // gelu(inf) is inf, as in PyTorch.
  return x * make_const(t, 0.5) *
         (make_const(t, 1.0) + exactErf(x * make_const(t, 0.70710678118654752440)));
}

Expr geluBackwardOf(Expr grad, Expr x) {
  Halide::Type t = x.type();
  // PyTorch's gelu_backward: grad * (cdf + x * pdf) with the normal cdf and
  // pdf; exactExp keeps pdf(+-inf) = 0, so the result there is NaN (inf * 0)
  // as in PyTorch.
  Expr cdf = make_const(t, 0.5) *
             (make_const(t, 1.0) + exactErf(x * make_const(t, 0.70710678118654752440)));
  Expr pdf = exactExp(make_const(t, -0.5) * x * x) * make_const(t, 0.39894228040143267794);
  return grad * (cdf + x * pdf);
}

Expr siluOf(Expr x) {
  // x / (1 + exp(-x)) as PyTorch computes it: silu(-inf) is -inf / inf = NaN.
  return x / (make_const(x.type(), 1.0) + exactExp(-x));
}

} // namespace netc::codegen
