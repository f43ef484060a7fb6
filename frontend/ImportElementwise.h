//===- ImportElementwise.h - the elementwise ops of the language -*- C++ -*-===//
//
// The bindings of the second-wave elementwise ops (activations, abs, pow,
// clamp, erf, sin, cos, maximum, minimum, where, detach, cast), added to the
// op table of ImportOps.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_FRONTEND_IMPORTELEMENTWISE_H
#define NETC_FRONTEND_IMPORTELEMENTWISE_H

#include "frontend/ImportArgs.h"

#include <functional>
#include <string>

namespace netc::frontend {

/// How a call of the language is imported once its arguments are bound.
using OpHandler = std::function<Val(Importer &, const CallArgs &)>;

/// Calls `add` with the name, parameters and handler of each elementwise op.
void addElementwiseOps(const std::function<void(const std::string &, Signature, OpHandler)> &add);

} // namespace netc::frontend

#endif // NETC_FRONTEND_IMPORTELEMENTWISE_H
