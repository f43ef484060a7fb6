//===- OnnxTensorFile.cpp - ONNX TensorProto files (.pb) through protobuf -===//
//
// A .pb tensor file (ONNX's test data, input_0.pb, or
// onnx.numpy_helper.from_array(...).SerializeToString()) is one serialized
// TensorProto, parsed by libonnx's protobuf classes. The runtime itself links
// no protobuf: netc installs this parser into it (runtime/OnnxTensor.h), so
// `netc --run` reads .pb files while generated executables stay free of it.
//
//===----------------------------------------------------------------------===//

#include "onnx/OnnxTensorFile.h"

#include "runtime/OnnxTensor.h"
#include "runtime/Safetensors.h"

#include <onnx/onnx_pb.h>

#include <cstring>

namespace netc::onnx {

namespace {

const char *dtypeOfOnnx(uint64_t type) {
  switch (type) {
  case 1:
    return "F32";
  case 2:
    return "U8";
  case 3:
    return "I8";
  case 4:
    return "U16";
  case 5:
    return "I16";
  case 6:
    return "I32";
  case 7:
    return "I64";
  case 9:
    return "BOOL";
  case 10:
    return "F16";
  case 11:
    return "F64";
  case 12:
    return "U32";
  case 13:
    return "U64";
  case 16:
    return "BF16";
  }
  return nullptr;
}

/// The elements of `tensor` as `count` little-endian values of `width` bytes.
template <typename Field>
void narrow(const Field &values, size_t width, std::vector<uint8_t> &out) {
  out.resize(values.size() * width);
  for (int i = 0; i < values.size(); ++i) {
    auto v = values.Get(i);
    std::memcpy(out.data() + i * width, &v, width);
  }
}

bool parseTensorProto(const uint8_t *bytes, size_t size, const std::string &path,
                      runtime::OnnxTensor &out, std::string &error) {
  ::onnx::TensorProto tensor;
  auto fail = [&](const std::string &why) {
    error = path + (out.name.empty() ? "" : ": tensor '" + runtime::printable(out.name) + "'") +
            ": " + why;
    return false;
  };
  if (size > size_t(INT32_MAX) || !tensor.ParseFromArray(bytes, static_cast<int>(size)))
    return fail("not an ONNX TensorProto (the protobuf data does not parse)");
  out.name = tensor.name();
  if (tensor.data_location() == ::onnx::TensorProto::EXTERNAL || tensor.external_data_size())
    return fail("tensors with external data are not read");
  if (tensor.has_segment())
    return fail("segmented tensors are not read");
  const char *dtype = dtypeOfOnnx(static_cast<uint64_t>(tensor.data_type()));
  if (!dtype)
    return fail("data_type " + std::to_string(tensor.data_type()) + " is not read");
  out.dtype = dtype;
  size_t width = runtime::safetensorsDTypeSize(out.dtype);
  uint64_t count = 1;
  for (int64_t d : tensor.dims()) {
    if (d < 0 || d > (int64_t(1) << 48) ||
        __builtin_mul_overflow(count, static_cast<uint64_t>(d), &count))
      return fail("dims are too large");
    out.shape.push_back(d);
  }
  uint64_t needed;
  if (__builtin_mul_overflow(count, width, &needed))
    return fail("dims are too large");
  if (tensor.has_raw_data()) {
    const std::string &raw = tensor.raw_data();
    if (raw.size() != needed)
      return fail("raw_data holds " + std::to_string(raw.size()) + " bytes, " + out.dtype +
                  " dims need " + std::to_string(needed));
    out.data.assign(raw.begin(), raw.end());
    return true;
  }
  // The typed fields: float_data and double_data hold their own types;
  // int32_data holds every narrower integer (and float16 bits), int64_data
  // and uint64_data their own.
  switch (tensor.data_type()) {
  case ::onnx::TensorProto::FLOAT:
    narrow(tensor.float_data(), 4, out.data);
    break;
  case ::onnx::TensorProto::DOUBLE:
    narrow(tensor.double_data(), 8, out.data);
    break;
  case ::onnx::TensorProto::INT64:
    narrow(tensor.int64_data(), 8, out.data);
    break;
  case ::onnx::TensorProto::UINT64:
  case ::onnx::TensorProto::UINT32:
    narrow(tensor.uint64_data(), width, out.data);
    break;
  default:
    narrow(tensor.int32_data(), width, out.data);
    break;
  }
  if (out.data.size() != needed)
    return fail("holds " + std::to_string(out.data.size() / width) + " elements, its dims need " +
                std::to_string(count));
  return true;
}

} // namespace

void installTensorProtoReader() { runtime::setOnnxTensorParser(parseTensorProto); }

} // namespace netc::onnx
