//===- ImportSpatial.h - the spatial ops of the language --------*- C++ -*-===//
//
// The registration hook through which ImportSpatial.cpp adds its ops to the
// op table of ImportOps.cpp, and the one helper of ImportOps.cpp it shares.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_FRONTEND_IMPORTSPATIAL_H
#define NETC_FRONTEND_IMPORTSPATIAL_H

#include "frontend/ImportArgs.h"

#include <functional>
#include <optional>
#include <string>

namespace netc::frontend {

/// Imports one call of an op.
using OpHandler = std::function<Val(Importer &, const CallArgs &)>;
/// Adds an op to the language: its name, its parameters and its handler.
using OpRegistrar = std::function<void(const std::string &, Signature, OpHandler)>;

/// Adds conv1d, conv_transpose2d, upsample, the adaptive and global pools,
/// group_norm and instance_norm2d.
void registerSpatialOps(const OpRegistrar &add);

/// The prefix of a layer's parameters: `name=` or the op name and its index
/// (ImportOps.cpp); nullopt after an error.
std::optional<std::string> importLayerName(Importer &im, const CallArgs &args);

} // namespace netc::frontend

#endif // NETC_FRONTEND_IMPORTSPATIAL_H
