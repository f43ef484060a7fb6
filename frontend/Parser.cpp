//===- Parser.cpp - Items and statements ----------------------------------===//
//
// Expressions are in ParserExpr.cpp, errors and recovery in ParserRecovery.cpp.
//
//===----------------------------------------------------------------------===//

#include "frontend/Parser.h"
#include "frontend/Lexer.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

using namespace netc::frontend;

ParseResult netc::frontend::parse(std::string_view source) {
  // Lexical errors come in source order, so the first MaxErrors + 1 of them
  // are all that can survive the cap below.
  Lexer lexer(source, Parser::MaxErrors + 1);
  Parser parser(lexer.lexAll());
  ParseResult result;
  result.file = parser.parseFile();
  // Lexical and syntax errors interleave by location; at one location the
  // lexer's comes first. (std::stable_sort would do, but libstdc++ 12 makes
  // clang warn about its use of std::get_temporary_buffer.)
  std::vector<std::pair<Diagnostic, size_t>> all;
  for (const std::vector<Diagnostic> *list :
       {&lexer.getErrors(), &parser.getErrors()})
    for (const Diagnostic &diag : *list)
      all.emplace_back(diag, all.size());
  std::sort(all.begin(), all.end(), [](const auto &a, const auto &b) {
    return a.first.loc != b.first.loc ? a.first.loc < b.first.loc
                                      : a.second < b.second;
  });
  for (auto &entry : all)
    result.errors.push_back(std::move(entry.first));
  if (result.errors.size() > Parser::MaxErrors) {
    Loc loc = result.errors[Parser::MaxErrors].loc;
    result.errors.resize(Parser::MaxErrors);
    result.errors.push_back(Diagnostic{loc, "too many errors, stopping"});
  }
  return result;
}

Parser::Parser(std::vector<Token> tokens) : toks(std::move(tokens)) {
  if (toks.empty() || toks.back().kind != TokenKind::Eof)
    toks.push_back(Token{});
}

//===----------------------------------------------------------------------===//
// Tokens
//===----------------------------------------------------------------------===//

size_t Parser::currentIndex() const {
  size_t i = pos;
  if (nest > 0)
    while (toks[i].kind == TokenKind::Newline)
      ++i;
  return i;
}

const Token &Parser::peekAhead(size_t n) const {
  size_t i = currentIndex();
  for (; n > 0 && toks[i].kind != TokenKind::Eof; --n) {
    ++i;
    if (nest > 0)
      while (toks[i].kind == TokenKind::Newline)
        ++i;
  }
  return toks[i];
}

const Token &Parser::consume() {
  size_t i = currentIndex();
  if (toks[i].kind != TokenKind::Eof) {
    prevIndex = i;
    pos = i + 1;
  }
  return toks[i];
}

void Parser::skipStatementSeparators() {
  while (toks[pos].kind == TokenKind::Newline ||
         toks[pos].kind == TokenKind::Semicolon)
    ++pos;
}

//===----------------------------------------------------------------------===//
// Items
//===----------------------------------------------------------------------===//

/// file := (model | block | const-decl sep)* EOF
/// sep  := NEWLINE | ';'
std::unique_ptr<File> Parser::parseFile() {
  auto file = std::make_unique<File>();
  while (true) {
    skipStatementSeparators();
    size_t start = pos;
    TokenKind kind = toks[pos].kind;
    if (kind == TokenKind::Eof)
      break;
    if (kind == TokenKind::KwModel || kind == TokenKind::KwBlock) {
      blockUnclosed = false;
      if (StmtPtr item = kind == TokenKind::KwModel ? parseModel() : parseBlockDecl())
        file->items.push_back(std::move(item));
      else
        recoverTopLevel();
    } else if (kind == TokenKind::KwConst) {
      if (tooManyStatements())
        break;
      std::unique_ptr<ConstDecl> decl = parseConst();
      if (!decl || !expectTerminator())
        recoverTopLevel();
      if (decl)
        file->items.push_back(std::move(decl));
    } else {
      errorExpected("'model', 'block' or 'const' at top level");
      recoverTopLevel();
    }
    // Every turn consumes something; this only guards against a bug.
    if (pos == start && toks[pos].kind != TokenKind::Eof)
      ++pos;
  }
  return file;
}

/// model := 'model' IDENT NEWLINE* '{' block
StmtPtr Parser::parseModel() {
  const Token &keyword = consume();
  std::string name;
  Loc nameLoc = tok().loc;
  if (at(TokenKind::LBrace)) {
    // `model {` still has a body worth checking.
    errorExpected("a model name after 'model'");
  } else if (const Token *nameTok = parseName("a model name", " after 'model'")) {
    name = std::string(nameTok->text);
  } else {
    return nullptr;
  }
  std::vector<StmtPtr> body;
  if (!parseBraced(body, fmt::format("model name '{}'", name),
                   name.empty() ? std::string("the model") : fmt::format("model '{}'", name)))
    return nullptr;
  return std::make_unique<ModelDecl>(keyword.loc, std::move(name), nameLoc,
                                     std::move(body));
}

bool Parser::parseBraced(std::vector<StmtPtr> &body, const std::string &after,
                         const std::string &closeWhat) {
  // Allow the brace on the next line, as C programmers write it.
  while (toks[pos].kind == TokenKind::Newline)
    ++pos;
  if (!at(TokenKind::LBrace)) {
    errorExpected(fmt::format("'{{' after {}", after));
    return false;
  }
  consume();
  parseBlock(body, closeWhat);
  return true;
}

/// block := (sep | stmt)* '}'
bool Parser::parseBlock(std::vector<StmtPtr> &body,
                        const std::string &closeWhat) {
  while (true) {
    skipStatementSeparators();
    TokenKind kind = toks[pos].kind;
    if (kind == TokenKind::RBrace) {
      consume();
      return true;
    }
    // `model` and `block` cannot appear in a block: the '}' before them is
    // missing (unless a reserved word is misused as a name: `model = 1`).
    bool item = (kind == TokenKind::KwModel || kind == TokenKind::KwBlock) &&
                toks[pos + 1].kind != TokenKind::Equal;
    if (kind == TokenKind::Eof || item) {
      errorExpected(fmt::format("'}}' to close {}", closeWhat));
      blockUnclosed = true;
      return false;
    }
    size_t start = pos;
    if (StmtPtr stmt = parseStatement())
      body.push_back(std::move(stmt));
    if (blockUnclosed)
      return false;
    if (pos == start && toks[pos].kind != TokenKind::Eof)
      ++pos;
  }
}

//===----------------------------------------------------------------------===//
// Statements
//===----------------------------------------------------------------------===//

/// stmt := stmt-body sep   (a repeat block needs no separator after its '}')
StmtPtr Parser::parseStatement() {
  if (tooManyStatements())
    return nullptr;
  StmtPtr stmt = parseStatementBody();
  if (!stmt) {
    recoverStatement();
    return nullptr;
  }
  // A block ends at its '}' and needs no terminator after it.
  bool braced = stmt->kind == Stmt::Kind::Repeat || stmt->kind == Stmt::Kind::If;
  if (!braced && !expectTerminator())
    recoverStatement();
  return stmt;
}

/// stmt-body := const-decl | input | param | output | loss | train | repeat
///            | if | return | assign
StmtPtr Parser::parseStatementBody() {
  TokenKind kind = tok().kind;
  // `in = 1`, `if, b = f(x)`: a reserved word misused as the bound name.
  TokenKind next = peekAhead(1).kind;
  if (isReservedWord(kind) && kind != TokenKind::KwOutput && kind != TokenKind::KwLoss &&
      (next == TokenKind::Equal || next == TokenKind::Comma))
    return parseAssign();
  switch (kind) {
  case TokenKind::KwConst:
    return parseConst();
  case TokenKind::KwInput:
    return parseInput();
  case TokenKind::KwParam:
    return parseParam();
  case TokenKind::KwOutput:
  case TokenKind::KwLoss:
    return parseOutputOrLoss();
  case TokenKind::KwTrain:
    return parseTrain();
  case TokenKind::KwRepeat:
    return parseRepeat();
  case TokenKind::KwIf:
    return parseIf();
  case TokenKind::KwReturn:
    return parseReturn();
  case TokenKind::KwState:
    return parseParam();
  case TokenKind::Ident:
    // `weights` is a statement only before a string; elsewhere a name.
    if (tok().text == "weights" && next == TokenKind::String)
      return parseWeights();
    return parseAssign();
  default:
    errorExpected("a statement");
    return nullptr;
  }
}

/// sep := NEWLINE | ';'   ('}' and EOF end a statement too, unconsumed)
bool Parser::expectTerminator() {
  switch (toks[pos].kind) {
  case TokenKind::Newline:
  case TokenKind::Semicolon:
    ++pos;
    return true;
  case TokenKind::RBrace:
  case TokenKind::Eof:
    return true;
  default:
    errorExpected("newline or ';' after the statement");
    return false;
  }
}

/// const-decl := 'const' IDENT '=' expr
std::unique_ptr<ConstDecl> Parser::parseConst() {
  const Token &keyword = consume();
  const Token *nameTok = parseName("a constant name", " after 'const'");
  if (!nameTok)
    return nullptr;
  const Token &name = *nameTok;
  if (!at(TokenKind::Equal)) {
    errorExpected(fmt::format("'=' after constant name '{}'", name.text));
    return nullptr;
  }
  consume();
  unsigned depth = 0;
  ExprPtr value = parseExpr(depth);
  if (!value)
    return nullptr;
  return std::make_unique<ConstDecl>(keyword.loc, std::string(name.text),
                                     name.loc, std::move(value));
}

/// input := 'input' IDENT ':' type ('name' '=' STRING)?
StmtPtr Parser::parseInput() {
  const Token &keyword = consume();
  const Token *nameTok = parseName("an input name", " after 'input'");
  if (!nameTok)
    return nullptr;
  const Token &name = *nameTok;
  if (!at(TokenKind::Colon)) {
    errorExpected(fmt::format("':' after input name '{}'", name.text));
    return nullptr;
  }
  consume();
  TypeExpr type;
  if (!parseType(type))
    return nullptr;
  auto decl = std::make_unique<InputDecl>(keyword.loc, std::string(name.text), name.loc,
                                          std::move(type));
  if (!parseExportName(decl->exportName))
    return nullptr;
  return decl;
}

/// param := 'param' IDENT ('.' (IDENT | INT))* ':' type ('init' '=' call)? ('name' '=' STRING)?
/// state := 'state' IDENT ('.' (IDENT | INT))* ':' type ('init' '=' call)? ('name' '=' STRING)?
StmtPtr Parser::parseParam() {
  const Token &keyword = consume();
  bool state = keyword.kind == TokenKind::KwState;
  std::string_view what = state ? "buffer" : "parameter";
  const Token *nameTok = parseName(fmt::format("a {} name", what),
                                   state ? " after 'state'" : " after 'param'");
  if (!nameTok)
    return nullptr;
  std::string nameText(nameTok->text);
  Loc lastLoc = nameTok->loc;
  if (!parseDottedTail(nameText, lastLoc))
    return nullptr;
  if (!at(TokenKind::Colon)) {
    errorExpected(fmt::format("':' after {} name '{}'", what, nameText));
    return nullptr;
  }
  consume();
  TypeExpr type;
  if (!parseType(type))
    return nullptr;
  std::unique_ptr<CallExpr> init;
  std::string exportName;
  // `init` is special only here; elsewhere it is an ordinary name.
  if (at(TokenKind::Ident) && tok().text == "init") {
    consume();
    if (!at(TokenKind::Equal)) {
      errorExpected("'=' after 'init'");
      return nullptr;
    }
    consume();
    init = parseCallOnly("an initializer call such as 'uniform(0, 1)' after "
                         "'init='");
    if (!init)
      return nullptr;
  }
  if (!parseExportName(exportName))
    return nullptr;
  if (!at(TokenKind::Newline) && !at(TokenKind::Semicolon) &&
             !at(TokenKind::RBrace) && !at(TokenKind::Eof)) {
    errorExpected(fmt::format("'init=' or newline after the type of {} '{}'", what, nameText));
    return nullptr;
  }
  auto decl = std::make_unique<ParamDecl>(keyword.loc, nameText, nameTok->loc, std::move(type),
                                          std::move(init),
                                          state ? Stmt::Kind::State : Stmt::Kind::Param);
  decl->exportName = std::move(exportName);
  return decl;
}

/// type  := dtype '[' expr (',' expr)* ','? ']'
/// dtype := 'f32' | 'f64' | 'i32' | 'i64'
bool Parser::parseType(TypeExpr &type) {
  static const std::pair<std::string_view, DType> dtypes[] = {
      {"f32", DType::F32},
      {"f64", DType::F64},
      {"i32", DType::I32},
      {"i64", DType::I64}};
  const Token &dtype = tok();
  const DType *found = nullptr;
  if (dtype.kind == TokenKind::Ident)
    for (const auto &[spelling, value] : dtypes)
      if (dtype.text == spelling)
        found = &value;
  if (!found) {
    errorExpected("a dtype ('f32', 'f64', 'i32' or 'i64')");
    return false;
  }
  consume();
  type.loc = dtype.loc;
  type.dtype = *found;
  if (!at(TokenKind::LBracket)) {
    errorExpected(fmt::format("'[' after dtype '{}'", dtype.text));
    return false;
  }
  if (tooDeep())
    return false;
  Scope scope(*this, /*bracket=*/true);
  consume();
  while (true) {
    unsigned depth = 0;
    ExprPtr dim = parseExpr(depth);
    if (!dim)
      return false;
    type.dims.push_back(std::move(dim));
    if (at(TokenKind::Comma)) {
      consume();
      if (at(TokenKind::RBracket))
        break; // A trailing comma, as Python allows.
      continue;
    }
    if (at(TokenKind::RBracket))
      break;
    errorExpected(
        fmt::format("']' to close the shape of type '{}'", dtype.text));
    return false;
  }
  consume();
  return true;
}

/// output := 'output' ((IDENT | STRING) '=')? expr
/// loss   := 'loss' ((IDENT | STRING) '=')? expr
StmtPtr Parser::parseOutputOrLoss() {
  const Token &keyword = consume();
  std::string name;
  Loc nameLoc;
  if ((at(TokenKind::Ident) || isReservedWord(tok().kind)) &&
      peekAhead(1).kind == TokenKind::Equal) {
    const Token &nameTok = *parseName(
        keyword.kind == TokenKind::KwOutput ? "an output name" : "a loss name", "");
    name = std::string(nameTok.text);
    nameLoc = nameTok.loc;
    consume();
  } else if (at(TokenKind::String) && peekAhead(1).kind == TokenKind::Equal) {
    // `output "191" = ...`: an exported name that is not an identifier.
    name = tok().stringValue;
    nameLoc = consume().loc;
    consume();
  } else if (at(TokenKind::Equal)) {
    // `loss = mse(y, t)`: the keyword is not a name to bind.
    errorExpected(
        fmt::format("a name or an expression after '{}'", keyword.text));
    return nullptr;
  }
  unsigned depth = 0;
  ExprPtr value = parseExpr(depth);
  if (!value)
    return nullptr;
  if (keyword.kind == TokenKind::KwOutput)
    return std::make_unique<OutputStmt>(keyword.loc, std::move(name), nameLoc,
                                        std::move(value));
  return std::make_unique<LossStmt>(keyword.loc, std::move(name), nameLoc,
                                    std::move(value));
}

/// train := 'train' call
StmtPtr Parser::parseTrain() {
  const Token &keyword = consume();
  std::unique_ptr<CallExpr> optimizer =
      parseCallOnly("an optimizer call such as 'sgd(lr=0.1)' after 'train'");
  if (!optimizer)
    return nullptr;
  return std::make_unique<TrainStmt>(keyword.loc, std::move(optimizer));
}
