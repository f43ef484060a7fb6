//===- OnnxTensor.h - ONNX TensorProto files (.pb) --------------*- C++ -*-===//
//
// Plain C++17, without protobuf: a TensorProto serialized alone, as ONNX's
// test data holds them (test_data_set_0/input_0.pb) and as
// onnx.numpy_helper.from_array(...).SerializeToString() writes them, is
// decoded from the protobuf wire format directly. Its name, dims and
// data_type, and its elements from raw_data or from the typed fields
// (float_data, int32_data, int64_data, double_data, uint64_data) are read;
// strings, external data and segments are refused with an error.
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

/// Decodes the TensorProto in `bytes[0, size)`; `path` names it in messages.
bool parseOnnxTensor(const uint8_t *bytes, size_t size, const std::string &path, OnnxTensor &out,
                     std::string &error);

} // namespace netc::runtime

#endif // NETC_RUNTIME_ONNXTENSOR_H
