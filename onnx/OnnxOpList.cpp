//===- OnnxOpList.cpp - the ONNX ops the importer converts ----------------===//
//
// The registry knows converters by op type; the op types themselves come from
// ONNX's own schema list (libonnx), so that every op ONNX defines is asked
// for and none is listed by hand.
//
//===----------------------------------------------------------------------===//

#include "onnx/OnnxOpList.h"

#include "onnx/OnnxImporter.h"

#include <onnx/defs/schema.h>

#include <set>
#include <string>

namespace netc::onnx {

void printOnnxOps(llvm::raw_ostream &os) {
  std::set<std::string> opTypes;
  for (const ::onnx::OpSchema &schema : ::onnx::OpSchemaRegistry::get_all_schemas())
    if (schema.domain().empty() || schema.domain() == "ai.onnx")
      opTypes.insert(schema.Name());
  const OnnxOpRegistry &registry = onnxOpRegistry();
  for (const std::string &opType : opTypes) {
    // The runs of consecutive opsets the registry has a converter for.
    std::string ranges;
    int64_t start = -1;
    for (int64_t opset = kMinOpset; opset <= kMaxOpset + 1; ++opset) {
      bool converts = opset <= kMaxOpset && registry.lookup(opType, opset) != nullptr;
      if (converts && start < 0)
        start = opset;
      if (!converts && start >= 0) {
        ranges += (ranges.empty() ? "" : ", ") + std::to_string(start) + "-" +
                  std::to_string(opset - 1);
        start = -1;
      }
    }
    if (!ranges.empty())
      os << opType << " " << ranges << "\n";
  }
}

} // namespace netc::onnx
