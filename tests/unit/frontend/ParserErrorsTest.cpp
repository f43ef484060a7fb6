//===- ParserErrorsTest.cpp - The parser's syntax errors ------------------===//

#include "ParserTestUtil.h"

using namespace netc::frontend;
using namespace netc::frontend::parser_test;

//===----------------------------------------------------------------------===//
// Syntax errors
//===----------------------------------------------------------------------===//

/// A statement put on line 2 of `model m {` ('|' is a line break) => its
/// error. The last, lexical errors (see LexerTest) add no syntax error.
const char *const ErrorCases =
    R"(x = relu(conv2d(x, out=4)|  y = x => 2:28: expected ')' to close the call to 'relu', found newline
x = conv2d(x, out=4, stride=2, 3) => 2:34: positional argument after keyword argument 'stride' in call to 'conv2d'
x = f(a, k=1, k=2) => 2:17: keyword argument 'k' repeated in call to 'f'
x = f(a b) => 2:11: expected ')' to close the call to 'f', found 'b'
x = f(a,|  ,) => 3:3: expected expression after ',', found ','
x = (a + b => 2:13: expected ')' to close the '(' at 2:7, found newline
x = [1, 2 => 2:12: expected ']' to close the list, found newline
x = [] => 2:8: expected expression after '[', found ']'
x = 1 + => 2:10: expected expression after '+', found newline
x = +1 => 2:7: expected expression after '=', found '+'
x = a b => 2:9: expected newline or ';' after the statement, found 'b'
x = a.b.(c) => 2:11: expected a name after 'a.b.', found '('
x = a.(b) => 2:9: expected a name after 'a.', found '('
relu(x) => 2:7: expected '=' after 'relu', found '('
42 => 2:3: expected a statement, found '42'
const = 1 => 2:3: reserved word 'const' cannot be used as a name
const in = 1 => 2:9: reserved word 'in' cannot be used as a constant name
const N 1 => 2:11: expected '=' after constant name 'N', found '1'
input input: f32[1] => 2:9: reserved word 'input' cannot be used as an input name
input x f32[1] => 2:11: expected ':' after input name 'x', found 'f32'
input x: float32[1] => 2:12: expected a dtype ('f32', 'f64', 'i32' or 'i64'), found 'float32'
input x: f32 => 2:15: expected '[' after dtype 'f32', found newline
input x: f32[1 2] => 2:18: expected ']' to close the shape of type 'f32', found '2'
param f32: f32[] => 2:18: expected expression after '[', found ']'
param w: f32[1] zeros() => 2:19: expected 'init=' or newline after the type of parameter 'w', found 'zeros'
param w: f32[1] init zeros() => 2:24: expected '=' after 'init', found 'zeros'
param w: f32[1] init=0.5 => 2:24: expected an initializer call such as 'uniform(0, 1)' after 'init=', found '0.5'
train 0.1 => 2:9: expected an optimizer call such as 'sgd(lr=0.1)' after 'train', found '0.1'
loss = mse(y, t) => 2:8: expected a name or an expression after 'loss', found '='
output => 2:9: expected expression after 'output', found newline
repeat 3 x = 1 => 2:12: expected '{' after the repeat count, found 'x'
x = $ => 2:7: unexpected character '$'
x = f(a, $b) => 2:12: unexpected character '$'
x = "abc => 2:7: unterminated string, expected '"' before the end of the line
x = 99999999999999999999 => 2:7: integer literal '99999999999999999999' does not fit in a 64-bit signed integer
x = f(padding='same') => 2:17: expected a string in double quotes, found 'same')";

TEST(ParserTest, ErrorMessages) {
  std::istringstream lines(ErrorCases);
  for (std::string line; std::getline(lines, line);) {
    size_t arrow = line.find(" => ");
    std::string stmt = line.substr(0, arrow);
    std::replace(stmt.begin(), stmt.end(), '|', '\n');
    EXPECT_EQ(errorsOf("model m {\n  " + stmt + "\n}\n"),
              line.substr(arrow + 4) + "\n");
  }
}

TEST(ParserTest, DottedNamesWithIntegerParts) {
  ParseResult r = parseOk("model m {\n  param a.0.b: f32[1]\n  y = sqnorm(layer1.0.conv1.weight)\n}\n");
  EXPECT_EQ(as<ParamDecl>(modelAt(r).body.at(0)).name, "a.0.b");
  const auto &ref = as<DottedRef>(as<CallExpr>(as<AssignStmt>(modelAt(r).body.at(1)).value).args.at(0));
  EXPECT_EQ(ref.base + " " + ref.member + " " + at(ref.memberLoc), "layer1.0.conv1 weight 3:29");
}

TEST(ParserTest, BlockAndItemErrors) {
  EXPECT_EQ(errorsOf("model m {\n  x = 1\n"),
            "3:1: expected '}' to close model 'm', found end of file\n");
  // An unclosed repeat is reported once, not again for its model.
  EXPECT_EQ(errorsOf("model m {\n  repeat 2 {\n    x = 1\n"),
            "4:1: expected '}' to close the body of 'repeat', found end of "
            "file\n");
  EXPECT_EQ(errorsOf("model m {\n  x = 1\nmodel n {\n  y = 2 ; y = }"),
            "3:1: expected '}' to close model 'm', found keyword 'model'\n"
            "4:15: expected expression after '=', found '}'\n");
  EXPECT_EQ(errorsOf("}"),
            "1:1: expected 'model', 'block' or 'const' at top level, found '}'\n");
  // Top-level garbage is one error up to the next item, braces skipped whole.
  EXPECT_EQ(errorsOf(R"(input x: f32[1]
y = x
model {
  x = 1
}
}
const C = 1 2
model m x { y = 1 }
model n { })"),
            "1:1: expected 'model', 'block' or 'const' at top level, found keyword "
            "'input'\n"
            "3:7: expected a model name after 'model', found '{'\n"
            "6:1: expected 'model', 'block' or 'const' at top level, found '}'\n"
            "7:13: expected newline or ';' after the statement, found '2'\n"
            "8:9: expected '{' after model name 'm', found 'x'\n");
}

TEST(ParserTest, ManyErrorsCollectedWithoutCascades) {
  ParseResult r = parse(R"(model m {
  a = relu(conv2d(x, out=4, kernel=3)
  b = relu(x) $$
  c = conv2d(x, out=4
             stride=2,
             padding=1)
  e = (1 +
  output f = g(x, h=1, 2)
  good = [1
}
model n { fine = 2 })");
  EXPECT_EQ(
      format(r.errors),
      "2:38: expected ')' to close the call to 'relu', found newline\n"
      "3:15: unexpected character '$'\n"
      "5:14: expected ')' to close the call to 'conv2d', found 'stride'\n"
      "7:11: expected expression after '+', found newline\n"
      "8:24: positional argument after keyword argument 'h' in call to 'g'\n"
      "9:12: expected ']' to close the list, found newline\n");
  // The statements without errors are in the AST; `b` is complete, the
  // lexer reported the stray bytes after it.
  std::string locs;
  for (const StmtPtr &stmt : modelAt(r).body)
    locs += at(stmt->loc) + " ";
  EXPECT_EQ(locs, "3:3 8:3 ");
  EXPECT_EQ(as<AssignStmt>(modelAt(r, 1).body.at(0)).name, "fine");
}

TEST(ParserTest, LimitsOnErrorsAndNesting) {
  std::string many = "model m {\n";
  for (int i = 0; i < 300; ++i)
    many += "  x = )\n";
  ParseResult r = parse(many + "}\n");
  ASSERT_EQ(r.errors.size(), Parser::MaxErrors + 1);
  EXPECT_EQ(at(r.errors[99].loc), "101:7");
  EXPECT_EQ(r.errors.back().message, "too many errors, stopping");
  auto wrap = [](const std::string &expr) {
    return "model m {\n  x = " + expr + "\n}\n";
  };
  auto tooDeep = [](unsigned col) {
    return "2:" + std::to_string(col) + ": expression nested too deeply\n";
  };
  const unsigned nesting = Parser::MaxNesting;
  for (char c : {'(', '[', '-'}) // Closed or not, one error.
    EXPECT_EQ(errorsOf(wrap(std::string(10000, c) + "a")),
              tooDeep(7 + nesting));
  std::string calls;
  for (int i = 0; i < 5000; ++i)
    calls += "f(";
  EXPECT_EQ(errorsOf(wrap(calls + "a" + std::string(5000, ')'))),
            tooDeep(8 + 2 * nesting));
  // A long operator chain makes a deep tree without deep recursion.
  std::string chain = "a";
  for (unsigned i = 0; i + 1 < Parser::MaxExprDepth; ++i)
    chain += "+a";
  parseOk(wrap(chain)); // The deepest tree allowed.
  EXPECT_EQ(errorsOf(wrap(chain + "+a")),
            tooDeep(6 + 2 * Parser::MaxExprDepth));
  std::string repeats;
  for (int i = 0; i < 1000; ++i)
    repeats += "repeat 1 {\n";
  EXPECT_EQ(errorsOf("model m {\n" + repeats + std::string(1000, '}') + "}"),
            std::to_string(2 + nesting) +
                ":10: 'repeat' blocks nested too deeply\n");
}

/// Checks what must hold for every input: errors sorted, capped, in house
/// style; an AST and its dump exist. (LexerTest feeds random bytes.)
void checkInvariants(const std::string &source) {
  ParseResult r = parse(source);
  ASSERT_NE(r.file, nullptr);
  dumpAST(*r.file);
  ASSERT_LE(r.errors.size(), Parser::MaxErrors + 1);
  for (const Diagnostic &d : r.errors)
    EXPECT_TRUE(d.loc.line >= 1 && d.message.at(0) >= 'a' &&
                d.message.at(0) <= 'z' && d.message.back() != '.')
        << d.message;
  EXPECT_TRUE(std::is_sorted(
      r.errors.begin(), r.errors.end(),
      [](const Diagnostic &a, const Diagnostic &b) { return a.loc < b.loc; }));
}

TEST(ParserTest, GarbageNeverCrashesOrCascades) {
  EXPECT_EQ(errorsOf("model m {\n  x = \""),
            "2:7: unterminated string, expected '\"' before the end of the "
            "file\n"
            "2:8: expected '}' to close model 'm', found end of file\n");
  for (std::string source : {"}}}}{{{{", "model", "model m { repeat",
                             "model m { x = f(a=", "\"", "{[(\n"})
    EXPECT_NE(errorsOf(source), "") << source;
  for (std::string source :
       {CnnExample, MlpirateExample, Mlp2Example, FooExample}) {
    for (size_t i = 0; i < source.size(); ++i) {
      checkInvariants(source.substr(0, i));
      // One deleted character is one mistake: never a cascade of errors.
      std::string edited = source.substr(0, i) + source.substr(i + 1);
      checkInvariants(edited);
      EXPECT_LE(parse(edited).errors.size(), 2u) << edited << errorsOf(edited);
    }
  }
  // Token soup: every token of the language, in random order.
  std::istringstream vocabulary("model const input param output loss train "
                                "repeat init f32 x = : ; , . ( ) [ ] { } + - "
                                "* / 1 2.5 \"s true $");
  std::vector<std::string> words{std::istream_iterator<std::string>(vocabulary),
                                 {}};
  words.insert(words.end(), {"\n", "#c\n"}); // Blanks split the others.
  uint64_t state = 42;
  for (int round = 0; round < 300; ++round) {
    std::string soup;
    for (int i = 0; i < round; ++i) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      soup += words[(state >> 33) % words.size()] + " ";
    }
    checkInvariants(soup);
  }
}
