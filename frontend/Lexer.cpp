//===- Lexer.cpp - Lexer of the .net language -----------------------------===//

#include "frontend/Lexer.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <climits>
#include <utility>

using namespace netc::frontend;

//===----------------------------------------------------------------------===//
// Character classes
//===----------------------------------------------------------------------===//

// These helpers take `char` and never call <cctype>, whose functions have
// undefined behaviour on the negative values of bytes >= 0x80.
static bool isDigit(char c) { return c >= '0' && c <= '9'; }
static bool isIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
static bool isIdentChar(char c) { return isIdentStart(c) || isDigit(c); }
static bool isBlank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static TokenKind punctuationKind(char c) {
  switch (c) {
  case '(':
    return TokenKind::LParen;
  case ')':
    return TokenKind::RParen;
  case '[':
    return TokenKind::LBracket;
  case ']':
    return TokenKind::RBracket;
  case '{':
    return TokenKind::LBrace;
  case '}':
    return TokenKind::RBrace;
  case ',':
    return TokenKind::Comma;
  case ':':
    return TokenKind::Colon;
  case ';':
    return TokenKind::Semicolon;
  case '.':
    return TokenKind::Dot;
  case '=':
    return TokenKind::Equal;
  case '+':
    return TokenKind::Plus;
  case '-':
    return TokenKind::Minus;
  case '*':
    return TokenKind::Star;
  case '/':
    return TokenKind::Slash;
  case '<':
    return TokenKind::Less;
  case '>':
    return TokenKind::Greater;
  default:
    return TokenKind::Error;
  }
}

/// True for a byte that begins some token, a blank or a comment; a run of
/// other bytes is reported once as unexpected.
static bool startsSomething(char c) {
  return isIdentChar(c) || isBlank(c) || c == '\n' || c == '"' || c == '\'' ||
         c == '#' || c == '!' || c == '<' || punctuationKind(c) != TokenKind::Error;
}

/// The length of the valid UTF-8 sequence at the start of \p s, or 0.
static size_t utf8Length(std::string_view s) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  auto isCont = [&](size_t i, unsigned lo = 0x80, unsigned hi = 0xBF) {
    return i < s.size() && byte(i) >= lo && byte(i) <= hi;
  };
  if (s.empty())
    return 0;
  unsigned b = byte(0);
  if (b < 0x80)
    return 1;
  if (b >= 0xC2 && b <= 0xDF)
    return isCont(1) ? 2 : 0;
  if (b >= 0xE0 && b <= 0xEF) {
    unsigned lo = b == 0xE0 ? 0xA0 : 0x80, hi = b == 0xED ? 0x9F : 0xBF;
    return isCont(1, lo, hi) && isCont(2) ? 3 : 0;
  }
  if (b >= 0xF0 && b <= 0xF4) {
    unsigned lo = b == 0xF0 ? 0x90 : 0x80, hi = b == 0xF4 ? 0x8F : 0xBF;
    return isCont(1, lo, hi) && isCont(2) && isCont(3) ? 4 : 0;
  }
  return 0;
}

//===----------------------------------------------------------------------===//
// Token helpers
//===----------------------------------------------------------------------===//

bool netc::frontend::isStatementKeyword(TokenKind kind) {
  switch (kind) {
  case TokenKind::KwConst:
  case TokenKind::KwModel:
  case TokenKind::KwInput:
  case TokenKind::KwParam:
  case TokenKind::KwOutput:
  case TokenKind::KwLoss:
  case TokenKind::KwTrain:
  case TokenKind::KwRepeat:
  case TokenKind::KwBlock:
  case TokenKind::KwReturn:
  case TokenKind::KwIf:
  case TokenKind::KwState:
    return true;
  default:
    return false;
  }
}

bool netc::frontend::isReservedWord(TokenKind kind) {
  switch (kind) {
  case TokenKind::KwElse:
  case TokenKind::KwIn:
  case TokenKind::KwAnd:
  case TokenKind::KwOr:
  case TokenKind::KwNot:
  case TokenKind::KwTrue:
  case TokenKind::KwFalse:
    return true;
  default:
    return isStatementKeyword(kind);
  }
}

std::string netc::frontend::printable(std::string_view text, size_t maxChars) {
  std::string out;
  size_t chars = 0;
  for (size_t i = 0; i < text.size(); ++chars) {
    if (chars == maxChars)
      return out + "...";
    unsigned char b = static_cast<unsigned char>(text[i]);
    size_t len = utf8Length(text.substr(i));
    if (b >= 0x20 && b != 0x7F && len > 0) {
      out.append(text.substr(i, len));
      i += len;
    } else {
      out += fmt::format("\\x{:02x}", b);
      ++i;
    }
  }
  return out;
}

std::string netc::frontend::describe(const Token &tok) {
  switch (tok.kind) {
  case TokenKind::Newline:
    return "newline";
  case TokenKind::Eof:
    return "end of file";
  default:
    return "'" + printable(tok.text) + "'";
  }
}

//===----------------------------------------------------------------------===//
// Lexer
//===----------------------------------------------------------------------===//

char Lexer::peekChar(size_t ahead) const {
  return pos + ahead < src.size() ? src[pos + ahead] : '\0';
}

void Lexer::advance() {
  if (atEnd())
    return;
  if (src[pos] == '\n') {
    ++line;
    col = 1;
  } else {
    ++col;
  }
  ++pos;
}

void Lexer::error(Loc loc, std::string message) {
  if (errors.size() < maxErrors)
    errors.push_back(Diagnostic{loc, std::move(message)});
}

Token Lexer::makeToken(TokenKind kind, size_t begin, Loc loc) const {
  Token tok;
  tok.kind = kind;
  tok.loc = loc;
  tok.text = src.substr(begin, pos - begin);
  return tok;
}

std::vector<Token> Lexer::lexAll() {
  std::vector<Token> tokens;
  do {
    tokens.push_back(lexToken());
    prevKind = tokens.back().kind;
    prevEnd = pos;
  } while (tokens.back().kind != TokenKind::Eof);
  return tokens;
}

void Lexer::skipBlanksAndComment() {
  while (!atEnd() && isBlank(peekChar()))
    advance();
  if (!atEnd() && peekChar() == '#')
    while (!atEnd() && peekChar() != '\n')
      advance();
}

Token Lexer::lexToken() {
  skipBlanksAndComment();
  if (atEnd())
    return makeToken(TokenKind::Eof, pos, here());
  char c = peekChar();
  if (c == '\n')
    return lexNewlines();
  if (isIdentStart(c))
    return lexIdentifier();
  // `layer1.0.conv1`: right after a name, '.' and digits are parts of a
  // dotted name, not the float `.0`.
  bool inName = pos == prevEnd && (prevKind == TokenKind::Ident || prevKind == TokenKind::Int);
  if (c == '.' && inName)
    return lexPunctuation(TokenKind::Dot);
  if (isDigit(c) && pos == prevEnd && prevKind == TokenKind::Dot && dotInName)
    return lexNameSegment();
  if (isDigit(c) || (c == '.' && isDigit(peekChar(1))))
    return lexNumber();
  if (c == '"')
    return lexString();
  if (c == '\'')
    return lexSingleQuoted();
  if (c == '<' && peekChar(1) == '-') {
    Loc loc = here();
    size_t begin = pos;
    advance();
    advance();
    return makeToken(TokenKind::LeftArrow, begin, loc);
  }
  char next = peekChar(1);
  if (next == '=' && (c == '=' || c == '!' || c == '<' || c == '>'))
    return lexPunctuation(c == '=' ? TokenKind::EqualEqual
                          : c == '!' ? TokenKind::NotEqual
                          : c == '<' ? TokenKind::LessEqual
                                     : TokenKind::GreaterEqual,
                          2);
  TokenKind kind = punctuationKind(c);
  if (kind == TokenKind::Error)
    return lexUnexpected();
  return lexPunctuation(kind);
}

Token Lexer::lexPunctuation(TokenKind kind, size_t length) {
  Loc loc = here();
  size_t begin = pos;
  for (size_t i = 0; i < length; ++i)
    advance();
  // A '.' glued to a name continues it: digits after it are a name part.
  dotInName = kind == TokenKind::Dot && begin == prevEnd &&
              (prevKind == TokenKind::Ident || prevKind == TokenKind::Int);
  return makeToken(kind, begin, loc);
}

Token Lexer::lexNameSegment() {
  // The digits of `.0.` in `layer1.0.conv1`; letters after them make the
  // segment an invalid name part, reported as a bad number would be.
  Loc loc = here();
  size_t begin = pos;
  while (isDigit(peekChar()))
    advance();
  bool letters = isIdentChar(peekChar());
  while (isIdentChar(peekChar()))
    advance();
  Token tok = makeToken(TokenKind::Int, begin, loc);
  if (letters) {
    error(loc, fmt::format("invalid part '{}' of a dotted name; a part is a name or digits",
                           printable(tok.text)));
    return tok;
  }
  auto [ptr, ec] = std::from_chars(tok.text.data(), tok.text.data() + tok.text.size(),
                                   tok.intValue);
  if (ec != std::errc())
    tok.intValue = 0; // Only the spelling matters in a name.
  return tok;
}

Token Lexer::lexNewlines() {
  // The parser never needs to tell one line end from several, and collapsing
  // them keeps its skipping of newlines inside brackets constant-time.
  Loc loc = here();
  size_t begin = pos;
  while (!atEnd() && peekChar() == '\n') {
    advance();
    skipBlanksAndComment();
  }
  Token tok = makeToken(TokenKind::Newline, begin, loc);
  tok.text = src.substr(begin, 1);
  return tok;
}

Token Lexer::lexIdentifier() {
  static const std::pair<std::string_view, TokenKind> keywords[] = {
      {"const", TokenKind::KwConst},   {"model", TokenKind::KwModel},
      {"input", TokenKind::KwInput},   {"param", TokenKind::KwParam},
      {"output", TokenKind::KwOutput}, {"loss", TokenKind::KwLoss},
      {"train", TokenKind::KwTrain},   {"repeat", TokenKind::KwRepeat},
      {"block", TokenKind::KwBlock},   {"return", TokenKind::KwReturn},
      {"if", TokenKind::KwIf},         {"else", TokenKind::KwElse},
      {"in", TokenKind::KwIn},         {"state", TokenKind::KwState},
      {"and", TokenKind::KwAnd},       {"or", TokenKind::KwOr},
      {"not", TokenKind::KwNot},       {"true", TokenKind::KwTrue},
      {"false", TokenKind::KwFalse},
  };
  Loc loc = here();
  size_t begin = pos;
  while (!atEnd() && isIdentChar(peekChar()))
    advance();
  Token tok = makeToken(TokenKind::Ident, begin, loc);
  if (tok.text.size() > MaxIdentifierBytes)
    error(loc, fmt::format("identifier '{}...' is {} bytes long; the limit is {}",
                           tok.text.substr(0, 32), tok.text.size(), MaxIdentifierBytes));
  for (const auto &[spelling, kind] : keywords)
    if (tok.text == spelling)
      tok.kind = kind;
  return tok;
}

/// True when a float literal that std::from_chars found out of range is too
/// large rather than too small: its leading significant digit sits at a
/// positive power of ten.
static bool floatOverflows(std::string_view text) {
  long lead = LONG_MIN;
  size_t i = 0;
  size_t intDigits = 0;
  while (i < text.size() && isDigit(text[i]))
    ++intDigits, ++i;
  for (size_t k = 0; k < intDigits && lead == LONG_MIN; ++k)
    if (text[k] != '0')
      lead = static_cast<long>(intDigits - 1 - k);
  if (i < text.size() && text[i] == '.')
    ++i;
  for (long frac = 1; i < text.size() && isDigit(text[i]); ++i, ++frac)
    if (lead == LONG_MIN && text[i] != '0')
      lead = -frac;
  if (lead == LONG_MIN)
    return false; // All zeros: never out of range, but not an overflow.
  long exponent = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '+' || text[i] == '-'))
      negative = text[i++] == '-';
    // Clamp: any exponent past a million is out of range either way.
    for (; i < text.size() && isDigit(text[i]); ++i)
      exponent = std::min(exponent * 10 + (text[i] - '0'), 1000000L);
  }
  return lead + (negative ? -exponent : exponent) > 0;
}

Token Lexer::lexNumber() {
  Loc loc = here();
  size_t begin = pos;
  bool isFloat = false;
  while (isDigit(peekChar()))
    advance();
  if (peekChar() == '.') {
    isFloat = true;
    advance();
    while (isDigit(peekChar()))
      advance();
  }
  char e = peekChar(), sign = peekChar(1);
  if ((e == 'e' || e == 'E') &&
      (isDigit(sign) ||
       ((sign == '+' || sign == '-') && isDigit(peekChar(2))))) {
    isFloat = true;
    advance();
    if (!isDigit(peekChar()))
      advance();
    while (isDigit(peekChar()))
      advance();
  }
  TokenKind kind = isFloat ? TokenKind::Float : TokenKind::Int;
  if (isIdentChar(peekChar())) {
    // `3x`, `0x1F` and `1_000` are one mistake each, not a number and a name.
    while (isIdentChar(peekChar()))
      advance();
    Token tok = makeToken(kind, begin, loc);
    error(loc, fmt::format("invalid number literal '{}'", printable(tok.text)));
    return tok;
  }
  Token tok = makeToken(kind, begin, loc);
  const char *first = tok.text.data(), *last = first + tok.text.size();
  if (!isFloat) {
    auto [ptr, ec] = std::from_chars(first, last, tok.intValue);
    if (ec != std::errc() || ptr != last) {
      tok.intValue = 0;
      error(loc, fmt::format("integer literal '{}' does not fit in a 64-bit "
                             "signed integer",
                             printable(tok.text)));
    }
    return tok;
  }
  auto [ptr, ec] = std::from_chars(first, last, tok.floatValue);
  if (ec == std::errc::result_out_of_range && !floatOverflows(tok.text)) {
    tok.floatValue = 0; // Underflow rounds to zero, as in Python.
  } else if (ec != std::errc() || ptr != last) {
    tok.floatValue = 0;
    error(loc, fmt::format("float literal '{}' is out of range",
                           printable(tok.text)));
  }
  return tok;
}

Token Lexer::lexString() {
  Loc loc = here();
  size_t begin = pos;
  advance(); // The opening quote.
  std::string value;
  while (true) {
    if (atEnd() || peekChar() == '\n') {
      error(loc, fmt::format("unterminated string, expected '\"' before the "
                             "end of the {}",
                             atEnd() ? "file" : "line"));
      break;
    }
    char c = peekChar();
    if (c == '"') {
      advance();
      break;
    }
    if (c == '\\') {
      char next = peekChar(1);
      const char *replacement = next == '"'    ? "\""
                                : next == '\\' ? "\\"
                                : next == 'n'  ? "\n"
                                : next == 't'  ? "\t"
                                               : nullptr;
      if (replacement) {
        value += replacement;
        advance();
        advance();
        continue;
      }
      advance();
      // A backslash before the line end: the next turn reports the string
      // as unterminated; anything else is kept as written, without the '\'.
      if (atEnd() || next == '\n')
        continue;
      size_t len = std::max<size_t>(utf8Length(src.substr(pos)), 1);
      error(Loc{loc.line, col - 1},
            fmt::format("unknown escape sequence '\\{}' in string",
                        printable(src.substr(pos, len))));
      continue;
    }
    value += c;
    advance();
  }
  Token tok = makeToken(TokenKind::String, begin, loc);
  tok.stringValue = std::move(value);
  return tok;
}

Token Lexer::lexSingleQuoted() {
  // Python users write 'same'; keep the string so that parsing goes on as if
  // it were "same", and report it once.
  size_t close = pos + 1;
  while (close < src.size() && src[close] != '\'' && src[close] != '\n')
    ++close;
  if (close >= src.size() || src[close] != '\'')
    return lexUnexpected();
  Loc loc = here();
  size_t begin = pos;
  while (pos <= close)
    advance();
  Token tok = makeToken(TokenKind::String, begin, loc);
  tok.stringValue = std::string(tok.text.substr(1, tok.text.size() - 2));
  // Its own quotes read as ours: "found 'same'".
  error(loc, fmt::format("expected a string in double quotes, found '{}'",
                         printable(tok.stringValue)));
  return tok;
}

Token Lexer::lexUnexpected() {
  Loc loc = here();
  size_t begin = pos;
  size_t len = std::max<size_t>(utf8Length(src.substr(pos)), 1);
  std::string_view first = src.substr(pos, len);
  // A quote needs other quotes around it to stay readable.
  error(loc, first == "'"
                 ? std::string("unexpected character \"'\"")
                 : fmt::format("unexpected character '{}'", printable(first)));
  // Report a run of stray bytes once: it is one mistake (or binary garbage).
  advance();
  while (!atEnd() && !startsSomething(peekChar()))
    advance();
  return makeToken(TokenKind::Error, begin, loc);
}
