//===- OnnxTensorFile.h - .pb tensor files read with protobuf ---*- C++ -*-===//
//
// Installs the reader of ONNX TensorProto files (.pb) into the runtime's
// tensor-file reader. Tools that link the ONNX library call it once at start.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_ONNX_ONNXTENSORFILE_H
#define NETC_ONNX_ONNXTENSORFILE_H

namespace netc::onnx {

/// Lets runtime::TensorFile read .pb files through libonnx's TensorProto.
void installTensorProtoReader();

} // namespace netc::onnx

#endif // NETC_ONNX_ONNXTENSORFILE_H
