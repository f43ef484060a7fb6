//===- ModelWeights.h - initial values that travel with a model -*- C++ -*-===//
//
// A model may come with the values of its parameters and buffers: an ONNX
// file's initializers, or the file a .net model names in a `weights`
// statement. The frontends hand them on as the bytes of one safetensors file
// (runtime/Safetensors.h reads and writes them), kept beside the IR rather
// than in it, so that --emit=nn stays readable and a model compiles to the
// same IR whether its values come from an ONNX file or a .net file. The
// interpreter starts from them, executables and libraries embed them, and
// --weights still replaces them.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_IR_MODELWEIGHTS_H
#define NETC_IR_MODELWEIGHTS_H

#include <cstdint>
#include <string>
#include <vector>

namespace netc {

struct ModelWeights {
  /// A whole safetensors file in memory; empty when the model brings none.
  std::vector<uint8_t> safetensors;
  /// Where the values come from, for messages ("resnet18.onnx").
  std::string origin;

  bool empty() const { return safetensors.empty(); }
};

} // namespace netc

#endif // NETC_IR_MODELWEIGHTS_H
