//===- ParserExpr.cpp - Expressions of the .net language ------------------===//
//
// Precedence, from loosest: '+' '-', then '*' '/', then prefix '-'; binary
// operators are left-associative, so `a - b - c` is `(a - b) - c` and
// `-a * b` is `(-a) * b`, as in Python.
//
//===----------------------------------------------------------------------===//

#include "frontend/Parser.h"

#include <fmt/format.h>

#include <algorithm>

using namespace netc::frontend;

ExprPtr Parser::parseExpr(unsigned &depth) {
  ExprPtr lhs = parseTerm(depth);
  if (!lhs)
    return nullptr;
  while (at(TokenKind::Plus) || at(TokenKind::Minus)) {
    const Token &op = consume();
    unsigned rhsDepth = 0;
    ExprPtr rhs = parseTerm(rhsDepth);
    if (!rhs)
      return nullptr;
    depth = std::max(depth, rhsDepth) + 1;
    if (exprTooDeep(depth, op.loc))
      return nullptr;
    BinaryOp kind = op.kind == TokenKind::Plus ? BinaryOp::Add : BinaryOp::Sub;
    lhs = std::make_unique<BinaryExpr>(op.loc, kind, std::move(lhs),
                                       std::move(rhs));
  }
  return lhs;
}

ExprPtr Parser::parseTerm(unsigned &depth) {
  ExprPtr lhs = parseUnary(depth);
  if (!lhs)
    return nullptr;
  while (at(TokenKind::Star) || at(TokenKind::Slash)) {
    const Token &op = consume();
    unsigned rhsDepth = 0;
    ExprPtr rhs = parseUnary(rhsDepth);
    if (!rhs)
      return nullptr;
    depth = std::max(depth, rhsDepth) + 1;
    if (exprTooDeep(depth, op.loc))
      return nullptr;
    BinaryOp kind = op.kind == TokenKind::Star ? BinaryOp::Mul : BinaryOp::Div;
    lhs = std::make_unique<BinaryExpr>(op.loc, kind, std::move(lhs),
                                       std::move(rhs));
  }
  return lhs;
}

ExprPtr Parser::parseUnary(unsigned &depth) {
  if (!at(TokenKind::Minus))
    return parsePrimary(depth);
  if (tooDeep())
    return nullptr;
  Scope scope(*this, /*bracket=*/false);
  const Token &op = consume();
  ExprPtr operand = parseUnary(depth);
  if (!operand)
    return nullptr;
  if (exprTooDeep(++depth, op.loc))
    return nullptr;
  return std::make_unique<UnaryExpr>(op.loc, UnaryOp::Neg, std::move(operand));
}

ExprPtr Parser::parsePrimary(unsigned &depth) {
  const Token &t = tok();
  depth = 1;
  switch (t.kind) {
  case TokenKind::Int:
    consume();
    return std::make_unique<IntLit>(t.loc, t.intValue);
  case TokenKind::Float:
    consume();
    return std::make_unique<FloatLit>(t.loc, t.floatValue);
  case TokenKind::String:
    consume();
    return std::make_unique<StringLit>(t.loc, t.stringValue);
  case TokenKind::KwTrue:
  case TokenKind::KwFalse:
    consume();
    return std::make_unique<BoolLit>(t.loc, t.kind == TokenKind::KwTrue);
  case TokenKind::LParen:
    return parseParenthesized(depth);
  case TokenKind::LBracket:
    return parseList(depth);
  case TokenKind::Ident:
    break;
  default:
    errorExpected(
        fmt::format("expression after '{}'", printable(toks[prevIndex].text)));
    return nullptr;
  }

  consume();
  if (at(TokenKind::LParen))
    return parseCallArgs(t, depth);
  if (!at(TokenKind::Dot))
    return std::make_unique<NameRef>(t.loc, std::string(t.text));
  consume();
  if (!at(TokenKind::Ident)) {
    errorExpected(fmt::format("a name after '{}.'", t.text));
    return nullptr;
  }
  const Token &member = consume();
  if (at(TokenKind::Dot)) {
    errorAbandon(tok().loc, fmt::format("unexpected '.' after '{}.{}', dotted "
                                        "names have two parts",
                                        t.text, member.text));
    return nullptr;
  }
  return std::make_unique<DottedRef>(t.loc, std::string(t.text),
                                     std::string(member.text), member.loc);
}

ExprPtr Parser::parseParenthesized(unsigned &depth) {
  if (tooDeep())
    return nullptr;
  Scope scope(*this, /*bracket=*/true);
  const Token &open = consume();
  ExprPtr inner = parseExpr(depth);
  if (!inner)
    return nullptr;
  if (!at(TokenKind::RParen)) {
    errorExpected(fmt::format("')' to close the '(' at {}:{}", open.loc.line,
                              open.loc.col));
    return nullptr;
  }
  consume();
  return inner;
}

ExprPtr Parser::parseList(unsigned &depth) {
  if (tooDeep())
    return nullptr;
  Scope scope(*this, /*bracket=*/true);
  const Token &open = consume();
  std::vector<ExprPtr> elements;
  unsigned maxDepth = 0;
  while (true) {
    unsigned elementDepth = 0;
    ExprPtr element = parseExpr(elementDepth);
    if (!element)
      return nullptr;
    maxDepth = std::max(maxDepth, elementDepth);
    elements.push_back(std::move(element));
    if (at(TokenKind::Comma)) {
      consume();
      if (at(TokenKind::RBracket))
        break; // A trailing comma, as Python allows.
      continue;
    }
    if (at(TokenKind::RBracket))
      break;
    errorExpected("']' to close the list");
    return nullptr;
  }
  consume();
  depth = maxDepth + 1;
  if (exprTooDeep(depth, open.loc))
    return nullptr;
  return std::make_unique<ListExpr>(open.loc, std::move(elements));
}

std::unique_ptr<CallExpr> Parser::parseCallArgs(const Token &callee,
                                                unsigned &depth) {
  if (tooDeep())
    return nullptr;
  Scope scope(*this, /*bracket=*/true);
  consume(); // '('
  auto call = std::make_unique<CallExpr>(callee.loc, std::string(callee.text));
  unsigned maxDepth = 0;
  std::string_view lastKeyword;
  while (!at(TokenKind::RParen)) {
    unsigned argDepth = 0;
    if (at(TokenKind::Ident) && peekAhead(1).kind == TokenKind::Equal) {
      const Token &name = consume();
      consume(); // '='
      ExprPtr value = parseExpr(argDepth);
      if (!value)
        return nullptr;
      // Python rejects these at parse time too. Both are kept out of the AST
      // but do not abandon the call, so later arguments are still checked.
      if (call->findKeyword(std::string(name.text)))
        error(name.loc, fmt::format("keyword argument '{}' repeated in call "
                                    "to '{}'",
                                    name.text, callee.text));
      else
        call->keywords.push_back(
            KeywordArg{std::string(name.text), name.loc, std::move(value)});
      lastKeyword = name.text;
    } else {
      Loc start = tok().loc;
      ExprPtr arg = parseExpr(argDepth);
      if (!arg)
        return nullptr;
      if (!lastKeyword.empty())
        error(start, fmt::format("positional argument after keyword argument "
                                 "'{}' in call to '{}'",
                                 lastKeyword, callee.text));
      else
        call->args.push_back(std::move(arg));
    }
    maxDepth = std::max(maxDepth, argDepth);
    if (at(TokenKind::Comma)) {
      consume(); // A ')' after it is a trailing comma, as Python allows.
      continue;
    }
    if (!at(TokenKind::RParen)) {
      errorExpected(fmt::format("')' to close the call to '{}'", callee.text));
      return nullptr;
    }
  }
  consume();
  depth = maxDepth + 1;
  if (exprTooDeep(depth, callee.loc))
    return nullptr;
  return call;
}

std::unique_ptr<CallExpr> Parser::parseCallOnly(const std::string &what) {
  if (!at(TokenKind::Ident) || peekAhead(1).kind != TokenKind::LParen) {
    errorExpected(what);
    return nullptr;
  }
  const Token &callee = consume();
  unsigned depth = 0;
  return parseCallArgs(callee, depth);
}
