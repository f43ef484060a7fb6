//===- Lexer.h - Lexer of the .net language ---------------------*- C++ -*-===//
//
// Turns a .net source into tokens. Lexical errors are reported once here and
// leave a token the parser can work with (an Error token for stray bytes, a
// literal with a placeholder value otherwise), so that one bad character does
// not also produce a syntax error.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_FRONTEND_LEXER_H
#define NETC_FRONTEND_LEXER_H

#include "frontend/Token.h"

#include <cstdint>
#include <string_view>
#include <vector>

namespace netc::frontend {

/// Lexes a whole `.net` source into a token vector that ends with Eof.
///
/// Lexical rules, where DSL.md leaves room:
/// - Line ends, blank lines and `#` comment lines collapse into one Newline
///   token located at the first line end; `\r`, tabs, form feeds and vertical
///   tabs are blanks.
/// - Integers are decimal digits. Floats are digits with a '.', an exponent or
///   both, as in Python: `0.1`, `2.`, `.5`, `1e-3`, `1.5E+2`. A literal that
///   runs into letters (`3x`, `0x10`, `1_000`) is an error.
/// - Strings are double-quoted, on one line, with the escapes `\"`, `\\`, `\n`
///   and `\t`. A single-quoted string is an error that still yields its string.
/// - `==`, `!=`, `<=` and `>=` are one token each; a lone `!` is an error.
/// - A '.' right after a name (no blank between) continues a dotted name,
///   and digits right after such a '.' are a name part (an Int token), so
///   `layer1.0.conv1` lexes as `layer1` `.` `0` `.` `conv1`, never as a float.
/// - const model input param output loss train repeat block return if else
///   in state and or not true false are reserved.
class Lexer {
public:
  /// The longest identifier, as the longest name of ir/Names.h (a number
  /// here: this library stays free of LLVM; Import.cpp checks they agree).
  static constexpr size_t MaxIdentifierBytes = 256;

  /// Prepares to lex \p source, which must outlive the tokens. Errors past
  /// \p maxErrors are dropped (lexing goes on), to bound the memory spent on
  /// binary garbage.
  explicit Lexer(std::string_view source, size_t maxErrors = SIZE_MAX)
      : src(source), maxErrors(maxErrors) {}

  /// Lexes the whole source. The result always ends with one Eof token.
  std::vector<Token> lexAll();

  /// The lexical errors found by lexAll, in source order.
  const std::vector<Diagnostic> &getErrors() const { return errors; }

private:
  bool atEnd() const { return pos >= src.size(); }
  /// The byte \p ahead bytes past the current one, or '\0' past the end.
  char peekChar(size_t ahead = 0) const;
  /// Moves past one byte, keeping line and column up to date.
  void advance();
  Loc here() const { return Loc{line, col}; }
  void error(Loc loc, std::string message);

  Token lexToken();
  Token makeToken(TokenKind kind, size_t begin, Loc loc) const;
  /// Skips blanks and a comment, but not the line end that closes it.
  void skipBlanksAndComment();
  Token lexNewlines();
  Token lexIdentifier();
  Token lexNumber();
  /// Lexes a punctuation token of \p length bytes.
  Token lexPunctuation(TokenKind kind, size_t length = 1);
  /// Lexes the digits of a dotted name's part, as in `layer1.0.conv1`.
  Token lexNameSegment();
  Token lexString();
  Token lexSingleQuoted();
  Token lexUnexpected();

  std::string_view src;
  size_t maxErrors;
  size_t pos = 0;
  uint32_t line = 1, col = 1;
  /// The previous token's kind and the byte past it: a '.' or digits glued
  /// to a name continue a dotted name.
  TokenKind prevKind = TokenKind::Newline;
  size_t prevEnd = SIZE_MAX;
  /// Set when the previous token is a '.' glued to a name.
  bool dotInName = false;
  std::vector<Diagnostic> errors;
};

} // namespace netc::frontend

#endif // NETC_FRONTEND_LEXER_H
