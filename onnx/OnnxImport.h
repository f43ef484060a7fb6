//===- OnnxImport.h - ONNX models into the nn dialect -----------*- C++ -*-===//
//
// The public entry point of ONNX import: reads a .onnx file (and the external
// data files it names), imports its graph as one func.func of nn ops and
// hands the initializers' values back as ModelWeights. Every error is an MLIR
// diagnostic at a location naming the file and the node. This header names
// neither protobuf nor ONNX, so that the tools compile without them.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_ONNX_ONNXIMPORT_H
#define NETC_ONNX_ONNXIMPORT_H

#include "ir/ModelWeights.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace mlir {
class MLIRContext;
} // namespace mlir

namespace netc::onnx {

/// Choices that shape an ONNX import.
struct OnnxImportOptions {
  /// `--set-dim NAME=N`: the size of each symbolic dimension (an input's
  /// dim_param). A symbolic dimension not given here is an error.
  std::map<std::string, int64_t> dims;
  /// The name of the model's function; empty takes the graph's name
  /// (made an identifier), or the file's when the graph has none.
  std::string modelName;
};

/// The opsets of the default domain that the importer reads.
constexpr int64_t kMinOpset = 7;
constexpr int64_t kMaxOpset = 17;

/// Imports the ONNX model at `path`: graph inputs become `nn.input`
/// arguments, float initializers `nn.param` arguments (BatchNormalization's
/// statistics `nn.buffer` ones) under their ONNX names, graph outputs
/// `nn.output` results; shape subgraphs are folded so every shape is static.
/// The initializers' values go to `weights` (a safetensors blob). Errors are
/// emitted as diagnostics; returns null if there was any.
mlir::OwningOpRef<mlir::ModuleOp> importOnnxFile(const std::string &path,
                                                 mlir::MLIRContext &context,
                                                 const OnnxImportOptions &options,
                                                 netc::ModelWeights &weights);

/// Reads one `--set-dim NAME=N` into `options.dims`; the misuse (not
/// NAME=N, N not positive, NAME given twice) as a message, or nullopt.
std::optional<std::string> addSetDim(const std::string &flag, OnnxImportOptions &options);

/// Whether `path` names an ONNX model (by its extension, `.onnx`).
bool isOnnxPath(const std::string &path);

} // namespace netc::onnx

#endif // NETC_ONNX_ONNXIMPORT_H
