//===- LexerTest.cpp - Tests of the .net lexer ----------------------------===//

#include "frontend/Lexer.h"
#include "frontend/Parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace netc::frontend;
using K = TokenKind;

namespace {

/// Lexes \p source; lexical errors go to \p errors as "line:col: message".
std::vector<Token> lex(std::string_view source,
                       std::vector<std::string> *errors = nullptr) {
  Lexer lexer(source);
  std::vector<Token> tokens = lexer.lexAll();
  if (errors)
    for (const Diagnostic &d : lexer.getErrors())
      errors->push_back(std::to_string(d.loc.line) + ":" +
                        std::to_string(d.loc.col) + ": " + d.message);
  else
    EXPECT_TRUE(lexer.getErrors().empty())
        << "unexpected: " << lexer.getErrors().front().message;
  return tokens;
}

std::vector<TokenKind> kinds(std::string_view source) {
  std::vector<TokenKind> result;
  for (const Token &tok : lex(source))
    result.push_back(tok.kind);
  return result;
}

std::vector<std::string> errorsOf(std::string_view source) {
  std::vector<std::string> errors;
  lex(source, &errors);
  return errors;
}

using Strings = std::vector<std::string>;

} // namespace

TEST(LexerTest, EmptyInputIsJustEof) {
  std::vector<Token> tokens = lex("");
  ASSERT_EQ(tokens.size(), 1u);
  EXPECT_EQ(tokens[0].kind, K::Eof);
  EXPECT_EQ(tokens[0].loc, (Loc{1, 1}));
}

TEST(LexerTest, PunctuationAndOperators) {
  EXPECT_EQ(
      kinds("( ) [ ] { } , : ; . = + - * /"),
      (std::vector<K>{K::LParen, K::RParen, K::LBracket, K::RBracket, K::LBrace,
                      K::RBrace, K::Comma, K::Colon, K::Semicolon, K::Dot,
                      K::Equal, K::Plus, K::Minus, K::Star, K::Slash, K::Eof}));
}

TEST(LexerTest, KeywordsAreReservedButInitAndDtypesAreNames) {
  EXPECT_EQ(
      kinds("const model input param output loss train repeat true false"),
      (std::vector<K>{K::KwConst, K::KwModel, K::KwInput, K::KwParam,
                      K::KwOutput, K::KwLoss, K::KwTrain, K::KwRepeat,
                      K::KwTrue, K::KwFalse, K::Eof}));
  std::vector<Token> tokens = lex("init f32 f64 i32 i64 inputs _x9 Model");
  for (size_t i = 0; i + 1 < tokens.size(); ++i)
    EXPECT_EQ(tokens[i].kind, K::Ident) << tokens[i].text;
  EXPECT_EQ(tokens[5].text, "inputs");
  EXPECT_EQ(tokens[7].text, "Model");
}

TEST(LexerTest, SecondWaveKeywordsAndComparisons) {
  EXPECT_EQ(kinds("block return if else in state and or not"),
            (std::vector<K>{K::KwBlock, K::KwReturn, K::KwIf, K::KwElse, K::KwIn,
                            K::KwState, K::KwAnd, K::KwOr, K::KwNot, K::Eof}));
  EXPECT_EQ(kinds("== != < <= > >= ="),
            (std::vector<K>{K::EqualEqual, K::NotEqual, K::Less, K::LessEqual,
                            K::Greater, K::GreaterEqual, K::Equal, K::Eof}));
  EXPECT_EQ(errorsOf("a ! b"), Strings{"1:3: unexpected character '!'"});
}

TEST(LexerTest, DigitsGluedToANameAreDottedNameParts) {
  // `layer1.0.conv1` is a dotted name, not `layer1` and the float `.0`.
  std::vector<Token> tokens = lex("layer1.0.conv1.weight");
  std::string spelled;
  for (const Token &tok : tokens)
    spelled += std::string(tok.text) + "|";
  EXPECT_EQ(spelled, "layer1|.|0|.|conv1|.|weight||");
  EXPECT_EQ(tokens[2].kind, K::Int);
  EXPECT_EQ(kinds("a.12.3"),
            (std::vector<K>{K::Ident, K::Dot, K::Int, K::Dot, K::Int, K::Eof}));
  // Away from a name, '.5' and '1.0' stay floats.
  EXPECT_EQ(kinds("x = .5 + 1.0"),
            (std::vector<K>{K::Ident, K::Equal, K::Float, K::Plus, K::Float, K::Eof}));
  EXPECT_EQ(kinds("f(x) .5"), (std::vector<K>{K::Ident, K::LParen, K::Ident, K::RParen,
                                              K::Float, K::Eof}));
  EXPECT_EQ(errorsOf("a.0x"),
            Strings{"1:3: invalid part '0x' of a dotted name; a part is a name or digits"});
}

TEST(LexerTest, LocationsAreOneBasedAndCountBytes) {
  // A tab and a two-byte UTF-8 character in a comment each count as bytes.
  std::vector<Token> tokens = lex("x\t= 1 # é\n  yy(");
  ASSERT_EQ(tokens.size(), 7u);
  EXPECT_EQ(tokens[0].loc, (Loc{1, 1}));
  EXPECT_EQ(tokens[1].loc, (Loc{1, 3}));
  EXPECT_EQ(tokens[2].loc, (Loc{1, 5}));
  EXPECT_EQ(tokens[3].kind, K::Newline);
  EXPECT_EQ(tokens[3].loc, (Loc{1, 11}));
  EXPECT_EQ(tokens[4].loc, (Loc{2, 3}));
  EXPECT_EQ(tokens[4].text, "yy");
  EXPECT_EQ(tokens[5].loc, (Loc{2, 5}));
  EXPECT_EQ(tokens[6].kind, K::Eof);
  EXPECT_EQ(tokens[6].loc, (Loc{2, 6}));
}

TEST(LexerTest, BlankAndCommentLinesCollapseIntoOneNewline) {
  std::vector<Token> tokens =
      lex("a\n\n   # comment\n\t\n# another\nb # end\n");
  std::vector<K> expected{K::Ident, K::Newline, K::Ident, K::Newline, K::Eof};
  ASSERT_EQ(tokens.size(), expected.size());
  for (size_t i = 0; i < tokens.size(); ++i)
    EXPECT_EQ(tokens[i].kind, expected[i]) << i;
  EXPECT_EQ(tokens[1].loc, (Loc{1, 2}));
  EXPECT_EQ(tokens[2].loc, (Loc{6, 1}));
  EXPECT_EQ(tokens[4].loc, (Loc{7, 1}));
}

TEST(LexerTest, CommentRunsToEndOfLineOnly) {
  EXPECT_EQ(kinds("# x = (\ny"),
            (std::vector<K>{K::Newline, K::Ident, K::Eof}));
  EXPECT_EQ(kinds("a # ( [ \" unterminated"),
            (std::vector<K>{K::Ident, K::Eof}));
}

TEST(LexerTest, CarriageReturnsAreBlanks) {
  EXPECT_EQ(kinds("a = 1\r\nb = 2\r\n"),
            (std::vector<K>{K::Ident, K::Equal, K::Int, K::Newline, K::Ident,
                            K::Equal, K::Int, K::Newline, K::Eof}));
}

TEST(LexerTest, Integers) {
  std::vector<Token> tokens = lex("0 42 007 9223372036854775807");
  EXPECT_EQ(tokens[0].intValue, 0);
  EXPECT_EQ(tokens[1].intValue, 42);
  EXPECT_EQ(tokens[2].intValue, 7);
  EXPECT_EQ(tokens[3].kind, K::Int);
  EXPECT_EQ(tokens[3].intValue, INT64_MAX);
}

TEST(LexerTest, IntegerOverflowNamesTheLiteral) {
  EXPECT_EQ(errorsOf("x = 9223372036854775808"),
            (Strings{"1:5: integer literal '9223372036854775808' does not fit "
                     "in a 64-bit signed integer"}));
}

TEST(LexerTest, Floats) {
  std::vector<Token> tokens = lex("0.1 1e-3 2. .5 1.5E+2 1.e2 3e4");
  std::vector<double> expected{0.1, 1e-3, 2.0, 0.5, 150.0, 100.0, 3e4};
  ASSERT_EQ(tokens.size(), expected.size() + 1);
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(tokens[i].kind, K::Float) << tokens[i].text;
    EXPECT_DOUBLE_EQ(tokens[i].floatValue, expected[i]) << tokens[i].text;
  }
  EXPECT_EQ(tokens[2].text, "2.");
}

TEST(LexerTest, FloatRange) {
  EXPECT_EQ(errorsOf("1e999"),
            (Strings{"1:1: float literal '1e999' is out of range"}));
  EXPECT_EQ(errorsOf("123456e305"),
            (Strings{"1:1: float literal '123456e305' is out of range"}));
  // Underflow rounds to zero, as in Python.
  std::vector<Token> tokens = lex("1e-400 0.0000001e-320 0e999");
  EXPECT_EQ(tokens[0].floatValue, 0.0);
  EXPECT_EQ(tokens[1].floatValue, 0.0);
  EXPECT_EQ(tokens[2].floatValue, 0.0);
}

TEST(LexerTest, ExponentNeedsDigits) {
  // Without digits after it, 'e' is not an exponent; the literal runs into
  // letters and is reported whole.
  EXPECT_EQ(errorsOf("1e"), (Strings{"1:1: invalid number literal '1e'"}));
  EXPECT_EQ(kinds("1 - e"),
            (std::vector<K>{K::Int, K::Minus, K::Ident, K::Eof}));
}

TEST(LexerTest, NumbersRunningIntoLettersAreOneError) {
  EXPECT_EQ(errorsOf("a = 3x + 0x1F + 1_000 + 2.5f"),
            (Strings{"1:5: invalid number literal '3x'",
                     "1:10: invalid number literal '0x1F'",
                     "1:17: invalid number literal '1_000'",
                     "1:25: invalid number literal '2.5f'"}));
  // The parser still sees one number each, so it adds no error of its own.
  std::vector<std::string> errors;
  std::vector<Token> tokens = lex("3x", &errors);
  EXPECT_EQ(tokens[0].kind, K::Int);
  EXPECT_EQ(tokens.size(), 2u);
}

TEST(LexerTest, DotsBetweenNamesAndInNumbers) {
  EXPECT_EQ(kinds("fc1.weight"),
            (std::vector<K>{K::Ident, K::Dot, K::Ident, K::Eof}));
  EXPECT_EQ(kinds("a . b"),
            (std::vector<K>{K::Ident, K::Dot, K::Ident, K::Eof}));
  EXPECT_EQ(kinds("1.5.2"), (std::vector<K>{K::Float, K::Float, K::Eof}));
}

TEST(LexerTest, Strings) {
  std::vector<Token> tokens = lex(R"("same" "" "a\"b\\c\nd\te" "é")");
  EXPECT_EQ(tokens[0].kind, K::String);
  EXPECT_EQ(tokens[0].stringValue, "same");
  EXPECT_EQ(tokens[0].text, "\"same\"");
  EXPECT_EQ(tokens[1].stringValue, "");
  EXPECT_EQ(tokens[2].stringValue, "a\"b\\c\nd\te");
  EXPECT_EQ(tokens[3].stringValue, "é");
}

TEST(LexerTest, UnterminatedStrings) {
  EXPECT_EQ(errorsOf("x = \"abc\ny = 1"),
            (Strings{"1:5: unterminated string, expected '\"' before the end "
                     "of the line"}));
  EXPECT_EQ(errorsOf("x = \"abc"),
            (Strings{"1:5: unterminated string, expected '\"' before the end "
                     "of the file"}));
  EXPECT_EQ(errorsOf("\"abc\\"),
            (Strings{"1:1: unterminated string, expected '\"' before the end "
                     "of the file"}));
  // The string ends at the line end, which still ends the statement.
  std::vector<std::string> errors;
  std::vector<Token> tokens = lex("\"ab\nc", &errors);
  ASSERT_EQ(tokens.size(), 4u);
  EXPECT_EQ(tokens[0].stringValue, "ab");
  EXPECT_EQ(tokens[1].kind, K::Newline);
}

TEST(LexerTest, UnknownEscape) {
  EXPECT_EQ(errorsOf(R"(  "a\qb")"),
            (Strings{"1:5: unknown escape sequence '\\q' in string"}));
}

TEST(LexerTest, SingleQuotedStringIsReportedButKept) {
  std::vector<std::string> errors;
  std::vector<Token> tokens = lex("padding='same'", &errors);
  EXPECT_EQ(errors,
            (Strings{"1:9: expected a string in double quotes, found 'same'"}));
  ASSERT_EQ(tokens.size(), 4u);
  EXPECT_EQ(tokens[2].kind, K::String);
  EXPECT_EQ(tokens[2].stringValue, "same");
  EXPECT_EQ(errorsOf("x = 'a\n"), (Strings{"1:5: unexpected character \"'\""}));
}

TEST(LexerTest, UnexpectedCharacters) {
  EXPECT_EQ(errorsOf("x = $"), (Strings{"1:5: unexpected character '$'"}));
  // A run of stray bytes is one mistake.
  EXPECT_EQ(errorsOf("a @@@ b ! c"),
            (Strings{"1:3: unexpected character '@'",
                     "1:9: unexpected character '!'"}));
  EXPECT_EQ(errorsOf("x = α"), (Strings{"1:5: unexpected character 'α'"}));
  EXPECT_EQ(errorsOf(std::string_view("a\x01", 2)),
            (Strings{"1:2: unexpected character '\\x01'"}));
  EXPECT_EQ(errorsOf(std::string_view("a \0 b", 5)),
            (Strings{"1:3: unexpected character '\\x00'"}));
  EXPECT_EQ(errorsOf("\xff\xfe"),
            (Strings{"1:1: unexpected character '\\xff'"}));
  std::vector<std::string> errors;
  std::vector<Token> tokens = lex("a $$ b", &errors);
  ASSERT_EQ(tokens.size(), 4u);
  EXPECT_EQ(tokens[1].kind, K::Error);
  EXPECT_EQ(tokens[1].text, "$$");
}

TEST(LexerTest, Describe) {
  std::vector<Token> tokens = lex("conv2d \"same\"\n");
  EXPECT_EQ(describe(tokens[0]), "'conv2d'");
  EXPECT_EQ(describe(tokens[1]), "'\"same\"'");
  EXPECT_EQ(describe(tokens[2]), "newline");
  EXPECT_EQ(describe(tokens[3]), "end of file");
  std::string longName(100, 'a');
  EXPECT_EQ(describe(lex(longName)[0]), "'" + std::string(32, 'a') + "...'");
}

TEST(LexerTest, PrintableEscapesControlAndInvalidBytes) {
  EXPECT_EQ(printable("ab\ncé"), "ab\\x0acé");
  EXPECT_EQ(printable("\xc3"), "\\xc3"); // A truncated sequence.
  EXPECT_EQ(printable("\xed\xa0\x80"), "\\xed\\xa0\\x80"); // A surrogate.
  EXPECT_EQ(printable("abcdef", 3), "abc...");
}

// Random bytes reach the parser only as a few kinds of token, so their test of
// the parser is here; ParserTest feeds it token soup.
TEST(LexerTest, RandomBytesNeverCrashTheLexerOrTheParser) {
  uint64_t state = 12345;
  for (size_t round = 0; round < 300; ++round) {
    std::string source;
    size_t size = round * 7 % 400;
    for (size_t i = 0; i < size; ++i) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      source += static_cast<char>(state >> 56);
    }
    Lexer lexer(source);
    std::vector<Token> tokens = lexer.lexAll();
    ASSERT_FALSE(tokens.empty());
    EXPECT_EQ(tokens.back().kind, K::Eof);
    for (size_t i = 0; i + 1 < tokens.size(); ++i) {
      EXPECT_NE(tokens[i].kind, K::Eof);
      EXPECT_FALSE(tokens[i].kind == K::Newline &&
                   tokens[i + 1].kind == K::Newline);
      EXPECT_LT(tokens[i].loc, tokens[i + 1].loc);
    }
    ParseResult result = parse(source);
    EXPECT_NE(result.file, nullptr);
    EXPECT_LE(result.errors.size(), Parser::MaxErrors + 1);
  }
}
