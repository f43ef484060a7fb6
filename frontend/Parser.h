//===- Parser.h - Recursive-descent parser of the .net language -*- C++ -*-===//
//
// Builds the AST of a whole .net source and collects every syntax error it can
// find in one pass. Entry point: parse().
//
// Newlines end statements except inside ( ) and [ ]. The lexer emits every
// line end; the parser counts the brackets open around the current token and
// looks through newlines while that count is positive. When a bracket is
// never closed, this lets it report "found newline" at the line end where the
// statement evidently stopped, and resume at the next line.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_FRONTEND_PARSER_H
#define NETC_FRONTEND_PARSER_H

#include "frontend/AST.h"
#include "frontend/Token.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace netc::frontend {

/// The AST of a source and its syntax errors (empty on success). The AST
/// holds what could be built: a statement with an error is left out.
struct ParseResult {
  std::unique_ptr<File> file;
  std::vector<Diagnostic> errors;
};

/// Parses a whole .net source. Never throws, never crashes, never loops
/// forever on any input; on errors returns all syntax errors it found, sorted
/// by location (recovering at statement boundaries: newline, ';' and '}'),
/// at most MaxErrors of them plus a last "too many errors" one, and whatever
/// AST it could build.
ParseResult parse(std::string_view source);

/// An expression parsed on its own and its lexical and syntax errors (empty
/// on success).
struct ExprParseResult {
  ExprPtr expr;
  std::vector<Diagnostic> errors;
};

/// Parses \p source as one expression and nothing else: the value of a
/// command-line flag written in the language, such as `--train-with
/// 'sgd(lr=0.1)'`. Locations are line 1 and the column in \p source.
ExprParseResult parseExpression(std::string_view source);

/// The recursive-descent parser behind parse(), over the tokens of a Lexer.
class Parser {
public:
  /// Errors past this many are dropped and parsing stops.
  static constexpr size_t MaxErrors = 100;
  /// The most brackets, calls, negations and `repeat` blocks open at once;
  /// bounds the parser's recursion.
  static constexpr unsigned MaxNesting = 256;
  /// The deepest expression tree; bounds the recursion of code walking the
  /// AST (and of its destructors) on long operator chains.
  static constexpr unsigned MaxExprDepth = 1024;
  /// The most statements in a file, counting those of every model; bounds
  /// the memory of the syntax tree and of the import.
  static constexpr size_t MaxStatements = 100000;

  /// Parses \p tokens, which must end with an Eof token.
  explicit Parser(std::vector<Token> tokens);

  /// Parses the whole token stream into a File.
  std::unique_ptr<File> parseFile();

  /// Parses the whole token stream as one expression; nullptr after an error.
  ExprPtr parseLoneExpression();

  /// The syntax errors found, in the order they were found.
  const std::vector<Diagnostic> &getErrors() const { return errors; }

private:
  /// Increments the recursion depth and, for brackets, the bracket count for
  /// the lifetime of a nested construct.
  class Scope;

  //===--------------------------------------------------------------------===//
  // Tokens
  //===--------------------------------------------------------------------===//

  /// The index of the current token: inside brackets, past any newline.
  size_t currentIndex() const;
  /// The current token.
  const Token &tok() const { return toks[currentIndex()]; }
  /// The significant token \p n places after the current one.
  const Token &peekAhead(size_t n) const;
  bool at(TokenKind kind) const { return tok().kind == kind; }
  /// Moves past the current token and returns it (Eof stays put).
  const Token &consume();
  /// Skips newlines and ';' between statements.
  void skipStatementSeparators();

  //===--------------------------------------------------------------------===//
  // Errors and recovery
  //===--------------------------------------------------------------------===//

  /// Records an error, unless parsing already gave up.
  void error(Loc loc, std::string message);
  /// Reports "expected WHAT, found TOKEN" at the current token and prepares
  /// recovery. Says "found newline" instead when the current token opens a
  /// new line that reads as a new statement (a bracket was left open).
  void errorExpected(const std::string &what);
  /// Reports an error at \p loc that abandons the statement; recovery
  /// starts at the current token.
  void errorAbandon(Loc loc, std::string message);
  /// Reports "expression nested too deeply" when one more level of nesting
  /// would pass MaxNesting.
  bool tooDeep(const char *what = "expression");
  /// Reports "expression nested too deeply" at \p loc when a tree of depth
  /// \p depth would pass MaxExprDepth.
  bool exprTooDeep(unsigned depth, Loc loc);
  /// Counts one more statement; past MaxStatements, reports it at the
  /// current token and stops parsing.
  bool tooManyStatements();
  /// True when the line starting at token \p index reads as a statement of
  /// its own rather than the continuation of an open bracket.
  bool startsNewStatement(size_t index) const;
  /// Skips the rest of a statement with an error: up to and past the next
  /// newline or ';' outside brackets and braces, or up to a '}' closing the
  /// enclosing block.
  void recoverStatement();
  /// Skips to the next 'model', 'block' or 'const' outside braces after a
  /// bad item.
  void recoverTopLevel();

  /// Takes the current token as a name that a declaration introduces: an
  /// identifier, or a reserved word, reported as one ("'in' is a reserved
  /// word and cannot be used as NOUN") and taken anyway so parsing goes on.
  /// Anything else is reported as "expected NOUN CONTEXT" and gives null.
  const Token *parseName(const std::string &noun, const std::string &context);
  /// Parses `('.' (IDENT | INT))*` after the first part of a dotted name
  /// and appends it to \p name; \p lastLoc is set to the last part's
  /// location. False after an error.
  bool parseDottedTail(std::string &name, Loc &lastLoc);

  //===--------------------------------------------------------------------===//
  // Items and statements (Parser.cpp, ParserBlocks.cpp)
  //===--------------------------------------------------------------------===//

  StmtPtr parseModel();
  /// block := 'block' IDENT '(' params ')' NEWLINE* '{' stmt* '}'
  StmtPtr parseBlockDecl();
  /// Parses `NEWLINE* '{' stmt* '}'` after a header; \p after names what
  /// the '{' should follow, \p closeWhat the body.
  bool parseBraced(std::vector<StmtPtr> &body, const std::string &after,
                   const std::string &closeWhat);
  StmtPtr parseIf();
  StmtPtr parseReturn();
  /// Parses statements up to the closing '}'. Returns false when the block
  /// is unclosed (the error is reported once, by the innermost block).
  bool parseBlock(std::vector<StmtPtr> &body, const std::string &closeWhat);
  /// Parses one statement, its terminator and, on an error, recovers.
  StmtPtr parseStatement();
  StmtPtr parseStatementBody();
  bool expectTerminator();
  std::unique_ptr<ConstDecl> parseConst();
  StmtPtr parseInput();
  /// Parses an optional `name="..."` after a declaration's type into
  /// `exportName` (ParserNames.cpp); false after an error.
  bool parseExportName(std::string &exportName);
  /// weights := 'weights' STRING (ParserNames.cpp).
  StmtPtr parseWeights();
  StmtPtr parseParam();
  StmtPtr parseOutputOrLoss();
  StmtPtr parseTrain();
  StmtPtr parseRepeat();
  StmtPtr parseAssign();
  bool parseType(TypeExpr &type);

  //===--------------------------------------------------------------------===//
  // Expressions (ParserExpr.cpp). Each sets \p depth to the depth of the
  // tree it returns; all return nullptr after an error.
  //===--------------------------------------------------------------------===//

  /// expr ::= or-expr
  ExprPtr parseExpr(unsigned &depth);
  /// The binary operators by precedence level, loosest first:
  ///   or-expr  ::= and-expr ('or' and-expr)*
  ///   and-expr ::= not-expr ('and' not-expr)*
  ///   not-expr ::= 'not' not-expr | compare
  ///   compare  ::= sum (('==' | '!=' | '<' | '<=' | '>' | '>=') sum)?
  ///   sum      ::= term (('+' | '-') term)*
  ///   term     ::= unary (('*' | '/') unary)*
  /// as in Python, except that comparisons do not chain.
  ExprPtr parseLevel(unsigned level, unsigned &depth);
  /// A prefix operator \p op and its operand, parsed by \p operand.
  ExprPtr parsePrefix(UnaryOp op, unsigned level, unsigned &depth);
  /// unary ::= '-' unary | primary
  ExprPtr parseUnary(unsigned &depth);
  /// primary ::= literal | name ('.' (name | digits))* | call | '(' expr ')' | list
  ExprPtr parsePrimary(unsigned &depth);
  ExprPtr parseList(unsigned &depth);
  ExprPtr parseParenthesized(unsigned &depth);
  /// Parses the argument list of a call whose name was just consumed.
  std::unique_ptr<CallExpr> parseCallArgs(const Token &callee, unsigned &depth);
  /// Parses `name(...)` for `init=` and `train`; \p what names the expected
  /// call in the error message.
  std::unique_ptr<CallExpr> parseCallOnly(const std::string &what);

  std::vector<Token> toks;
  size_t pos = 0;
  /// The last token consumed, for "after 'X'" in messages.
  size_t prevIndex = 0;
  /// Open '(' and '[' around the current token.
  unsigned nest = 0;
  /// Nested constructs being parsed, to bound recursion.
  unsigned recursion = 0;
  /// Where recoverStatement starts: with this many brackets open, or at the
  /// current newline, set by the last fatal error.
  unsigned recoveryNest = 0;
  /// Set when a block ended without '}', so enclosing blocks stop silently.
  bool blockUnclosed = false;
  bool gaveUp = false;
  /// Statements parsed so far (tooManyStatements).
  size_t statementCount = 0;
  std::vector<Diagnostic> errors;
};

/// Counts one level of nesting (and, for brackets, one open bracket) for as
/// long as it lives, so every return path restores the counts.
class Parser::Scope {
public:
  Scope(Parser &parser, bool bracket) : parser(parser), bracket(bracket) {
    ++parser.recursion;
    if (bracket)
      ++parser.nest;
  }
  ~Scope() {
    --parser.recursion;
    if (bracket)
      --parser.nest;
  }
  Scope(const Scope &) = delete;
  Scope &operator=(const Scope &) = delete;

private:
  Parser &parser;
  bool bracket;
};

} // namespace netc::frontend

#endif // NETC_FRONTEND_PARSER_H
