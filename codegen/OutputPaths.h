//===- OutputPaths.h - where netc's outputs go ------------------*- C++ -*-===//
//
// Outputs are written beside their destination and renamed into place. Two
// things keep that honest: a symbolic link given as an output is written
// through (its target replaced, the link kept, as `cp` does), and the
// private build folders are removed when a signal ends netc midway.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_CODEGEN_OUTPUTPATHS_H
#define NETC_CODEGEN_OUTPUTPATHS_H

#include "llvm/ADT/StringRef.h"

#include <string>

namespace netc::codegen {

/// The file a write to `path` must replace: `path` itself, or, when it is a
/// symbolic link, the file the chain of links ends at (which need not exist
/// yet). A loop of links, or a chain of more than 40, gives `path` back.
std::string resolveOutputLink(llvm::StringRef path);

/// Removes the folder `dir` and everything in it if SIGINT, SIGTERM, SIGHUP
/// or SIGQUIT ends the process before dontRemoveDirectoryOnSignal(dir).
/// At most 16 folders are registered at once; false when no slot is free.
bool removeDirectoryOnSignal(llvm::StringRef dir);

/// Forgets a folder registered with removeDirectoryOnSignal.
void dontRemoveDirectoryOnSignal(llvm::StringRef dir);

} // namespace netc::codegen

#endif // NETC_CODEGEN_OUTPUTPATHS_H
