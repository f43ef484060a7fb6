//===- DefaultWeights.h - the model's default weights in netc ---*- C++ -*-===//
//
// The one ModelWeights of a netc run (ir/ModelWeights.h): the frontends fill
// it (an ONNX file's initializers, a .net file's `weights` statement), and
// --run, --gradcheck and the artifacts (--emit=exe, lib) start from it. The
// hidden flag --default-weights FILE fills it from a tensor file, for tests.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_TOOLS_NETC_DEFAULTWEIGHTS_H
#define NETC_TOOLS_NETC_DEFAULTWEIGHTS_H

#include "ir/ModelWeights.h"

#include <string>

namespace netc::tool {

/// The default weights of the model netc compiles or runs; empty when the
/// model brings none.
extern ModelWeights modelWeights;

/// Replaces the model's default weights.
void setModelWeights(ModelWeights weights);

/// Reads the tensor file `path` (safetensors, .npz, .npy or .pb, as
/// runtime/TensorFile.h reads them) into `out` as the bytes of a
/// safetensors file, with `path` as its origin. False and a one-line
/// `error` naming the file on failure.
bool readModelWeights(const std::string &path, ModelWeights &out, std::string &error);

} // namespace netc::tool

#endif // NETC_TOOLS_NETC_DEFAULTWEIGHTS_H
