//===- Help.h - netc's --help overview, --version and option groups -*- C++ -*-===//
//
// What netc says about itself: the overview at the top of --help, the
// --version text, and which option groups --help shows (netc's own and the
// few MLIR flags users need, out of MLIR's hundreds).
//
//===----------------------------------------------------------------------===//

#ifndef NETC_TOOLS_NETC_HELP_H
#define NETC_TOOLS_NETC_HELP_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/raw_ostream.h"

namespace netc::tool {

/// The overview of --help: the commonest commands and the exit codes.
extern const char *const kOverview;

/// Prints netc's version and those of the libraries it was built with.
void printVersion(llvm::raw_ostream &os);

/// Hides every option outside `shown`; MLIR's flags that users need join
/// `mlir` first. Hidden options still work.
void showOnlyOptions(llvm::ArrayRef<const llvm::cl::OptionCategory *> shown,
                     llvm::cl::OptionCategory &mlir);

} // namespace netc::tool

#endif // NETC_TOOLS_NETC_HELP_H
