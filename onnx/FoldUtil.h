//===- FoldUtil.h - shared pieces of the constant evaluator -----*- C++ -*-===//
//
// Strides, broadcasting and gathering over HostTensors, for Fold.cpp (values)
// and FoldShape.cpp (shapes and indexing).
//
//===----------------------------------------------------------------------===//

#ifndef NETC_ONNX_FOLDUTIL_H
#define NETC_ONNX_FOLDUTIL_H

#include "onnx/OnnxImporter.h"

#include <functional>

namespace netc::onnx {

/// The largest constant the evaluator builds: shape subgraphs are small,
/// and a bound keeps a hostile ConstantOfShape or Range from exhausting memory.
constexpr int64_t kMaxFoldedElements = int64_t(1) << 24;

/// Row-major strides of `shape`.
std::vector<int64_t> stridesOf(llvm::ArrayRef<int64_t> shape);
/// The NumPy broadcast of `shapes`; nullopt when they do not broadcast.
std::optional<std::vector<int64_t>> broadcastShapes(llvm::ArrayRef<std::vector<int64_t>> shapes);
/// The flat index in `t` of the element that broadcasts to flat index `flat`
/// of an output of `out` (with strides `outStrides`).
int64_t sourceIndex(const HostTensor &t, llvm::ArrayRef<int64_t> out,
                    llvm::ArrayRef<int64_t> outStrides, int64_t flat);
/// Checks that an output of `shape` stays below the evaluator's bound;
/// reports at `node` when not.
bool checkSize(OnnxNode &node, llvm::ArrayRef<int64_t> shape);
/// A tensor of `dtype` and `shape` whose element at each coordinate is the
/// element `flat` of the tensor `pick` returns for that coordinate.
HostTensor gatherFrom(
    int32_t dtype, std::vector<int64_t> shape,
    const std::function<const HostTensor *(llvm::ArrayRef<int64_t>, int64_t &)> &pick);
/// Elements of `in` at the flat indices `pick` gives for each output coordinate.
HostTensor gatherElements(const HostTensor &in, std::vector<int64_t> shape,
                          const std::function<int64_t(llvm::ArrayRef<int64_t>)> &pick);

} // namespace netc::onnx

#endif // NETC_ONNX_FOLDUTIL_H
