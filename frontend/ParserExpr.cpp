//===- ParserExpr.cpp - Expressions of the .net language ------------------===//
//
// Precedence, from loosest: 'or', 'and', prefix 'not', the comparisons,
// '+' '-', then '*' '/', then prefix '-', as in Python; binary operators are
// left-associative, so `a - b - c` is `(a - b) - c` and `-a * b` is
// `(-a) * b`. Comparisons do not chain.
//
//===----------------------------------------------------------------------===//

#include "frontend/Parser.h"
#include "frontend/Lexer.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

using namespace netc::frontend;

namespace {
/// Precedence levels of parseLevel, loosest first.
enum Level : unsigned { OrLevel, AndLevel, NotLevel, CompareLevel, SumLevel, TermLevel };
} // namespace

/// The binary operator a token spells at precedence \p level, if any.
static std::optional<BinaryOp> binaryOpAt(TokenKind kind, unsigned level) {
  static const std::pair<TokenKind, BinaryOp> table[] = {
      {TokenKind::KwOr, BinaryOp::Or},          {TokenKind::KwAnd, BinaryOp::And},
      {TokenKind::EqualEqual, BinaryOp::Eq},    {TokenKind::NotEqual, BinaryOp::Ne},
      {TokenKind::Less, BinaryOp::Lt},          {TokenKind::LessEqual, BinaryOp::Le},
      {TokenKind::Greater, BinaryOp::Gt},       {TokenKind::GreaterEqual, BinaryOp::Ge},
      {TokenKind::Plus, BinaryOp::Add},         {TokenKind::Minus, BinaryOp::Sub},
      {TokenKind::Star, BinaryOp::Mul},         {TokenKind::Slash, BinaryOp::Div}};
  for (const auto &[token, op] : table) {
    if (token != kind)
      continue;
    unsigned opLevel = op == BinaryOp::Or    ? OrLevel
                       : op == BinaryOp::And ? AndLevel
                       : isComparison(op)    ? CompareLevel
                       : op == BinaryOp::Add || op == BinaryOp::Sub ? SumLevel
                                                                    : TermLevel;
    if (opLevel == level)
      return op;
  }
  return std::nullopt;
}

ExprPtr Parser::parseExpr(unsigned &depth) { return parseLevel(OrLevel, depth); }

ExprPtr Parser::parseLevel(unsigned level, unsigned &depth) {
  if (level == NotLevel)
    return at(TokenKind::KwNot) ? parsePrefix(UnaryOp::Not, NotLevel, depth)
                                : parseLevel(CompareLevel, depth);
  auto operand = [&](unsigned &d) {
    return level == TermLevel ? parseUnary(d) : parseLevel(level + 1, d);
  };
  ExprPtr lhs = operand(depth);
  if (!lhs)
    return nullptr;
  while (std::optional<BinaryOp> kind = binaryOpAt(tok().kind, level)) {
    const Token &op = consume();
    unsigned rhsDepth = 0;
    ExprPtr rhs = operand(rhsDepth);
    if (!rhs)
      return nullptr;
    depth = std::max(depth, rhsDepth) + 1;
    if (exprTooDeep(depth, op.loc))
      return nullptr;
    lhs = std::make_unique<BinaryExpr>(op.loc, *kind, std::move(lhs), std::move(rhs));
    // `a < b < c` reads differently in Python and in C; neither is allowed.
    if (level == CompareLevel && binaryOpAt(tok().kind, level)) {
      errorAbandon(tok().loc, fmt::format("comparisons cannot be chained: '{}' after '{}'; "
                                          "join them with 'and'",
                                          printable(tok().text), printable(op.text)));
      return nullptr;
    }
  }
  return lhs;
}

ExprPtr Parser::parsePrefix(UnaryOp kind, unsigned level, unsigned &depth) {
  if (tooDeep())
    return nullptr;
  Scope scope(*this, /*bracket=*/false);
  const Token &op = consume();
  ExprPtr operand = kind == UnaryOp::Neg ? parseUnary(depth) : parseLevel(level, depth);
  if (!operand)
    return nullptr;
  if (exprTooDeep(++depth, op.loc))
    return nullptr;
  return std::make_unique<UnaryExpr>(op.loc, kind, std::move(operand));
}

ExprPtr Parser::parseUnary(unsigned &depth) {
  if (!at(TokenKind::Minus))
    return parsePrimary(depth);
  return parsePrefix(UnaryOp::Neg, TermLevel, depth);
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
  std::string name(t.text);
  Loc lastLoc = t.loc;
  if (!parseDottedTail(name, lastLoc))
    return nullptr;
  // `nn.conv2d(...)`: an op of the IR spelled directly (ImportGeneric.cpp).
  if (at(TokenKind::LParen)) {
    std::unique_ptr<CallExpr> call = parseCallArgs(t, depth);
    if (call)
      call->callee = name;
    return call;
  }
  size_t lastDot = name.rfind('.');
  return std::make_unique<DottedRef>(t.loc, name.substr(0, lastDot), name.substr(lastDot + 1),
                                     lastLoc);
}

bool Parser::parseDottedTail(std::string &name, Loc &lastLoc) {
  while (at(TokenKind::Dot)) {
    consume();
    // Digits are a part only when they are a plain integer (`.0`, not `.5e3`).
    bool digits = at(TokenKind::Int) &&
                  tok().text.find_first_not_of("0123456789") == std::string_view::npos;
    if (!at(TokenKind::Ident) && !digits) {
      errorExpected(fmt::format("a name after '{}.'", name));
      return false;
    }
    const Token &part = consume();
    name += "." + std::string(part.text);
    lastLoc = part.loc;
  }
  return true;
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
    bool reserved = isReservedWord(tok().kind);
    if ((at(TokenKind::Ident) || reserved) && peekAhead(1).kind == TokenKind::Equal) {
      const Token &name = consume();
      // `loss=` is train's choice of loss (`train adam(lr=1e-3, loss=d)`).
      if (reserved && name.kind != TokenKind::KwLoss)
        error(name.loc, fmt::format("reserved word '{}' cannot be used as an argument name",
                                    name.text));
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

//===----------------------------------------------------------------------===//
// An expression alone (command-line flags)
//===----------------------------------------------------------------------===//

ExprPtr Parser::parseLoneExpression() {
  skipStatementSeparators();
  if (at(TokenKind::Eof)) {
    errorExpected("an expression");
    return nullptr;
  }
  unsigned depth = 0;
  ExprPtr expr = parseExpr(depth);
  if (!expr)
    return nullptr;
  skipStatementSeparators();
  if (!at(TokenKind::Eof)) {
    errorExpected("the end of the expression");
    return nullptr;
  }
  return expr;
}

ExprParseResult netc::frontend::parseExpression(std::string_view source) {
  // A flag's value is one line: a newline in it is a separator, as in a file.
  Lexer lexer(source, Parser::MaxErrors + 1);
  Parser parser(lexer.lexAll());
  ExprParseResult result;
  result.expr = parser.parseLoneExpression();
  // The lexer's errors explain the parser's (an Error token), so they come first.
  result.errors = lexer.getErrors();
  if (result.errors.empty())
    result.errors = parser.getErrors();
  if (!result.errors.empty())
    result.expr = nullptr;
  return result;
}
