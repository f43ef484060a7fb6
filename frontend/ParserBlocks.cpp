//===- ParserBlocks.cpp - Blocks, control flow and assignments -------------===//
//
// The second-wave statements: `block` items, `if`/`else`, `return`,
// `repeat [i in] N`, and assignments to one or several names. Reserved words
// used as names are reported here, where a declaration takes its name.
//
//===----------------------------------------------------------------------===//

#include "frontend/Parser.h"

#include <fmt/format.h>

#include <utility>

using namespace netc::frontend;

const Token *Parser::parseName(const std::string &noun, const std::string &context) {
  if (at(TokenKind::Ident))
    return &consume();
  if (isReservedWord(tok().kind)) {
    // One error, then go on as if it were a name: the rest of the statement
    // may hold other mistakes.
    const Token &word = consume();
    error(word.loc, fmt::format("reserved word '{}' cannot be used as {}", word.text, noun));
    return &word;
  }
  errorExpected(noun + context);
  return nullptr;
}

/// block  := 'block' IDENT '(' (param (',' param)* ','?)? ')' NEWLINE* '{' stmt* '}'
/// param  := IDENT ('=' expr)?
StmtPtr Parser::parseBlockDecl() {
  const Token &keyword = consume();
  const Token *nameTok = parseName("a block name", " after 'block'");
  if (!nameTok)
    return nullptr;
  std::string name(nameTok->text);
  if (!at(TokenKind::LParen)) {
    errorExpected(fmt::format("'(' after block name '{}'", name));
    return nullptr;
  }
  std::vector<BlockParam> params;
  {
    Scope scope(*this, /*bracket=*/true);
    consume();
    const BlockParam *firstDefault = nullptr;
    while (!at(TokenKind::RParen)) {
      const Token *param = parseName("an argument name", fmt::format(" in block '{}'", name));
      if (!param)
        return nullptr;
      BlockParam p{std::string(param->text), param->loc, nullptr};
      if (at(TokenKind::Equal)) {
        consume();
        unsigned depth = 0;
        p.defaultValue = parseExpr(depth);
        if (!p.defaultValue)
          return nullptr;
      }
      bool duplicate = false;
      for (const BlockParam &other : params)
        duplicate |= other.name == p.name;
      if (duplicate)
        error(p.loc, fmt::format("argument '{}' of block '{}' is declared twice", p.name, name));
      else if (p.name == "name")
        error(p.loc, fmt::format("block '{}' cannot take an argument called 'name': "
                                 "name=\"...\" names each call",
                                 name));
      else if (firstDefault && !p.defaultValue)
        error(p.loc, fmt::format("argument '{}' of block '{}' needs a default: it follows "
                                 "'{}', which has one",
                                 p.name, name, firstDefault->name));
      params.push_back(std::move(p));
      if (!firstDefault && params.back().defaultValue)
        firstDefault = &params.back();
      if (at(TokenKind::Comma)) {
        consume();
        continue;
      }
      if (!at(TokenKind::RParen)) {
        errorExpected(fmt::format("')' to close the arguments of block '{}'", name));
        return nullptr;
      }
    }
    consume();
  }
  std::vector<StmtPtr> body;
  if (!parseBraced(body, fmt::format("the arguments of block '{}'", name),
                   fmt::format("block '{}'", name)))
    return nullptr;
  return std::make_unique<BlockDecl>(keyword.loc, std::move(name), nameTok->loc,
                                     std::move(params), std::move(body));
}

/// if := 'if' expr NEWLINE* '{' stmt* '}' (NEWLINE* 'else' (if | NEWLINE* '{' stmt* '}'))?
StmtPtr Parser::parseIf() {
  const Token &keyword = consume();
  unsigned depth = 0;
  ExprPtr cond = parseExpr(depth);
  if (!cond)
    return nullptr;
  if (tooDeep("'if' blocks"))
    return nullptr;
  Scope scope(*this, /*bracket=*/false);
  std::vector<StmtPtr> then, otherwise;
  if (!parseBraced(then, "the condition of 'if'", "the body of 'if'") || blockUnclosed)
    return nullptr;
  // `else` may start the next line: no statement begins with it.
  size_t next = pos;
  while (toks[next].kind == TokenKind::Newline)
    ++next;
  if (toks[next].kind == TokenKind::KwElse) {
    pos = next;
    consume();
    if (at(TokenKind::KwIf)) {
      StmtPtr nested = parseIf();
      if (!nested)
        return nullptr;
      otherwise.push_back(std::move(nested));
    } else if (!parseBraced(otherwise, "'else'", "the body of 'else'")) {
      return nullptr;
    }
  }
  return std::make_unique<IfStmt>(keyword.loc, std::move(cond), std::move(then),
                                  std::move(otherwise));
}

/// return := 'return' expr (',' expr)*
StmtPtr Parser::parseReturn() {
  const Token &keyword = consume();
  std::vector<ExprPtr> values;
  do {
    if (!values.empty())
      consume(); // ','
    unsigned depth = 0;
    ExprPtr value = parseExpr(depth);
    if (!value)
      return nullptr;
    values.push_back(std::move(value));
  } while (at(TokenKind::Comma));
  return std::make_unique<ReturnStmt>(keyword.loc, std::move(values));
}

/// repeat := 'repeat' (IDENT 'in')? expr NEWLINE* '{' stmt* '}'
StmtPtr Parser::parseRepeat() {
  const Token &keyword = consume();
  std::string indexName;
  Loc indexLoc;
  if ((at(TokenKind::Ident) || isReservedWord(tok().kind)) &&
      peekAhead(1).kind == TokenKind::KwIn) {
    const Token *index = parseName("a loop index", " after 'repeat'");
    indexName = std::string(index->text);
    indexLoc = index->loc;
    consume(); // 'in'
  }
  unsigned depth = 0;
  ExprPtr count = parseExpr(depth);
  if (!count)
    return nullptr;
  if (tooDeep("'repeat' blocks"))
    return nullptr;
  Scope scope(*this, /*bracket=*/false);
  std::vector<StmtPtr> body;
  if (!parseBraced(body, "the repeat count", "the body of 'repeat'"))
    return nullptr;
  auto repeat = std::make_unique<RepeatStmt>(keyword.loc, std::move(count), std::move(body));
  repeat->indexName = std::move(indexName);
  repeat->indexLoc = indexLoc;
  return repeat;
}

/// assign := IDENT (',' IDENT)* '=' expr | IDENT '<-' expr
StmtPtr Parser::parseAssign() {
  std::vector<std::string> names;
  std::vector<Loc> locs;
  do {
    if (!names.empty())
      consume(); // ','
    const Token *name = parseName("a name", names.empty() ? "" : " after ','");
    if (!name)
      return nullptr;
    names.emplace_back(name->text);
    locs.push_back(name->loc);
  } while (at(TokenKind::Comma));
  // `NAME <- expr` updates a buffer; only a single name can be updated.
  bool update = names.size() == 1 && at(TokenKind::LeftArrow);
  if (!at(TokenKind::Equal) && !update) {
    errorExpected(fmt::format("'=' after '{}'", names.back()));
    return nullptr;
  }
  consume();
  unsigned depth = 0;
  ExprPtr value = parseExpr(depth);
  if (!value)
    return nullptr;
  if (names.size() == 1)
    return std::make_unique<AssignStmt>(locs[0], std::move(names[0]), std::move(value),
                                        update ? Stmt::Kind::Update : Stmt::Kind::Assign);
  return std::make_unique<MultiAssignStmt>(locs[0], std::move(names), std::move(locs),
                                           std::move(value));
}
