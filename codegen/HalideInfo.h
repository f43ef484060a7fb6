//===- HalideInfo.h - facts about the Halide library in use -----*- C++ -*-===//
//
// Kept free of Halide.h so that callers compile without Halide's large header.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_CODEGEN_HALIDEINFO_H
#define NETC_CODEGEN_HALIDEINFO_H

#include <string>

namespace netc::codegen {

/// The version of the Halide library netc generates code with.
std::string halideVersion();

/// Halide's description of this machine ("x86-64-linux-avx-avx2-..."), the `host` target.
std::string halideHostTarget();

} // namespace netc::codegen

#endif // NETC_CODEGEN_HALIDEINFO_H
