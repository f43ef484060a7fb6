//===- ImportLoss.h - the losses and metrics of the language ----*- C++ -*-===//

#ifndef NETC_FRONTEND_IMPORTLOSS_H
#define NETC_FRONTEND_IMPORTLOSS_H

#include "frontend/ImportArgs.h"

#include <functional>
#include <string>

namespace netc::frontend {

/// How a callable of the language is imported.
using OpHandler = std::function<Val(Importer &, const CallArgs &)>;

/// Hands each loss and metric of the language (frontend/ImportLoss.cpp) to
/// `add` with its parameters and handler, for the op table of ImportOps.cpp.
void registerLossOps(const std::function<void(const std::string &, Signature, OpHandler)> &add);

} // namespace netc::frontend

#endif // NETC_FRONTEND_IMPORTLOSS_H
