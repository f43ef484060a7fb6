//===- Names.h - the names of models, inputs, parameters and outputs -*- C++ -*-===//
//
// Names reach generated C and C++ sources, JSON, SVG, Graphviz and
// safetensors headers. One rule, checked by the frontend and by the nn
// dialect's verifier, keeps them to characters that need no quoting anywhere;
// the writers of text formats escape anyway, so that a name that bypasses
// both (a location name of an .mlir file) cannot break their output.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_IR_NAMES_H
#define NETC_IR_NAMES_H

#include "llvm/ADT/StringRef.h"

#include <cstddef>
#include <optional>
#include <string>

namespace netc {

/// The longest name a user may write (name="...", input, param, output).
constexpr size_t kMaxNameBytes = 256;
/// The longest name the compiler derives from a user's name by appending a
/// suffix (`NAME.exp_avg_sq`, `MODEL_train_step`).
constexpr size_t kMaxDerivedNameBytes = kMaxNameBytes + 64;

/// The characters a name may contain, for messages and documentation.
constexpr const char *kNameCharacters = "A-Z a-z 0-9 _ . : / -";

/// Why `name` is not a valid name (non-empty, at most `maxBytes` bytes, only
/// characters of kNameCharacters), or nullopt when it is one.
std::optional<std::string> checkName(llvm::StringRef name, size_t maxBytes = kMaxNameBytes);

/// `text` with every byte outside printable ASCII, and the backslash and the
/// single quote, written as \xNN: safe to quote in a diagnostic. Long texts
/// are cut after 64 bytes with "...".
std::string printableName(llvm::StringRef text);

/// `text` in double quotes, with backslashes before `"` and `\`: a string
/// literal of the .net language, and of the assembler's `.incbin`.
std::string quoteBackslashed(llvm::StringRef text);

/// `text` escaped for XML character data and attribute values (& < > " ').
/// Control characters that XML 1.0 forbids and invalid UTF-8 become U+FFFD.
std::string escapeXML(llvm::StringRef text);

/// `text` as the contents of a double-quoted Graphviz string: quotes and
/// backslashes escaped, line breaks as \n, other control bytes dropped.
std::string escapeDot(llvm::StringRef text);

} // namespace netc

#endif // NETC_IR_NAMES_H
