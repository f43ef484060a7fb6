//===- DefaultWeights.cpp - the model's default weights in netc -----------===//

#include "DefaultWeights.h"

#include "runtime/FileIO.h"
#include "runtime/TensorFile.h"

namespace netc::tool {

ModelWeights modelWeights;

void setModelWeights(ModelWeights weights) { modelWeights = std::move(weights); }

bool readModelWeights(const std::string &path, ModelWeights &out, std::string &error) {
  runtime::TensorFile file;
  if (!file.read(path, error))
    return false;
  // Every format is kept as safetensors, the form artifacts embed.
  std::vector<runtime::SafetensorsTensorRef> refs;
  for (const runtime::TensorEntry &e : file.tensors())
    refs.push_back({e.name, e.dtype, e.shape, file.data(e)});
  ModelWeights weights;
  weights.origin = path;
  if (!runtime::serializeSafetensors(path, refs, {}, weights.safetensors, error))
    return false;
  out = std::move(weights);
  return true;
}

} // namespace netc::tool
