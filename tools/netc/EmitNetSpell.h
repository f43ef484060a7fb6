//===- EmitNetSpell.h - spelling IR values as .net text ---------*- C++ -*-===//
//
// The pieces of --emit=net that turn attributes, numbers, types and names
// into .net text (EmitNetSpell.cpp); EmitNet.cpp decides what to print.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_TOOLS_NETC_EMITNETSPELL_H
#define NETC_TOOLS_NETC_EMITNETSPELL_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"

#include <optional>
#include <string>
#include <vector>

namespace netc::tool {

/// A float as a .net literal that reads back to the same double (to the same
/// float when `asF32`), always with a '.' or an exponent; nullopt for inf, nan.
std::optional<std::string> spellFloat(double value, bool asF32 = false);
/// An integer list `[1, 2]`.
std::string spellInts(llvm::ArrayRef<int64_t> values);
/// `f32[1, 3, 8, 8]`; nullopt for a 0-d or non-numeric type.
std::optional<std::string> spellType(mlir::Type type);
/// The dtype string of an element type ("f32"), or empty.
std::string dtypeName(mlir::Type element);
/// An attribute as a keyword value of a generic call, or nullopt.
std::optional<std::string> spellAttribute(mlir::Attribute attr);
/// A constant tensor as an expression: a number where `asNumber` allows a
/// 0-d one, else `constant(...)`.
std::optional<std::string> spellConstant(mlir::DenseElementsAttr value, bool asNumber);
/// A string literal with its quotes.
std::string quote(llvm::StringRef text);

/// Whether `name` is an identifier that is no keyword of the language.
bool isPlainIdentifier(llvm::StringRef name);
/// Whether `name` can be written as a dotted reference (`layer1.0.conv1.weight`).
bool isDottedName(llvm::StringRef name);
/// An identifier made from `hint` (a value's name), or "t".
std::string identifierFrom(llvm::StringRef hint);

/// The nn.init dictionary as `init=...` text (empty for zeros(), the
/// default); nullopt when the language has no initialiser for it.
std::optional<std::string> spellInit(mlir::DictionaryAttr init);

} // namespace netc::tool

#endif // NETC_TOOLS_NETC_EMITNETSPELL_H
