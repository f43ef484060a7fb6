//===- ParserTest.cpp - Tests of the .net parser and AST ------------------===//

#include "frontend/Parser.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

using namespace netc::frontend;

namespace {

/// A location as "line:col".
std::string at(Loc loc) {
  return std::to_string(loc.line) + ":" + std::to_string(loc.col);
}

std::string format(const std::vector<Diagnostic> &errors) {
  std::string text;
  for (const Diagnostic &d : errors)
    text += at(d.loc) + ": " + d.message + "\n";
  return text;
}

ParseResult parseOk(std::string_view source) {
  ParseResult result = parse(source);
  EXPECT_TRUE(result.errors.empty()) << format(result.errors);
  return result;
}

/// The errors of \p source, one "line:col: message" line each.
std::string errorsOf(std::string_view source) {
  return format(parse(source).errors);
}

/// The node as a T; throws (failing the test) when it is another kind.
template <typename T, typename Node>
const T &as(const std::unique_ptr<Node> &node) {
  if (const T *t = dynCast<T>(node.get()))
    return *t;
  throw std::runtime_error("unexpected node kind");
}

std::string sexpr(const Expr &e);

std::string sexprList(const std::vector<ExprPtr> &exprs) {
  std::string text;
  for (const ExprPtr &e : exprs)
    text += (text.empty() ? "" : " ") + sexpr(*e);
  return text;
}

/// A compact spelling of an expression tree: (+ a (* b c)), f(x k=1), [1 2].
std::string sexpr(const Expr &e) {
  std::ostringstream out;
  if (auto *i = dynCast<IntLit>(&e))
    out << i->value;
  else if (auto *f = dynCast<FloatLit>(&e))
    out << f->value << 'f';
  else if (auto *s = dynCast<StringLit>(&e))
    out << '"' << s->value << '"';
  else if (auto *b = dynCast<BoolLit>(&e))
    out << (b->value ? "true" : "false");
  else if (auto *n = dynCast<NameRef>(&e))
    out << n->name;
  else if (auto *d = dynCast<DottedRef>(&e))
    out << d->fullName();
  else if (auto *l = dynCast<ListExpr>(&e))
    out << '[' << sexprList(l->elements) << ']';
  else if (auto *u = dynCast<UnaryExpr>(&e))
    out << "(neg " << sexpr(*u->operand) << ')';
  else if (auto *bin = dynCast<BinaryExpr>(&e))
    out << '(' << toString(bin->op) << ' ' << sexpr(*bin->lhs) << ' '
        << sexpr(*bin->rhs) << ')';
  else if (auto *c = dynCast<CallExpr>(&e)) {
    out << c->callee << '(' << sexprList(c->args);
    for (const KeywordArg &kw : c->keywords)
      out << (c->args.empty() && &kw == &c->keywords[0] ? "" : " ") << kw.name
          << '=' << sexpr(*kw.value);
    out << ')';
  }
  return out.str();
}

std::string typeOf(const TypeExpr &type) {
  return std::string(toString(type.dtype)) + "[" + sexprList(type.dims) + "]";
}

/// A declared name and where it is: "x@3:9".
std::string named(const std::string &name, Loc loc) {
  return name + "@" + at(loc);
}

/// One line per statement, "line:col" first, nested bodies indented:
/// `4:3 x = relu(x)`, `3:3 input x@3:9: f32[1 3]`, `8:3 output y@8:10 = f(x)`.
std::string summary(const std::vector<StmtPtr> &stmts,
                    const std::string &indent = "") {
  std::string out;
  for (const StmtPtr &stmt : stmts) {
    out += indent + at(stmt->loc) + " ";
    if (auto *c = dynCast<ConstDecl>(stmt.get()))
      out += "const " + named(c->name, c->nameLoc) + " = " + sexpr(*c->value);
    else if (auto *i = dynCast<InputDecl>(stmt.get()))
      out += "input " + named(i->name, i->nameLoc) + ": " + typeOf(i->type);
    else if (auto *p = dynCast<ParamDecl>(stmt.get()))
      out += "param " + named(p->name, p->nameLoc) + ": " + typeOf(p->type) +
             (p->init ? " init=" + sexpr(*p->init) : "");
    else if (auto *a = dynCast<AssignStmt>(stmt.get()))
      out += a->name + " = " + sexpr(*a->value);
    else if (auto *o = dynCast<OutputStmt>(stmt.get()))
      out += "output " +
             (o->hasName() ? named(o->name, o->nameLoc) + " = " : "") +
             sexpr(*o->value);
    else if (auto *l = dynCast<LossStmt>(stmt.get()))
      out += "loss " +
             (l->hasName() ? named(l->name, l->nameLoc) + " = " : "") +
             sexpr(*l->value);
    else if (auto *t = dynCast<TrainStmt>(stmt.get()))
      out += "train " + sexpr(*t->optimizer);
    else if (auto *r = dynCast<RepeatStmt>(stmt.get()))
      out +=
          "repeat " + sexpr(*r->count) + "\n" + summary(r->body, indent + "  ");
    else if (auto *m = dynCast<ModelDecl>(stmt.get()))
      out += "model " + named(m->name, m->nameLoc) + "\n" +
             summary(m->body, indent + "  ");
    if (out.back() != '\n')
      out += "\n";
  }
  return out;
}

/// The summary of a source that must parse without errors.
std::string summaryOf(std::string_view source) {
  return summary(parseOk(source).file->items);
}

/// The \p index-th item of a file, which must be a model.
const ModelDecl &modelAt(const ParseResult &r, size_t index = 0) {
  return as<ModelDecl>(r.file->items.at(index));
}

/// Parses `model m { v = <text> }` and spells the expression.
std::string exprOf(const std::string &text) {
  ParseResult r = parseOk("model m {\n  v = " + text + "\n}\n");
  return sexpr(*as<AssignStmt>(modelAt(r).body.at(0)).value);
}

const char *const CnnExample =
    R"(# The three-layer CNN whose receptive field we analyse.
model cnn {
  input x: f32[1, 3, 1024, 1024]
  x = relu(conv2d(x, out=4, kernel=3, padding=1))
  x = maxpool2d(x, 2)
  x = relu(conv2d(x, out=16, kernel=5, stride=2, padding=2))
  x = maxpool2d(x, 2)
  output y = relu(conv2d(x, out=32, kernel=7, dilation=2, padding=3))
}
)";

const char *const MlpirateExample = R"(# Deep sigmoid MLP.
const N = 42
const H = 128
model mlpirate {
  input x: f32[64, N]
  input t: f32[64, 1]
  h = sigmoid(linear(x, out=H))
  repeat 24 {
    h = sigmoid(linear(h, out=H))
  }
  output y = linear(h, out=1)
  loss mse(y, t)
  train sgd(lr=0.01, momentum=0.9)
}
)";

const char *const Mlp2Example = R"(# A two-layer MLP for binary classification.
const lambda = 0.001
model mlp2 {
  input x: f32[32, 10]
  input y: f32[32, 1]
  h = tanh(linear(x, out=16, name="fc1"))
  p = sigmoid(linear(h, out=1, name="fc2"))
  output p
  loss bce(p, y) + lambda / 2 * (sqnorm(fc1.weight) + sqnorm(fc2.weight))
  train sgd(lr=0.1)
}
)";

const char *const FooExample = R"(# Explicit parameters, float64.
model foo {
  input X: f64[100, 5]
  param W: f64[5, 5] init=uniform(0, 1)
  param b: f64[5] init=uniform(0, 1)
  loss mean(matmul(X, W) + b)
}
)";

} // namespace

TEST(ParserTest, DslExamples) {
  // All four in one file, which also checks several models per file.
  EXPECT_EQ(summaryOf(std::string(CnnExample) + MlpirateExample + Mlp2Example +
                      FooExample),
            R"(2:1 model cnn@2:7
  3:3 input x@3:9: f32[1 3 1024 1024]
  4:3 x = relu(conv2d(x out=4 kernel=3 padding=1))
  5:3 x = maxpool2d(x 2)
  6:3 x = relu(conv2d(x out=16 kernel=5 stride=2 padding=2))
  7:3 x = maxpool2d(x 2)
  8:3 output y@8:10 = relu(conv2d(x out=32 kernel=7 dilation=2 padding=3))
11:1 const N@11:7 = 42
12:1 const H@12:7 = 128
13:1 model mlpirate@13:7
  14:3 input x@14:9: f32[64 N]
  15:3 input t@15:9: f32[64 1]
  16:3 h = sigmoid(linear(x out=H))
  17:3 repeat 24
    18:5 h = sigmoid(linear(h out=H))
  20:3 output y@20:10 = linear(h out=1)
  21:3 loss mse(y t)
  22:3 train sgd(lr=0.01f momentum=0.9f)
25:1 const lambda@25:7 = 0.001f
26:1 model mlp2@26:7
  27:3 input x@27:9: f32[32 10]
  28:3 input y@28:9: f32[32 1]
  29:3 h = tanh(linear(x out=16 name="fc1"))
  30:3 p = sigmoid(linear(h out=1 name="fc2"))
  31:3 output p
  32:3 loss (+ bce(p y) (* (/ lambda 2) (+ sqnorm(fc1.weight) sqnorm(fc2.weight))))
  33:3 train sgd(lr=0.1f)
36:1 model foo@36:7
  37:3 input X@37:9: f64[100 5]
  38:3 param W@38:9: f64[5 5] init=uniform(0 1)
  39:3 param b@39:9: f64[5] init=uniform(0 1)
  40:3 loss mean((+ matmul(X W) b))
)");
  // The parts of dotted names, and lookup of keyword arguments.
  ParseResult r = parseOk(Mlp2Example);
  const auto &loss = as<LossStmt>(modelAt(r, 1).body.at(5));
  const auto &sum = as<BinaryExpr>(as<BinaryExpr>(loss.value).rhs).rhs;
  const auto &weight =
      as<DottedRef>(as<CallExpr>(as<BinaryExpr>(sum).lhs).args.at(0));
  EXPECT_EQ(weight.base + " " + weight.member + " " + at(weight.loc) + " " +
                at(weight.memberLoc),
            "fc1 weight 9:41 9:45");
  const auto &linear = as<CallExpr>(
      as<CallExpr>(as<AssignStmt>(modelAt(r, 1).body.at(2)).value).args.at(0));
  EXPECT_EQ(linear.findKeyword("name"), &linear.keywords.at(1));
  EXPECT_EQ(linear.findKeyword("bias"), nullptr);
}

//===----------------------------------------------------------------------===//
// Grammar rules
//===----------------------------------------------------------------------===//

TEST(ParserTest, Expressions) {
  EXPECT_EQ(exprOf("a - b - c"), "(- (- a b) c)");
  EXPECT_EQ(exprOf("a / b / c"), "(/ (/ a b) c)");
  EXPECT_EQ(exprOf("a + b * c"), "(+ a (* b c))");
  EXPECT_EQ(exprOf("a * b + c"), "(+ (* a b) c)");
  EXPECT_EQ(exprOf("a - b * c / d + e"), "(+ (- a (/ (* b c) d)) e)");
  EXPECT_EQ(exprOf("-a * b"), "(* (neg a) b)");
  EXPECT_EQ(exprOf("(a + b) * c"), "(* (+ a b) c)");
  EXPECT_EQ(exprOf("a - -b"), "(- a (neg b))");
  EXPECT_EQ(exprOf("- -a"), "(neg (neg a))");
  EXPECT_EQ(exprOf("-(a + b)"), "(neg (+ a b))");
  EXPECT_EQ(exprOf("2 * -3"), "(* 2 (neg 3))");
  EXPECT_EQ(exprOf("((a))"), "a");
  // Primaries the examples of DSL.md do not show.
  EXPECT_EQ(exprOf("false"), "false");
  EXPECT_EQ(exprOf("[3, 5]"), "[3 5]");
  EXPECT_EQ(exprOf("[[1, 2], [H * 2, -1]]"), "[[1 2] [(* H 2) (neg 1)]]");
  EXPECT_EQ(exprOf("f()"), "f()");
  EXPECT_EQ(exprOf("f(a, g(b), c=1, b=[2, 3], a=\"x\")"),
            "f(a g(b) c=1 b=[2 3] a=\"x\")");
  // Trailing commas, as Python allows.
  EXPECT_EQ(exprOf("f(a, k=1,)"), "f(a k=1)");
  EXPECT_EQ(exprOf("[1, 2,]"), "[1 2]");
  // `init` and the dtype names are ordinary names outside a type.
  EXPECT_EQ(exprOf("init + f32(i64)"), "(+ init f32(i64))");
}

TEST(ParserTest, StatementsAndNestedRepeat) {
  EXPECT_EQ(summaryOf(R"(model m {
  const K = 3 * 2
  input a: i32[2]
  input b: i64[K, 2 * K]
  param w: f32[4]
  param v: f64[4] init=normal(0, 0.02)
  h = a
  output o = h
  output h + 1
  loss l = mean(h)
  train adam(0.001, beta1=0.8)
  repeat 2 {
    repeat N * 2 { x = f(x); y = x }
    z = 1
  }
})"),
            R"(1:1 model m@1:7
  2:3 const K@2:9 = (* 3 2)
  3:3 input a@3:9: i32[2]
  4:3 input b@4:9: i64[K (* 2 K)]
  5:3 param w@5:9: f32[4]
  6:3 param v@6:9: f64[4] init=normal(0 0.02f)
  7:3 h = a
  8:3 output o@8:10 = h
  9:3 output (+ h 1)
  10:3 loss l@10:8 = mean(h)
  11:3 train adam(0.001f beta1=0.8f)
  12:3 repeat 2
    13:5 repeat (* N 2)
      13:20 x = f(x)
      13:30 y = x
    14:5 z = 1
)");
}

TEST(ParserTest, SeparatorsBracesAndComments) {
  // ';' and newlines end statements; empty statements are allowed; '}'
  // needs no separator before it and a block none after it; '{' may go on
  // the next line.
  EXPECT_EQ(summaryOf("model m { input x: f32[1]; a = x;; b = a\n\n; repeat "
                      "2 { a = b } c = a; output c }"),
            "1:1 model m@1:7\n  1:11 input x@1:17: f32[1]\n  1:28 a = x\n"
            "  1:36 b = a\n  3:3 repeat 2\n    3:14 a = b\n  3:22 c = a\n"
            "  3:29 output c\n");
  EXPECT_EQ(summaryOf("const A = 1; model m { } model n\n{\n  repeat 3\n  {"
                      "\n    x = 1\n  }\n}\n"),
            "1:1 const A@1:7 = 1\n1:14 model m@1:20\n1:26 model n@1:32\n"
            "  3:3 repeat 3\n    5:5 x = 1\n");
  for (const char *source : {"", "# only a comment", "\n\n# a\n   \n"})
    EXPECT_EQ(summaryOf(source), "");
  EXPECT_EQ(summaryOf("# a\nmodel m { # b\n  x = 1 # c\n  # d\n}# e"),
            "2:1 model m@2:7\n  3:3 x = 1\n");
}

TEST(ParserTest, NewlinesInsideBracketsDoNotEndStatements) {
  EXPECT_EQ(summaryOf(R"(model m {
  input x: f32[
    1,
    3
  ]
  y = conv2d(
    x,        # the input
    out=4,
    kernel=[3,
            3],
  )
  z = (y
       + 1)
})"),
            "1:1 model m@1:7\n  2:3 input x@2:9: f32[1 3]\n"
            "  6:3 y = conv2d(x out=4 kernel=[3 3])\n  12:3 z = (+ y 1)\n");
  // Outside brackets a newline does end the statement.
  EXPECT_EQ(errorsOf("model m {\n  z = y\n    + 1\n}"),
            "3:5: expected a statement, found '+'\n");
}

TEST(ParserTest, DumpAST) {
  ParseResult r = parseOk(R"(const K = 2
model m {
  param w: f32[K] init=ones()
  output y = -w * 1.0 + ["a", true]
  repeat 1 { train sgd(lr=2) }
})");
  EXPECT_EQ(dumpAST(*r.file), R"(File
  ConstDecl <1:1> 'K'
    IntLit <1:11> 2
  ModelDecl <2:1> 'm'
    ParamDecl <3:3> 'w'
      TypeExpr <3:12> f32
        NameRef <3:16> 'K'
      CallExpr <3:24> 'ones'
    OutputStmt <4:3> 'y'
      BinaryExpr <4:23> '+'
        BinaryExpr <4:17> '*'
          UnaryExpr <4:14> '-'
            NameRef <4:15> 'w'
          FloatLit <4:19> 1.0
        ListExpr <4:25>
          StringLit <4:26> "a"
          BoolLit <4:31> true
    RepeatStmt <5:3>
      IntLit <5:10> 1
      TrainStmt <5:14>
        CallExpr <5:20> 'sgd'
          KeywordArg <5:24> 'lr'
            IntLit <5:27> 2
)");
}

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
