//===- InputFiles.h - reading netc's inputs, guarding its outputs -*- C++ -*-===//
//
// netc reads only regular files (or stdin) of bounded size, so that
// `netc /dev/zero` or a huge file ends in an error instead of exhausting
// memory, and it refuses to write an output over one of its inputs.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_TOOLS_NETC_INPUTFILES_H
#define NETC_TOOLS_NETC_INPUTFILES_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace netc::tool {

/// The largest .net file netc reads (4 MiB): far above any model written by
/// hand, far below what would exhaust memory (a parsed statement costs about
/// fifty times its text).
constexpr uint64_t kMaxNetFileBytes = 4ull << 20;
/// The largest .mlir file netc reads (256 MiB): MLIR text may hold constants.
constexpr uint64_t kMaxMLIRFileBytes = 256ull << 20;

/// Reads `path` ("-" is stdin) if it is a regular file (or stdin) of at
/// most `limit` bytes; otherwise sets `error` and returns null.
std::unique_ptr<llvm::MemoryBuffer> readInputFile(llvm::StringRef path, uint64_t limit,
                                                  std::string &error);

/// The first pair of an output and an input that are the same file (also
/// through links), described for an error, or nullopt. "-" and files that
/// do not exist never match.
std::optional<std::string> outputOverwritingInput(llvm::ArrayRef<std::string> outputs,
                                                  llvm::ArrayRef<std::string> inputs);

} // namespace netc::tool

#endif // NETC_TOOLS_NETC_INPUTFILES_H
