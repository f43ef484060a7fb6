//===- OnnxTensor.cpp - the hook that reads .pb tensor files --------------===//
//
// The runtime links no protobuf, so it cannot parse a TensorProto itself.
// A tool that can (netc, through libonnx) installs its parser here; an
// executable, which has none, says how to convert the file instead.
//
//===----------------------------------------------------------------------===//

#include "runtime/OnnxTensor.h"

namespace netc::runtime {

namespace {
OnnxTensorParser installedParser = nullptr;
} // namespace

void setOnnxTensorParser(OnnxTensorParser parser) { installedParser = parser; }

bool parseOnnxTensor(const uint8_t *bytes, size_t size, const std::string &path, OnnxTensor &out,
                     std::string &error) {
  if (installedParser)
    return installedParser(bytes, size, path, out, error);
  error = path + ": ONNX .pb tensor files are read by `netc --run`, not by compiled models; "
                 "save the tensor as .npy or .npz (onnx.numpy_helper.to_array, numpy.save)";
  return false;
}

} // namespace netc::runtime
