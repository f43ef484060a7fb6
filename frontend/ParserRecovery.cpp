//===- ParserRecovery.cpp - Errors, limits and error recovery -------------===//
//
// How the parser reports a mistake, bounds nesting and statement counts, and
// skips to the next statement or item to find further errors in one run.
//
//===----------------------------------------------------------------------===//

#include "frontend/Parser.h"

#include <fmt/format.h>

#include <utility>

using namespace netc::frontend;

//===----------------------------------------------------------------------===//
// Errors and recovery
//===----------------------------------------------------------------------===//

void Parser::error(Loc loc, std::string message) {
  if (gaveUp)
    return;
  errors.push_back(Diagnostic{loc, std::move(message)});
  if (errors.size() > MaxErrors) {
    // parse() reports one error past the cap as "too many errors"; the rest
    // of the file is skipped.
    gaveUp = true;
    pos = toks.size() - 1;
  }
}

void Parser::errorExpected(const std::string &what) {
  size_t i = currentIndex();
  if (i != pos && startsNewStatement(i)) {
    // A bracket is still open, but the next line reads as a statement of its
    // own: the closing bracket is missing, and the statement ended at the
    // line end. Report that, and resume at the next line.
    error(toks[pos].loc, fmt::format("expected {}, found newline", what));
    recoveryNest = 0;
    return;
  }
  const Token &found = toks[i];
  // An Error token was reported by the lexer already; one mistake, one error.
  if (found.kind != TokenKind::Error)
    error(found.loc,
          fmt::format("expected {}, found {}{}", what,
                      isStatementKeyword(found.kind) ? "keyword " : "",
                      describe(found)));
  recoveryNest = nest;
}

void Parser::errorAbandon(Loc loc, std::string message) {
  error(loc, std::move(message));
  recoveryNest = nest;
}

bool Parser::tooDeep(const char *what) {
  if (recursion < MaxNesting)
    return false;
  errorAbandon(tok().loc, fmt::format("{} nested too deeply", what));
  return true;
}

bool Parser::tooManyStatements() {
  if (++statementCount <= MaxStatements)
    return false;
  error(tok().loc, fmt::format("more than {} statements in the file", MaxStatements));
  // Nothing after this point is parsed.
  gaveUp = true;
  pos = toks.size() - 1;
  return true;
}

bool Parser::exprTooDeep(unsigned depth, Loc loc) {
  if (depth <= MaxExprDepth)
    return false;
  errorAbandon(loc, "expression nested too deeply");
  return true;
}

bool Parser::startsNewStatement(size_t index) const {
  const Token &first = toks[index];
  if (first.kind == TokenKind::Eof || first.kind == TokenKind::RBrace ||
      isStatementKeyword(first.kind))
    return true;
  // `name = ...` starts an assignment, unless it is a keyword argument: then
  // the line closes a bracket it did not open, or has a ',' outside brackets.
  if (first.kind != TokenKind::Ident ||
      toks[index + 1].kind != TokenKind::Equal)
    return false;
  unsigned depth = 0;
  for (size_t i = index + 2;; ++i) {
    switch (toks[i].kind) {
    case TokenKind::Newline:
    case TokenKind::Semicolon:
    case TokenKind::Eof:
    case TokenKind::LBrace:
    case TokenKind::RBrace:
      return true;
    case TokenKind::LParen:
    case TokenKind::LBracket:
      ++depth;
      break;
    case TokenKind::RParen:
    case TokenKind::RBracket:
      if (depth == 0)
        return false;
      --depth;
      break;
    case TokenKind::Comma:
      if (depth == 0)
        return false;
      break;
    default:
      break;
    }
  }
}

void Parser::recoverStatement() {
  // Brackets still open at the error must close before a line end counts,
  // unless the next line plainly starts a statement; braces opened while
  // skipping (a `repeat` with a bad header) are skipped whole.
  unsigned parens = recoveryNest, braces = 0;
  recoveryNest = 0;
  for (;; ++pos) {
    switch (toks[pos].kind) {
    case TokenKind::Eof:
      return;
    case TokenKind::Semicolon:
      if (braces == 0) {
        ++pos;
        return;
      }
      break;
    case TokenKind::Newline:
      if (braces == 0 && (parens == 0 || startsNewStatement(pos + 1))) {
        ++pos;
        return;
      }
      break;
    case TokenKind::LParen:
    case TokenKind::LBracket:
      ++parens;
      break;
    case TokenKind::RParen:
    case TokenKind::RBracket:
      if (parens > 0)
        --parens;
      break;
    case TokenKind::LBrace:
      ++braces;
      break;
    case TokenKind::RBrace:
      if (braces == 0)
        return; // It closes the enclosing block.
      --braces;
      break;
    default:
      break;
    }
  }
}

void Parser::recoverTopLevel() {
  recoveryNest = 0;
  unsigned braces = 0;
  for (;; ++pos) {
    switch (toks[pos].kind) {
    case TokenKind::Eof:
      return;
    case TokenKind::LBrace:
      ++braces;
      break;
    case TokenKind::RBrace:
      if (braces > 0)
        --braces;
      break;
    case TokenKind::KwModel:
    case TokenKind::KwBlock:
    case TokenKind::KwConst:
      if (braces == 0)
        return;
      break;
    default:
      break;
    }
  }
}
