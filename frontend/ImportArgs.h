//===- ImportArgs.h - binding and checking call arguments -------*- C++ -*-===//

#ifndef NETC_FRONTEND_IMPORTARGS_H
#define NETC_FRONTEND_IMPORTARGS_H

#include "frontend/Importer.h"

#include <functional>
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
  /// Keywords the caller reads from the syntax itself (`train`'s `loss=` and
  /// `params=`): bindArgs neither evaluates nor reports them.
  std::vector<std::string> unevaluated = {};
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

//===--- The op families of the language, each in its own file ---===//

/// Imports one call of an op.
using OpHandler = std::function<Val(Importer &, const CallArgs &)>;
/// Adds an op to the language's table (ImportOps.cpp): its name, its
/// parameters and its handler.
using OpRegistrar = std::function<void(const std::string &, Signature, OpHandler)>;

/// Reads the attributes of an op from its call; nullopt after an error.
using AttrReader = std::function<std::optional<llvm::SmallVector<mlir::NamedAttribute>>(
    Importer &, const CallArgs &)>;
/// Whether an op's location is named after the op (`softmax`) or after the
/// language call that made it (`relu6` for the `nn.hardtanh` it builds,
/// qualified by the enclosing block calls).
enum class OpNaming { ByOp, ByCall };
/// An op of the tensor argument `x`, with the attributes `attrs` reads.
OpHandler unaryOp(std::string opName, AttrReader attrs = nullptr,
                  OpNaming naming = OpNaming::ByOp);

/// activations, pow, clamp, where, detach, cast... (ImportElementwise.cpp).
void addElementwiseOps(const OpRegistrar &add);
/// split, stack, squeeze, permute, max, logsumexp, triu... (ImportTensor.cpp),
/// with the constant tensors zeros, ones, full, arange, eye (ImportConstants.cpp).
void addTensorOps(const OpRegistrar &add);
void addConstantOps(const OpRegistrar &add);
/// conv1d, conv_transpose2d, upsample, the adaptive and global pools,
/// group_norm and instance_norm2d (ImportSpatial.cpp).
void registerSpatialOps(const OpRegistrar &add);
/// The losses and metrics (ImportLoss.cpp).
void registerLossOps(const OpRegistrar &add);
/// lstm and gru, and their cells (ImportRecurrent.cpp).
void registerRecurrentOps(const OpRegistrar &add);

/// scaled_dot_product_attention and multi_head_attention (ImportAttention.cpp).
void registerAttentionOps(const OpRegistrar &add);
/// randn_like and rand_like, seeded draws (ImportRandom.cpp).
void registerRandomOps(const OpRegistrar &add);

/// `nn.OP(...)`, an op of the IR spelled directly, and `constant(...)`, a
/// tensor of explicit values (ImportGeneric.cpp).
Val importGenericOp(Importer &im, const CallExpr &call);
void registerLiteralOps(const OpRegistrar &add);

/// The prefix of a layer's parameters: `name=` or the op name and its index
/// (ImportOps.cpp); nullopt after an error.
std::optional<std::string> importLayerName(Importer &im, const CallArgs &args);

} // namespace netc::frontend

#endif // NETC_FRONTEND_IMPORTARGS_H
