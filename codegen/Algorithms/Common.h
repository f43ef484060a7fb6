//===- Common.h - helpers shared by the Halide algorithms -------*- C++ -*-===//

#ifndef NETC_CODEGEN_ALGORITHMS_COMMON_H
#define NETC_CODEGEN_ALGORITHMS_COMMON_H

#include "codegen/Lowering.h"

namespace netc::codegen {

using Halide::Internal::make_const;

/// Reads `t` at the output position `outVars` (of shape `outShape`) with
/// NumPy broadcasting.
Halide::Expr broadcastAt(const LTensor &t, const std::vector<Halide::Var> &outVars,
                         llvm::ArrayRef<int64_t> outShape);

/// The row-major flat index (int64) of MLIR-ordered Vars in a tensor of `shape`.
Halide::Expr flatIndex(const std::vector<Halide::Var> &vars, llvm::ArrayRef<int64_t> shape);

/// Whether dropout keeps the element at flat `index` for `seed` and `p`
/// (the rule of runtime/DropoutMask.h).
Halide::Expr dropoutKeep(Halide::Expr seed, Halide::Expr index, double p);

/// `t` read with `value` outside its two trailing (spatial) axes, so windows
/// may reach into the padding.
Halide::Func spatialExterior(const LTensor &t, Halide::Expr value);

/// The MLIR-ordered Vars of `vars` with position `dim` replaced by `e`.
std::vector<Halide::Expr> replaced(const std::vector<Halide::Var> &vars, size_t dim,
                                   Halide::Expr e);

/// PyTorch's divisor of the average-pool window starting at (hstart, wstart)
/// over an input of spatial size h x w.
Halide::Expr avgPoolDivisor(Halide::Expr hstart, Halide::Expr wstart,
                            llvm::ArrayRef<int64_t> kernel, llvm::ArrayRef<int64_t> padding,
                            bool countPad, int64_t h, int64_t w);

/// Whether `x` is NaN, decided on its bits: Halide's is_nan may fold to
/// false under LLVM's no-NaN flags (Special.cpp).
Halide::Expr isNaNBits(Halide::Expr x);

/// exp(x) with PyTorch's results at NaN (NaN), +-inf (inf, 0) and past the
/// overflow and underflow bounds of x's type (Special.cpp says why Halide's
/// own exp needs this).
Halide::Expr exactExp(Halide::Expr x);

/// log(x) with PyTorch's results at NaN, +-inf and subnormal x.
Halide::Expr exactLog(Halide::Expr x);

/// max(a, b), NaN when either is NaN (Halide's max drops NaN operands).
Halide::Expr nanMax(Halide::Expr a, Halide::Expr b);

/// relu: max(x, 0) that keeps NaN, as PyTorch's.
Halide::Expr reluOf(Halide::Expr x);

/// An integer (int32 for f32, int64 for f64) ordered as the float `v`, every
/// NaN above +inf: integer max and argmax of keys then propagate NaN.
Halide::Expr orderedKey(Halide::Expr v);

/// The float of `type` whose orderedKey is `key` (NaN for a NaN key).
Halide::Expr fromOrderedKey(Halide::Expr key, Halide::Type type);

/// The inline maximum of `value` over its RDom, NaN when any element is NaN,
/// as PyTorch's max pooling.
Halide::Expr maximumWithNaN(Halide::Expr value);

//===--- gelu and silu (Activations.cpp) ---===//

/// erf(x) in f32 or f64, correctly rounded to within an ulp (the C library's).
Halide::Expr exactErf(Halide::Expr x);

/// gelu(x) = x * Phi(x), PyTorch's exact form.
Halide::Expr geluOf(Halide::Expr x);

/// The gradient of gelu at `x` times `grad`, PyTorch's gelu_backward.
Halide::Expr geluBackwardOf(Halide::Expr grad, Halide::Expr x);

/// silu(x) = x * sigmoid(x), computed as x / (1 + exp(-x)) like PyTorch.
Halide::Expr siluOf(Halide::Expr x);

} // namespace netc::codegen

#endif // NETC_CODEGEN_ALGORITHMS_COMMON_H
