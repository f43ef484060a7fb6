//===- OnnxImport.cpp - reading an ONNX file ------------------------------===//
//
// Parses the ModelProto with protobuf's generated classes (the size limit
// raised to protobuf's 2 GiB maximum: models of several hundred megabytes
// keep their weights inline), checks the opsets it imports, and hands the
// graph to OnnxImporter.
//
//===----------------------------------------------------------------------===//

#include "onnx/OnnxImporter.h"

#include "llvm/Support/MemoryBuffer.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <climits>

using namespace mlir;

namespace netc::onnx {

bool isOnnxPath(const std::string &path) {
  return llvm::StringRef(path).ends_with(".onnx");
}

std::optional<std::string> addSetDim(const std::string &flag, OnnxImportOptions &options) {
  size_t eq = flag.find('=');
  std::string name = flag.substr(0, eq);
  if (eq == std::string::npos || name.empty())
    return "--set-dim " + flag + ": expected --set-dim NAME=N";
  std::string value = flag.substr(eq + 1);
  char *end = nullptr;
  long long n = std::strtoll(value.c_str(), &end, 10);
  if (value.empty() || *end || n <= 0 || n > (1ll << 31))
    return "--set-dim " + flag + ": '" + value + "' is not a positive size";
  if (!options.dims.emplace(name, n).second)
    return "--set-dim " + name + " is given twice; give it once";
  return std::nullopt;
}

namespace {

/// Parses `path` into `model`; reports one line and returns false when the
/// file is missing, too large, truncated or not ONNX.
bool parseModel(const std::string &path, Location loc, ::onnx::ModelProto &model) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer) {
    emitError(loc) << "cannot read '" << path << "': " << buffer.getError().message();
    return false;
  }
  size_t size = (*buffer)->getBufferSize();
  if (size >= size_t(INT_MAX)) {
    emitError(loc) << "'" << path << "' is " << size
                   << " bytes; protobuf reads at most 2 GiB, so store the weights as external "
                      "data (onnx.save_model(..., save_as_external_data=True))";
    return false;
  }
  google::protobuf::io::ArrayInputStream stream((*buffer)->getBufferStart(), int(size));
  google::protobuf::io::CodedInputStream coded(&stream);
  coded.SetTotalBytesLimit(INT_MAX);
  bool parsed = model.ParseFromCodedStream(&coded) && coded.ConsumedEntireMessage();
  if (!parsed || size == 0 || model.ir_version() <= 0 || !model.has_graph()) {
    emitError(loc) << "'" << path << "' is not a valid ONNX model ("
                   << (size == 0    ? "the file is empty"
                       : !parsed    ? "it does not parse as an ONNX protobuf: truncated or not ONNX"
                                    : "it has no IR version or no graph")
                   << ")";
    return false;
  }
  return true;
}

/// The opset of the default domain; reports a missing or unsupported one.
std::optional<int64_t> defaultOpset(const ::onnx::ModelProto &model, Location loc) {
  std::optional<int64_t> opset;
  for (const auto &entry : model.opset_import())
    if (entry.domain().empty() || entry.domain() == "ai.onnx")
      opset = entry.version();
  if (!opset) {
    emitError(loc) << "the model imports no opset of the default ONNX domain";
    return std::nullopt;
  }
  if (*opset < kMinOpset || *opset > kMaxOpset) {
    emitError(loc) << "the model uses opset " << *opset << " of the default domain; netc reads "
                   << "opsets " << kMinOpset << " to " << kMaxOpset
                   << " (convert it with onnx.version_converter)";
    return std::nullopt;
  }
  return opset;
}

} // namespace

OwningOpRef<ModuleOp> importOnnxFile(const std::string &path, MLIRContext &context,
                                     const OnnxImportOptions &options, ModelWeights &weights) {
  Location loc = FileLineColLoc::get(&context, path, 0, 0);
  ::onnx::ModelProto model;
  if (!parseModel(path, loc, model))
    return nullptr;
  std::optional<int64_t> opset = defaultOpset(model, loc);
  if (!opset)
    return nullptr;
  OnnxImporter importer(context, path, options);
  importer.opset = *opset;
  return importer.import(model, weights);
}

} // namespace netc::onnx
