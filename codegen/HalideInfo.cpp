//===- HalideInfo.cpp - facts about the Halide library in use -------------===//

#include "codegen/HalideInfo.h"

#include <Halide.h>

namespace netc::codegen {

std::string halideVersion() { return NETC_HALIDE_VERSION; }

std::string halideHostTarget() { return Halide::get_host_target().to_string(); }

} // namespace netc::codegen
