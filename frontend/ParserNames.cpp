//===- ParserNames.cpp - exported names of declarations -------------------===//
//
// A model that comes from elsewhere (an ONNX file) names its inputs and
// weights with strings that are not identifiers (`input.1`,
// `onnx::Conv_497`). A declaration binds an identifier and gives the
// exported name as `name="..."`, so that the model keeps its interface.
//
//===----------------------------------------------------------------------===//

#include "frontend/Parser.h"

#include <fmt/format.h>

namespace netc::frontend {

/// export := ('name' '=' STRING)?
bool Parser::parseExportName(std::string &exportName) {
  if (!at(TokenKind::Ident) || tok().text != "name" || peekAhead(1).kind != TokenKind::Equal)
    return true;
  consume();
  consume(); // '='
  if (!at(TokenKind::String)) {
    errorExpected("a string after 'name=', such as name=\"input.1\"");
    return false;
  }
  const Token &value = consume();
  if (value.stringValue.empty()) {
    error(value.loc, "'name=' expects a non-empty string");
    return false;
  }
  exportName = value.stringValue;
  return true;
}

StmtPtr Parser::parseWeights() {
  const Token &keyword = consume();
  const Token &path = consume();
  return std::make_unique<WeightsStmt>(keyword.loc, path.stringValue, path.loc);
}

} // namespace netc::frontend
