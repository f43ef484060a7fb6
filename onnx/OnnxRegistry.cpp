//===- OnnxRegistry.cpp - the converters of every op family ---------------===//
//
// A new family adds its register function here, one line.
//
//===----------------------------------------------------------------------===//

#include "onnx/OnnxImporter.h"

namespace netc::onnx {

void OnnxOpRegistry::add(const std::string &opType, int64_t sinceOpset, OnnxConverter convert) {
  converters[opType][sinceOpset] = std::move(convert);
}

void OnnxOpRegistry::addFold(const std::string &opType, OnnxConverter fold) {
  folders[opType] = std::move(fold);
}

const OnnxConverter *OnnxOpRegistry::lookup(const std::string &opType, int64_t opset) const {
  auto it = converters.find(opType);
  if (it == converters.end())
    return nullptr;
  auto entry = it->second.upper_bound(opset);
  if (entry == it->second.begin())
    return nullptr;
  return &std::prev(entry)->second;
}

const OnnxConverter *OnnxOpRegistry::lookupFold(const std::string &opType) const {
  auto it = folders.find(opType);
  return it == folders.end() ? nullptr : &it->second;
}

std::optional<int64_t> OnnxOpRegistry::firstOpset(const std::string &opType) const {
  auto it = converters.find(opType);
  if (it == converters.end() || it->second.empty())
    return std::nullopt;
  return it->second.begin()->first;
}

const OnnxOpRegistry &onnxOpRegistry() {
  static const OnnxOpRegistry registry = [] {
    OnnxOpRegistry r;
    registerFoldOps(r);
    registerConvOps(r);
    registerActivationOps(r);
    registerArithOps(r);
    registerShapeOps(r);
    return r;
  }();
  return registry;
}

} // namespace netc::onnx
