//===- ImportArgs.h - binding and checking call arguments -------*- C++ -*-===//

#ifndef NETC_FRONTEND_IMPORTARGS_H
#define NETC_FRONTEND_IMPORTARGS_H

#include "frontend/Importer.h"
#include "ir/ShapeMath.h"

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace netc::frontend {

/// The parameters of a callee in positional order; the first `numRequired`
/// must be given.
struct Signature {
  std::vector<std::string> params;
  unsigned numRequired = 0;
};

/// Evaluates a call's arguments and binds them to `sig`; reports unknown or
/// repeated keywords, surplus positional and missing arguments. Returns
/// nullopt if anything was wrong (already reported).
std::optional<CallArgs> bindArgs(Importer &im, const CallExpr &call, const Signature &sig);

/// True for the name of an op of the language (conv2d, relu, ...).
bool isLanguageOp(const std::string &name);

/// The known name closest to `name`, for "did you mean" hints; empty if none is close.
std::string closestName(llvm::StringRef name, llvm::ArrayRef<std::string> known);

/// An integer list argument (or a single integer when `allowScalar`).
std::optional<std::vector<int64_t>> getIntList(Importer &im, const CallArgs &args,
                                               const std::string &name, bool allowScalar);

/// The padding of conv2d and the pools as [top, bottom, left, right]: an
/// integer, [h, w], four values, "valid" or "same" (TensorFlow's rule).
std::optional<std::array<int64_t, 4>>
resolvePadding(Importer &im, const CallArgs &args, const std::string &name,
               std::array<int64_t, 2> inHW, std::array<int64_t, 2> kernel,
               std::array<int64_t, 2> stride, std::array<int64_t, 2> dilation);

/// `nn.init` for U(low, high).
mlir::DictionaryAttr uniformInit(mlir::Builder &b, double low, double high);
/// `nn.init` for N(mean, std).
mlir::DictionaryAttr normalInit(mlir::Builder &b, double mean, double std);
/// `nn.init` for a constant fill.
mlir::DictionaryAttr constantInit(mlir::Builder &b, double value);

/// batch_norm1d (`spatialDims` 1: input [N, C] or [N, C, L]) and batch_norm2d
/// (2: [N, C, H, W]) of the layer `name` (ImportNorm.cpp).
Val importBatchNorm(Importer &im, const CallArgs &args, const std::string &name,
                    int spatialDims);

} // namespace netc::frontend

#endif // NETC_FRONTEND_IMPORTARGS_H
