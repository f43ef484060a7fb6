//===- OnnxOpList.h - the ONNX ops the importer converts --------*- C++ -*-===//
//
// `netc --list-onnx-ops`: what the importer's registry converts, for users and
// for the conformance suite (tests/onnx/conformance.py), which runs the tests
// of exactly these ops. Like OnnxImport.h, this header names neither protobuf
// nor ONNX.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_ONNX_ONNXOPLIST_H
#define NETC_ONNX_ONNXOPLIST_H

#include "llvm/Support/raw_ostream.h"

namespace netc::onnx {

/// Prints each ONNX op type of the default domain that the importer converts,
/// one a line in op-type order, with the opsets it converts it from:
/// `Conv 7-17`, or `Foo 7-10, 13-17` when some opsets in between are not.
void printOnnxOps(llvm::raw_ostream &os);

} // namespace netc::onnx

#endif // NETC_ONNX_ONNXOPLIST_H
