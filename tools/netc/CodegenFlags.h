//===- CodegenFlags.h - --conv-algo and what code generation is given -*- C++ -*-===//
//
// The code generation flags that live outside netc.cpp: --conv-algo, and
// the options and compile cache key that the flags add up to.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_TOOLS_NETC_CODEGENFLAGS_H
#define NETC_TOOLS_NETC_CODEGENFLAGS_H

#include "codegen/Codegen.h"

#include "llvm/Support/CommandLine.h"

#include <string>

namespace netc::tool {

/// Creates --conv-algo and the compile cache's flags in `category`.
void registerCodegenFlags(llvm::cl::OptionCategory &category);

/// The code generation options of the command line.
codegen::CodegenOptions codegenOptions(const std::string &target, const std::string &schedule,
                                       codegen::TuneMode tune);

/// What the compile cache key holds of this host's measurements: the
/// multiply-add width (HostTune.h) and the stored convolution choices that
/// --conv-algo=auto would use (ConvTune.h).
std::string tuningKey(codegen::TuneMode tune, const std::string &target);

} // namespace netc::tool

#endif // NETC_TOOLS_NETC_CODEGENFLAGS_H
