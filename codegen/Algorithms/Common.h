//===- Common.h - helpers shared by the Halide algorithms -------*- C++ -*-===//

#ifndef NETC_CODEGEN_ALGORITHMS_COMMON_H
#define NETC_CODEGEN_ALGORITHMS_COMMON_H

#include "codegen/Lowering.h"
#include "ir/CodegenInterface.h"

#include "mlir/IR/DialectRegistry.h"

#include <functional>

namespace netc::codegen {

using Halide::Internal::make_const;

//===----------------------------------------------------------------------===//
// Attaching algorithms
//===----------------------------------------------------------------------===//

/// The external model that gives `Op` the algorithm `Define`. Halide reports
/// a rejected definition by throwing: the exception stops here, in code
/// built with exceptions, and becomes an error at the op.
template <typename Op, mlir::LogicalResult (*Define)(FunctionLowering &, Op)>
struct AlgorithmModel
    : nn::HalideAlgorithmOpInterface::ExternalModel<AlgorithmModel<Op, Define>, Op> {
  mlir::LogicalResult defineAlgorithm(mlir::Operation *op, FunctionLowering &lowering) const {
    return FunctionLowering::guarded(op, [&] { return Define(lowering, llvm::cast<Op>(op)); });
  }
};

/// Attaches `Define` to `Op` in `context`.
template <typename Op, mlir::LogicalResult (*Define)(FunctionLowering &, Op)>
void attachAlgorithm(mlir::MLIRContext &context) {
  Op::template attachInterface<AlgorithmModel<Op, Define>>(context);
}

/// The algorithms of each op family, one file each (codegen/Algorithms/),
/// attached to their ops when the nn dialect loads.
void registerElementwiseAlgorithms(mlir::DialectRegistry &registry);
void registerWindowAlgorithms(mlir::DialectRegistry &registry);
void registerDenseAlgorithms(mlir::DialectRegistry &registry);
void registerReductionAlgorithms(mlir::DialectRegistry &registry);
void registerLossAlgorithms(mlir::DialectRegistry &registry);
void registerShapeAlgorithms(mlir::DialectRegistry &registry);
void registerTensorAlgorithms(mlir::DialectRegistry &registry);
void registerStatefulAlgorithms(mlir::DialectRegistry &registry);
void registerActivationAlgorithms(mlir::DialectRegistry &registry);
void registerMathAlgorithms(mlir::DialectRegistry &registry);
void registerRecurrentAlgorithms(mlir::DialectRegistry &registry);
void registerRandomAlgorithms(mlir::DialectRegistry &registry);

/// The expression of a pure algorithm at the result's MLIR-ordered Vars.
template <typename Op>
using PureValue = Halide::Expr (*)(FunctionLowering &, Op, const std::vector<Halide::Var> &);

/// An algorithm that defines its op's result as one pure Func: `Value` at the
/// result's Vars, scheduled as `Family`.
template <OpFamily Family, typename Op, PureValue<Op> Value>
mlir::LogicalResult definePure(FunctionLowering &fl, Op op) {
  auto type = llvm::cast<mlir::RankedTensorType>(op->getResult(0).getType());
  std::vector<Halide::Var> v = fl.vars(type.getRank());
  Halide::Expr value = Value(fl, op, v);
  Halide::Func f = fl.newFunc(op);
  defineAt(f, v, value);
  return fl.define(op, f, Family);
}

//===----------------------------------------------------------------------===//
// Shared pieces of algorithms
//===----------------------------------------------------------------------===//

/// Reads operand `i` of `op` at the result's Vars with NumPy broadcasting.
Halide::Expr operandAt(FunctionLowering &fl, mlir::Operation *op, unsigned i,
                       const std::vector<Halide::Var> &v);

/// Reads `t` at the output position `outVars` (of shape `outShape`) with
/// NumPy broadcasting.
Halide::Expr broadcastAt(const LTensor &t, const std::vector<Halide::Var> &outVars,
                         llvm::ArrayRef<int64_t> outShape);

/// The row-major flat index (int64) of MLIR-ordered Vars in a tensor of `shape`.
Halide::Expr flatIndex(const std::vector<Halide::Var> &vars, llvm::ArrayRef<int64_t> shape);

/// Whether dropout keeps the element at flat `index` for `seed` and `p`
/// (the rule of runtime/DropoutMask.h).
Halide::Expr dropoutKeep(Halide::Expr seed, Halide::Expr index, double p);

/// The uint64 word of `counter` under `seed` that dropout masks and random
/// draws are made of: mix64(seed + 0x9E3779B97F4A7C15 * (counter + 1))
/// (runtime/RandomDraw.h's drawWord).
Halide::Expr counterWord(Halide::Expr seed, Halide::Expr counter);

/// `t` read with `value` outside its two trailing (spatial) axes, so windows
/// may reach into the padding.
Halide::Func spatialExterior(const LTensor &t, Halide::Expr value);

/// A 3x3 stride-1 convolution as Winograd.cpp computes it.
struct WinogradConv {
  /// The input read with zeros outside the image, at (x, y, c[, n]).
  Halide::Func input;
  /// The kernel of output channel k, input channel c at row a, column b, as
  /// a cross-correlation reads it.
  std::function<Halide::Expr(Halide::Expr k, Halide::Expr c, Halide::Expr a, Halide::Expr b)>
      weight;
  /// The input channels summed over.
  int64_t channels = 0;
  /// The padding before the first row and column.
  int padTop = 0, padLeft = 0;
  /// A bias per output channel, if any.
  std::optional<LTensor> bias;
  /// The output tile: m of F(m x m, 3 x 3), 2 or 4.
  int tile = 4;
};

/// Defines `op`'s result as the Winograd convolution `conv` (Winograd.cpp).
mlir::LogicalResult defineWinogradConv(FunctionLowering &fl, mlir::Operation *op,
                                       const WinogradConv &conv);

/// The MLIR-ordered Vars of `vars` with position `dim` replaced by `e`.
std::vector<Halide::Expr> replaced(const std::vector<Halide::Var> &vars, size_t dim,
                                   Halide::Expr e);

/// Defines `op`'s scalar result as the reduction of `value` over all of
/// `shape` (its sum, or its mean when `mean`), scheduled as a reduction.
mlir::LogicalResult
scalarReduction(FunctionLowering &fl, mlir::Operation *op,
                const std::function<Halide::Expr(const std::vector<Halide::Expr> &)> &value,
                llvm::ArrayRef<int64_t> shape, bool mean);

/// The maximum of `x` along `dim` and the sum of exp(x - maximum), as Funcs
/// over the other axes (in MLIR order, `dim` removed).
std::pair<Halide::Func, Halide::Func> softmaxStats(FunctionLowering &fl, mlir::Operation *op,
                                                   const LTensor &x, int dim);

/// log(s) as a Func of its own (Reduction.cpp says why).
Halide::Func logOf(FunctionLowering &fl, mlir::Operation *op, const Halide::Func &s);

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

/// erf(x) in f32 or f64, correctly rounded to within an ulp (the C
/// library's; Special.cpp).
Halide::Expr exactErf(Halide::Expr x);

/// erf in vectorizable arithmetic for f32 (within about an ulp of libm's;
/// NaN stays NaN), libm's for f64.
Halide::Expr vectorErf(Halide::Expr x);

/// `value`, or `x` itself where `x` is NaN (decided on its bits): clamp and
/// the like keep NaN as PyTorch's do.
Halide::Expr keepNaN(Halide::Expr x, Halide::Expr value);

/// min(a, b), NaN when either is NaN.
Halide::Expr nanMin(Halide::Expr a, Halide::Expr b);

/// select(cond, a, b) on the bits of the floats a and b, so that a NaN arm
/// is never traded for the other one under Halide's float flags.
Halide::Expr exactSelect(Halide::Expr cond, Halide::Expr a, Halide::Expr b);

/// Whether `c` is nonzero as PyTorch converts it to bool: for floats -0.0 is
/// zero and NaN is not, decided on the bits.
Halide::Expr isNonzeroBits(Halide::Expr c);

/// A call of the C library's function `f32Name` or `f64Name` (by the type of
/// the first argument), e.g. log1pf / log1p.
Halide::Expr libmCall(const char *f32Name, const char *f64Name,
                      const std::vector<Halide::Expr> &args);

} // namespace netc::codegen

#endif // NETC_CODEGEN_ALGORITHMS_COMMON_H
