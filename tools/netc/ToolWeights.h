//===- ToolWeights.h - the model's initial values in netc -------*- C++ -*-===//
//
// The values that travel with the model netc compiles (ir/ModelWeights.h):
// the frontends fill them (a .net file's `weights` statement, an ONNX file's
// initializers) and the stages that need them read them from here.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_TOOLS_NETC_TOOLWEIGHTS_H
#define NETC_TOOLS_NETC_TOOLWEIGHTS_H

#include "ir/ModelWeights.h"

namespace netc::tool {

/// The initial values of the model of this run of netc; empty when it has none.
ModelWeights &toolModelWeights();

} // namespace netc::tool

namespace netc {
using tool::toolModelWeights;
} // namespace netc

#endif // NETC_TOOLS_NETC_TOOLWEIGHTS_H
