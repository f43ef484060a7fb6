//===- ImportWeights.cpp - a model's `weights "file"` statement -----------===//
//
// `weights "resnet18.safetensors"` gives the initial values of a model's
// parameters and buffers: the file (relative to the .net file's folder) is
// read and checked here, and handed on beside the IR as ModelWeights
// (ir/ModelWeights.h), never into it, so the model's IR is the same with or
// without it. Every tensor of the file must be a parameter or buffer of the
// model, of its shape; parameters the file lacks keep their initialisers.
//
//===----------------------------------------------------------------------===//

#include "frontend/Importer.h"
#include "runtime/Safetensors.h"

#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

using namespace mlir;

namespace netc::frontend {

void Importer::importWeights(const WeightsStmt &stmt) {
  if (!weightsPath.empty()) {
    error(stmt.loc) << "a model has one 'weights' statement; the first is at line "
                    << weightsLoc.line;
    return;
  }
  llvm::SmallString<256> path(stmt.path);
  if (!llvm::sys::path::is_absolute(path)) {
    path = llvm::sys::path::parent_path(filename);
    llvm::sys::path::append(path, stmt.path);
  }
  weightsPath = path.str().str();
  weightsLoc = stmt.pathLoc;
  auto buffer = llvm::MemoryBuffer::getFile(weightsPath, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer) {
    error(stmt.pathLoc) << "cannot read weights file '" << stmt.path
                        << "': " << buffer.getError().message();
    return;
  }
  weightsBytes.assign((*buffer)->getBufferStart(), (*buffer)->getBufferEnd());
}

void Importer::finishWeights() {
  if (weightsPath.empty() || failed)
    return;
  runtime::SafetensorsFile file;
  std::string why;
  if (!file.parse(weightsBytes, weightsPath, why)) {
    error(weightsLoc) << why;
    return;
  }
  for (const runtime::SafetensorsEntry &entry : file.tensors()) {
    auto param = params.find(entry.name);
    auto buffer = buffers.find(entry.name);
    Value v = param != params.end()    ? param->second.first
              : buffer != buffers.end() ? buffer->second.first
                                        : Value();
    if (!v) {
      error(weightsLoc) << "weights file '" << weightsPath << "' has tensor '" << entry.name
                        << "', which is no parameter or buffer of the model";
      continue;
    }
    auto shape = cast<RankedTensorType>(v.getType()).getShape();
    if (!llvm::equal(shape, entry.shape))
      error(weightsLoc) << "weights file '" << weightsPath << "' has tensor '" << entry.name
                        << "' of another shape than the model's";
  }
  if (failed || !weightsOut)
    return;
  weightsOut->safetensors = std::move(weightsBytes);
  weightsOut->origin = weightsPath;
}

} // namespace netc::frontend
