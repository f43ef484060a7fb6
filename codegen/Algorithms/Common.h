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

} // namespace netc::codegen

#endif // NETC_CODEGEN_ALGORITHMS_COMMON_H
