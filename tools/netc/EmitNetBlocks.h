//===- EmitNetBlocks.h - repeated pieces printed as blocks ------*- C++ -*-===//
//
// --emit=net prints a piece of a model as a `block` when the piece's layers
// share a module path (`layer1.0.conv1`, `layer1.0.bn1`: the piece
// `layer1.0`) and another piece has the same text up to its numbers: each
// number that differs between the pieces becomes an argument of the block,
// each piece a call named by its path. This file holds the text-level half:
// module paths and the comparison of pieces.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_TOOLS_NETC_EMITNETBLOCKS_H
#define NETC_TOOLS_NETC_EMITNETBLOCKS_H

#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace netc::tool {

/// The module path of the block a layer named `layerName` belongs to: the
/// path up to the first index that is followed by a name (`layer1.0` for
/// `layer1.0.conv1`, `features.1.0` for `features.1.0.block.0.0`), or empty.
std::string blockPathOf(llvm::StringRef layerName);

/// A piece's text split at its numbers: `text` with each number replaced by
/// '\x01', the numbers in order, and for each the keyword it follows (`out`
/// in `out=64`), or empty.
struct Skeleton {
  std::string text;
  std::vector<std::string> numbers, keywords;
};
Skeleton skeletonOf(const std::string &text);

/// Pieces of one skeleton made into one block: `definition` is the body with
/// the arguments in place of the numbers that differ, `arguments` their
/// names, `values[i]` the numbers piece i passes.
struct BlockTemplate {
  std::string body;
  std::vector<std::string> arguments;
  std::vector<std::vector<std::string>> values;
};
BlockTemplate makeTemplate(const std::vector<Skeleton> &pieces,
                           const std::vector<std::string> &taken);

} // namespace netc::tool

#endif // NETC_TOOLS_NETC_EMITNETBLOCKS_H
