//===- HalideInfo.cpp - facts about the Halide library in use -------------===//

#include "codegen/HalideInfo.h"
#include "codegen/Lowering.h"

#include <Halide.h>

namespace netc::codegen {

std::string halideVersion() { return NETC_HALIDE_VERSION; }

std::string halideHostTarget() { return resolveTarget("host").to_string(); }

} // namespace netc::codegen
