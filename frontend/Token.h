//===- Token.h - Tokens and source locations of .net files ------*- C++ -*-===//
//
// Plain C++17: the lexer, the parser and the AST share these types, and none of
// them depends on MLIR or LLVM.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_FRONTEND_TOKEN_H
#define NETC_FRONTEND_TOKEN_H

#include <cstdint>
#include <string>
#include <string_view>

namespace netc::frontend {

/// A position in a .net source: 1-based line and column; the column counts
/// bytes, so a tab or a UTF-8 sequence advances it by its byte length.
struct Loc {
  uint32_t line = 0, col = 0;
};

/// True for the same line and column.
inline bool operator==(Loc a, Loc b) {
  return a.line == b.line && a.col == b.col;
}
/// True for different positions.
inline bool operator!=(Loc a, Loc b) { return !(a == b); }
/// Source order: by line, then column.
inline bool operator<(Loc a, Loc b) {
  return a.line != b.line ? a.line < b.line : a.col < b.col;
}

/// A syntax error at a source position. Messages follow the house style:
/// lowercase start, no trailing period, names and tokens in single quotes.
struct Diagnostic {
  Loc loc;
  std::string message;
};

/// The kinds of tokens of the `.net` language.
enum class TokenKind {
  Eof,
  /// One token stands for a run of line ends, blank lines and comment lines.
  Newline,
  /// A run of bytes the lexer already reported; the parser stays silent on it.
  Error,
  Ident,
  Int,
  Float,
  String,
  // Reserved words. `init` and the dtype names are ordinary identifiers that
  // the parser recognises by their spelling where they are special.
  KwConst,
  KwModel,
  KwInput,
  KwParam,
  KwOutput,
  KwLoss,
  KwTrain,
  KwRepeat,
  KwBlock,
  KwReturn,
  KwIf,
  KwElse,
  KwIn,
  KwState,
  KwAnd,
  KwOr,
  KwNot,
  KwTrue,
  KwFalse,
  // Punctuation.
  LParen,
  RParen,
  LBracket,
  RBracket,
  LBrace,
  RBrace,
  Comma,
  Colon,
  Semicolon,
  Dot,
  Equal,
  Plus,
  Minus,
  Star,
  Slash,
  EqualEqual,
  NotEqual,
  Less,
  LessEqual,
  Greater,
  GreaterEqual,
  /// `<-`, the update of a buffer.
  LeftArrow,
};

/// One token: its kind, where it starts, its spelling in the source, and the
/// value of a literal.
struct Token {
  TokenKind kind = TokenKind::Eof;
  Loc loc;
  /// The bytes of the source the token covers (a view into the source).
  std::string_view text;
  /// The value of an Int token.
  int64_t intValue = 0;
  /// The value of a Float token.
  double floatValue = 0;
  /// The contents of a String token, escapes resolved.
  std::string stringValue;
};

/// True for the reserved words that begin a statement or an item.
bool isStatementKeyword(TokenKind kind);

/// True for every reserved word (`model`, `in`, `and`, `true`, ...): none of
/// them can name a value, a parameter, a block or an argument.
bool isReservedWord(TokenKind kind);

/// Describes a token for the "found ..." part of a diagnostic: its quoted
/// spelling (shortened when long), `newline` or `end of file`.
std::string describe(const Token &tok);

/// Copies \p text for a diagnostic: valid UTF-8 is kept, control and invalid
/// bytes become `\xNN`, and text past \p maxChars characters becomes "...".
std::string printable(std::string_view text, size_t maxChars = 32);

} // namespace netc::frontend

#endif // NETC_FRONTEND_TOKEN_H
