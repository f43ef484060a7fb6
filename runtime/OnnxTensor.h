//===- OnnxTensor.h - ONNX TensorProto files (.pb) --------------*- C++ -*-===//
//
// A TensorProto serialized alone, as ONNX's test data holds them
// (test_data_set_0/input_0.pb). The runtime links no protobuf: the parser is
// installed by a tool that links libonnx (netc: onnx/OnnxTensorFile.h), and
// without one a .pb file is an error that says how to convert it.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_RUNTIME_ONNXTENSOR_H
#define NETC_RUNTIME_ONNXTENSOR_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace netc::runtime {

/// One tensor decoded from a TensorProto.
struct OnnxTensor {
  std::string name;
  /// The safetensors name of its dtype ("F32", ...).
  std::string dtype;
  std::vector<int64_t> shape;
  /// The elements, little-endian, in C order.
  std::vector<uint8_t> data;
};

/// A TensorProto parser: decodes `bytes[0, size)` into `out`, or sets
/// `error` (naming `path`) and returns false.
using OnnxTensorParser = bool (*)(const uint8_t *bytes, size_t size, const std::string &path,
                                  OnnxTensor &out, std::string &error);

/// Installs the parser parseOnnxTensor uses.
void setOnnxTensorParser(OnnxTensorParser parser);

/// Decodes the TensorProto in `bytes[0, size)` with the installed parser;
/// `path` names it in messages.
bool parseOnnxTensor(const uint8_t *bytes, size_t size, const std::string &path, OnnxTensor &out,
                     std::string &error);

} // namespace netc::runtime

#endif // NETC_RUNTIME_ONNXTENSOR_H
