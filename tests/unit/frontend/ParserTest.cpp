//===- ParserTest.cpp - Tests of the .net parser and AST ------------------===//

#include "frontend/Parser.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

using namespace netc::frontend;
using Strings = std::vector<std::string>;

namespace {

std::string format(const std::vector<Diagnostic> &errors) {
  std::string text;
  for (const Diagnostic &d : errors)
    text += std::to_string(d.loc.line) + ":" + std::to_string(d.loc.col) +
            ": " + d.message + "\n";
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

/// A location as "line:col".
std::string at(Loc loc) {
  return std::to_string(loc.line) + ":" + std::to_string(loc.col);
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

/// The value of a const, assignment, output or loss, spelled by sexpr.
std::string valueOf(const StmtPtr &stmt) {
  if (auto *c = dynCast<ConstDecl>(stmt.get()))
    return sexpr(*c->value);
  if (auto *a = dynCast<AssignStmt>(stmt.get()))
    return sexpr(*a->value);
  if (auto *o = dynCast<OutputStmt>(stmt.get()))
    return sexpr(*o->value);
  return sexpr(*as<LossStmt>(stmt).value);
}

/// The \p index-th item of a file, which must be a model.
const ModelDecl &modelAt(const ParseResult &r, size_t index = 0) {
  if (index >= r.file->items.size())
    throw std::runtime_error("no such item");
  return as<ModelDecl>(r.file->items[index]);
}

/// Parses `model m { v = <text> }` and spells the expression.
std::string exprOf(const std::string &text) {
  ParseResult r = parseOk("model m {\n  v = " + text + "\n}\n");
  const ModelDecl &m = modelAt(r);
  return m.body.size() == 1 ? valueOf(m.body[0]) : "<no statement>";
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

//===----------------------------------------------------------------------===//
// The examples of DSL.md
//===----------------------------------------------------------------------===//

TEST(ParserTest, CnnExample) {
  ParseResult r = parseOk(CnnExample);
  ASSERT_EQ(r.file->items.size(), 1u);
  const ModelDecl &m = modelAt(r);
  EXPECT_EQ(m.name, "cnn");
  EXPECT_EQ(at(m.loc), "2:1");
  EXPECT_EQ(at(m.nameLoc), "2:7");
  ASSERT_EQ(m.body.size(), 6u);

  const InputDecl &x = as<InputDecl>(m.body[0]);
  EXPECT_EQ(x.name, "x");
  EXPECT_EQ(at(x.loc), "3:3");
  EXPECT_EQ(at(x.nameLoc), "3:9");
  EXPECT_EQ(x.type.dtype, DType::F32);
  EXPECT_EQ(at(x.type.loc), "3:12");
  EXPECT_EQ(sexprList(x.type.dims), "1 3 1024 1024");
  EXPECT_EQ(at(x.type.dims[3]->loc), "3:28");

  const AssignStmt &a = as<AssignStmt>(m.body[1]);
  EXPECT_EQ(a.name, "x");
  EXPECT_EQ(at(a.loc), "4:3");
  EXPECT_EQ(valueOf(m.body[1]), "relu(conv2d(x out=4 kernel=3 padding=1))");
  const CallExpr &relu = as<CallExpr>(a.value);
  EXPECT_EQ(at(relu.loc), "4:7");
  const CallExpr &conv = as<CallExpr>(relu.args[0]);
  EXPECT_EQ(at(conv.loc), "4:12");
  ASSERT_EQ(conv.keywords.size(), 3u);
  EXPECT_EQ(conv.keywords[1].name, "kernel");
  EXPECT_EQ(at(conv.keywords[1].nameLoc), "4:29");
  EXPECT_EQ(at(conv.keywords[1].value->loc), "4:36");
  EXPECT_NE(conv.findKeyword("padding"), nullptr);
  EXPECT_EQ(conv.findKeyword("stride"), nullptr);

  EXPECT_EQ(valueOf(m.body[2]), "maxpool2d(x 2)");
  EXPECT_EQ(valueOf(m.body[3]),
            "relu(conv2d(x out=16 kernel=5 stride=2 padding=2))");
  const OutputStmt &y = as<OutputStmt>(m.body[5]);
  EXPECT_EQ(y.name, "y");
  EXPECT_EQ(at(y.loc), "8:3");
  EXPECT_EQ(at(y.nameLoc), "8:10");
  EXPECT_EQ(valueOf(m.body[5]),
            "relu(conv2d(x out=32 kernel=7 dilation=2 padding=3))");
}

TEST(ParserTest, MlpirateExample) {
  ParseResult r = parseOk(MlpirateExample);
  ASSERT_EQ(r.file->items.size(), 3u);
  const ConstDecl &n = as<ConstDecl>(r.file->items[0]);
  EXPECT_EQ(n.name, "N");
  EXPECT_EQ(at(n.loc), "2:1");
  EXPECT_EQ(at(n.nameLoc), "2:7");
  EXPECT_EQ(as<IntLit>(n.value).value, 42);
  EXPECT_EQ(as<ConstDecl>(r.file->items[1]).name, "H");
  const ModelDecl &m = modelAt(r, 2);
  EXPECT_EQ(m.name, "mlpirate");
  ASSERT_EQ(m.body.size(), 7u);
  EXPECT_EQ(sexprList(as<InputDecl>(m.body[0]).type.dims), "64 N");
  const RepeatStmt &rep = as<RepeatStmt>(m.body[3]);
  EXPECT_EQ(at(rep.loc), "8:3");
  EXPECT_EQ(as<IntLit>(rep.count).value, 24);
  ASSERT_EQ(rep.body.size(), 1u);
  EXPECT_EQ(valueOf(rep.body[0]), "sigmoid(linear(h out=H))");
  EXPECT_EQ(at(rep.body[0]->loc), "9:5");
  EXPECT_FALSE(as<LossStmt>(m.body[5]).hasName());
  EXPECT_EQ(valueOf(m.body[5]), "mse(y t)");
  const TrainStmt &train = as<TrainStmt>(m.body[6]);
  EXPECT_EQ(at(train.loc), "13:3");
  EXPECT_EQ(at(train.optimizer->loc), "13:9");
  EXPECT_EQ(sexpr(*train.optimizer), "sgd(lr=0.01f momentum=0.9f)");
}

TEST(ParserTest, Mlp2Example) {
  ParseResult r = parseOk(Mlp2Example);
  ASSERT_EQ(r.file->items.size(), 2u);
  EXPECT_EQ(valueOf(r.file->items[0]), "0.001f");
  const ModelDecl &m = modelAt(r, 1);
  ASSERT_EQ(m.body.size(), 7u);
  EXPECT_EQ(valueOf(m.body[2]), "tanh(linear(x out=16 name=\"fc1\"))");
  const OutputStmt &out = as<OutputStmt>(m.body[4]);
  EXPECT_FALSE(out.hasName());
  EXPECT_EQ(as<NameRef>(out.value).name, "p");
  EXPECT_EQ(valueOf(m.body[5]), "(+ bce(p y) (* (/ lambda 2) "
                                "(+ sqnorm(fc1.weight) sqnorm(fc2.weight))))");
  // Binary operators sit at their operator; dotted names at their start.
  const BinaryExpr &plus = as<BinaryExpr>(as<LossStmt>(m.body[5]).value);
  EXPECT_EQ(at(plus.loc), "9:18");
  const auto &sum = as<BinaryExpr>(as<BinaryExpr>(plus.rhs).rhs);
  const auto &sqnorm = as<CallExpr>(sum.lhs);
  const auto &weight = as<DottedRef>(sqnorm.args[0]);
  EXPECT_EQ(weight.base, "fc1");
  EXPECT_EQ(weight.member, "weight");
  EXPECT_EQ(at(weight.loc), "9:41");
  EXPECT_EQ(at(weight.memberLoc), "9:45");
}

TEST(ParserTest, FooExample) {
  ParseResult r = parseOk(FooExample);
  const ModelDecl &m = modelAt(r);
  ASSERT_EQ(m.body.size(), 4u);
  EXPECT_EQ(as<InputDecl>(m.body[0]).type.dtype, DType::F64);
  const ParamDecl &w = as<ParamDecl>(m.body[1]);
  EXPECT_EQ(w.name, "W");
  EXPECT_EQ(at(w.nameLoc), "4:9");
  EXPECT_EQ(w.type.dtype, DType::F64);
  EXPECT_EQ(sexprList(w.type.dims), "5 5");
  ASSERT_NE(w.init, nullptr);
  EXPECT_EQ(at(w.init->loc), "4:27");
  EXPECT_EQ(sexpr(*w.init), "uniform(0 1)");
  EXPECT_EQ(valueOf(m.body[3]), "mean((+ matmul(X W) b))");
}

//===----------------------------------------------------------------------===//
// Grammar rules
//===----------------------------------------------------------------------===//

TEST(ParserTest, PrecedenceAndAssociativity) {
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
}

TEST(ParserTest, OperatorLocations) {
  ParseResult r = parseOk("model m {\n  v = -a * (b - c)\n}");
  const auto &mul = as<BinaryExpr>(as<AssignStmt>(modelAt(r).body[0]).value);
  EXPECT_EQ(mul.op, BinaryOp::Mul);
  EXPECT_EQ(at(mul.loc), "2:10");
  EXPECT_EQ(at(mul.lhs->loc), "2:7"); // The '-'.
  EXPECT_EQ(at(as<UnaryExpr>(mul.lhs).operand->loc), "2:8");
  EXPECT_EQ(at(mul.rhs->loc), "2:15"); // Parentheses leave no node.
}

TEST(ParserTest, Primaries) {
  EXPECT_EQ(exprOf("42"), "42");
  EXPECT_EQ(exprOf("1e-3"), "0.001f");
  EXPECT_EQ(exprOf("\"same\""), "\"same\"");
  EXPECT_EQ(exprOf("true"), "true");
  EXPECT_EQ(exprOf("false"), "false");
  EXPECT_EQ(exprOf("fc1.weight"), "fc1.weight");
  EXPECT_EQ(exprOf("[3, 5]"), "[3 5]");
  EXPECT_EQ(exprOf("[[1, 2], [H * 2, -1]]"), "[[1 2] [(* H 2) (neg 1)]]");
  EXPECT_EQ(exprOf("f()"), "f()");
  EXPECT_EQ(exprOf("f(a, g(b), c=1, b=[2, 3], a=\"x\")"),
            "f(a g(b) c=1 b=[2 3] a=\"x\")");
  EXPECT_EQ(exprOf("f(k=1)"), "f(k=1)");
  // Trailing commas, as Python allows.
  EXPECT_EQ(exprOf("f(a, k=1,)"), "f(a k=1)");
  EXPECT_EQ(exprOf("[1, 2,]"), "[1 2]");
  // `init` and the dtype names are ordinary names outside a type.
  EXPECT_EQ(exprOf("init + f32(i64)"), "(+ init f32(i64))");
}

TEST(ParserTest, Statements) {
  ParseResult r = parseOk(R"(model m {
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
})");
  const ModelDecl &m = modelAt(r);
  ASSERT_EQ(m.body.size(), 10u);
  EXPECT_EQ(valueOf(m.body[0]), "(* 3 2)");
  EXPECT_EQ(as<InputDecl>(m.body[1]).type.dtype, DType::I32);
  EXPECT_EQ(sexprList(as<InputDecl>(m.body[2]).type.dims), "K (* 2 K)");
  EXPECT_EQ(as<InputDecl>(m.body[2]).type.dtype, DType::I64);
  EXPECT_EQ(as<ParamDecl>(m.body[3]).init, nullptr);
  EXPECT_EQ(sexpr(*as<ParamDecl>(m.body[4]).init), "normal(0 0.02f)");
  EXPECT_EQ(as<AssignStmt>(m.body[5]).name, "h");
  EXPECT_EQ(as<OutputStmt>(m.body[6]).name, "o");
  EXPECT_FALSE(as<OutputStmt>(m.body[7]).hasName());
  EXPECT_EQ(valueOf(m.body[7]), "(+ h 1)");
  EXPECT_EQ(as<LossStmt>(m.body[8]).name, "l");
  EXPECT_EQ(at(as<LossStmt>(m.body[8]).nameLoc), "10:8");
  const TrainStmt &train = as<TrainStmt>(m.body[9]);
  EXPECT_EQ(sexpr(*train.optimizer), "adam(0.001f beta1=0.8f)");
}

TEST(ParserTest, NestedRepeat) {
  ParseResult r = parseOk(R"(model m {
 repeat 2 {
  repeat N * 2 { x = f(x); y = x }
  z = 1
 }
})");
  ASSERT_EQ(modelAt(r).body.size(), 1u);
  const RepeatStmt &outer = as<RepeatStmt>(modelAt(r).body[0]);
  ASSERT_EQ(outer.body.size(), 2u);
  const RepeatStmt &inner = as<RepeatStmt>(outer.body[0]);
  EXPECT_EQ(at(inner.loc), "3:3");
  EXPECT_EQ(sexpr(*inner.count), "(* N 2)");
  ASSERT_EQ(inner.body.size(), 2u);
  EXPECT_EQ(as<AssignStmt>(inner.body[1]).name, "y");
  EXPECT_EQ(as<AssignStmt>(outer.body[1]).name, "z");
}

TEST(ParserTest, StatementSeparators) {
  // ';' and newlines end statements; empty statements are allowed; '}'
  // needs no separator before it and a block none after it.
  ParseResult r = parseOk("model m { input x: f32[1]; a = x;; b = a\n\n; "
                          "repeat 2 { a = b } c = a; output c }");
  EXPECT_EQ(modelAt(r).body.size(), 6u);
  r = parseOk("const A = 1; const B = 2; model m { } model n { output B }");
  EXPECT_EQ(r.file->items.size(), 4u);
}

TEST(ParserTest, NewlinesInsideBracketsDoNotEndStatements) {
  ParseResult r = parseOk(R"(model m {
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
  output z
})");
  const ModelDecl &m = modelAt(r);
  ASSERT_EQ(m.body.size(), 4u);
  EXPECT_EQ(sexprList(as<InputDecl>(m.body[0]).type.dims), "1 3");
  EXPECT_EQ(valueOf(m.body[1]), "conv2d(x out=4 kernel=[3 3])");
  EXPECT_EQ(valueOf(m.body[2]), "(+ y 1)");
  // Outside brackets a newline does end the statement.
  EXPECT_EQ(errorsOf("model m {\n  z = y\n    + 1\n}"),
            "3:5: expected a statement, found '+'\n");
}

TEST(ParserTest, BracesOnTheirOwnLines) {
  ParseResult r = parseOk("model m\n{\n  repeat 3\n  {\n    x = 1\n  }\n}\n");
  EXPECT_EQ(as<RepeatStmt>(modelAt(r).body[0]).body.size(), 1u);
}

TEST(ParserTest, CommentsAndEmptyFiles) {
  EXPECT_TRUE(parseOk("").file->items.empty());
  EXPECT_TRUE(parseOk("# only a comment").file->items.empty());
  EXPECT_TRUE(parseOk("\n\n# a\n   \n").file->items.empty());
  ParseResult r = parseOk("# a\nmodel m { # b\n  x = 1 # c\n  # d\n}# e");
  EXPECT_EQ(modelAt(r).body.size(), 1u);
}

TEST(ParserTest, SeveralModelsAndConstantsInOrder) {
  ParseResult r = parseOk(std::string(CnnExample) + MlpirateExample +
                          Mlp2Example + FooExample);
  std::string names;
  for (const StmtPtr &item : r.file->items)
    names += item->kind == Stmt::Kind::Model
                 ? as<ModelDecl>(item).name + " "
                 : "const " + as<ConstDecl>(item).name + " ";
  EXPECT_EQ(names, "cnn const N const H mlpirate const lambda mlp2 foo ");
  EXPECT_EQ(at(modelAt(r, 6).loc), "36:1");
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

/// One case a line: a statement put in `model m {` on line 2 ('|' stands for
/// a line break), then "=>", then its one error. Lexical errors are tested in
/// LexerTest; the last cases check that they add no syntax error.
const char *const ErrorCases = R"(
x = relu(conv2d(x, out=4)|  y = x => 2:28: expected ')' to close the call to 'relu', found newline
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
x = a.b.c => 2:10: unexpected '.' after 'a.b', dotted names have two parts
x = a.(b) => 2:9: expected a name after 'a.', found '('
relu(x) => 2:7: expected '=' after 'relu', found '('
42 => 2:3: expected a statement, found '42'
const = 1 => 2:9: expected a constant name after 'const', found '='
const N 1 => 2:11: expected '=' after constant name 'N', found '1'
input input: f32[1] => 2:9: expected an input name after 'input', found keyword 'input'
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
model n { } => 2:3: expected '}' to close model 'm', found keyword 'model'
x = $ => 2:7: unexpected character '$'
x = f(a, $b) => 2:12: unexpected character '$'
x = "abc => 2:7: unterminated string, expected '"' before the end of the line
x = 99999999999999999999 => 2:7: integer literal '99999999999999999999' does not fit in a 64-bit signed integer
x = f(padding='same') => 2:17: expected a string in double quotes, found 'same'
)";

TEST(ParserTest, ErrorMessages) {
  std::istringstream lines(ErrorCases);
  for (std::string line; std::getline(lines, line);) {
    size_t arrow = line.find(" => ");
    if (arrow == std::string::npos)
      continue;
    std::string stmt = line.substr(0, arrow);
    std::replace(stmt.begin(), stmt.end(), '|', '\n');
    EXPECT_EQ(errorsOf("model m {\n  " + stmt + "\n}\n"),
              line.substr(arrow + 4) + "\n");
  }
}

TEST(ParserTest, BlockAndItemErrors) {
  EXPECT_EQ(errorsOf("model m {\n  x = 1\n"),
            "3:1: expected '}' to close model 'm', found end of file\n");
  // An unclosed repeat is reported once, not again for its model.
  EXPECT_EQ(errorsOf("model m {\n  repeat 2 {\n    x = 1\n"),
            "4:1: expected '}' to close the body of 'repeat', found end of "
            "file\n");
  ParseResult r = parse("model m {\n  x = 1\nmodel n {\n  y = 2\n}");
  EXPECT_EQ(format(r.errors),
            "3:1: expected '}' to close model 'm', found keyword 'model'\n");
  EXPECT_EQ(r.file->items.size(), 2u);
  EXPECT_EQ(errorsOf("}"),
            "1:1: expected 'model' or 'const' at top level, found '}'\n");
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
            "1:1: expected 'model' or 'const' at top level, found keyword "
            "'input'\n"
            "3:7: expected a model name after 'model', found '{'\n"
            "6:1: expected 'model' or 'const' at top level, found '}'\n"
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
  repeat 3 x {
    d = 1
  }
  e = (1 +
  output f = g(x, h=1, 2)
  good = 1
}
model n {
  output q = [1 2]
  fine = 2
})");
  EXPECT_EQ(
      format(r.errors),
      "2:38: expected ')' to close the call to 'relu', found newline\n"
      "3:15: unexpected character '$'\n"
      "5:14: expected ')' to close the call to 'conv2d', found 'stride'\n"
      "7:12: expected '{' after the repeat count, found 'x'\n"
      "10:11: expected expression after '+', found newline\n"
      "11:24: positional argument after keyword argument 'h' in call to 'g'\n"
      "15:17: expected ']' to close the list, found '2'\n");
  // The statements without errors are in the AST; `b` is complete, the
  // lexer reported the stray bytes after it.
  std::string names;
  for (const StmtPtr &stmt : modelAt(r).body)
    names += at(stmt->loc) + " ";
  EXPECT_EQ(names, "3:3 11:3 12:3 ");
  EXPECT_EQ(as<AssignStmt>(modelAt(r, 1).body[0]).name, "fine");
}

TEST(ParserTest, ErrorCountIsCapped) {
  std::string source = "model m {\n";
  for (int i = 0; i < 300; ++i)
    source += "  x = )\n";
  ParseResult r = parse(source + "}\n");
  ASSERT_EQ(r.errors.size(), Parser::MaxErrors + 1);
  EXPECT_EQ(at(r.errors[99].loc), "101:7");
  EXPECT_EQ(r.errors.back().message, "too many errors, stopping");
}

TEST(ParserTest, DeepNestingIsAnErrorNotACrash) {
  auto wrap = [](const std::string &expr) {
    return "model m {\n  x = " + expr + "\n}\n";
  };
  auto tooDeep = [](unsigned col) {
    return "2:" + std::to_string(col) + ": expression nested too deeply\n";
  };
  const unsigned nesting = Parser::MaxNesting;
  std::string open(10000, '('), close(10000, ')');
  EXPECT_EQ(errorsOf(wrap(open + "a" + close)), tooDeep(7 + nesting));
  EXPECT_EQ(errorsOf(wrap(std::string(10000, '[') + "a")),
            tooDeep(7 + nesting));
  EXPECT_EQ(errorsOf(wrap(std::string(10000, '-') + "a")),
            tooDeep(7 + nesting));
  std::string calls;
  for (int i = 0; i < 5000; ++i)
    calls += "f(";
  EXPECT_EQ(errorsOf(wrap(calls + "a" + close)), tooDeep(8 + 2 * nesting));
  EXPECT_EQ(
      errorsOf("model m {\n  x = " + open),
      tooDeep(7 + nesting) +
          "2:10007: expected '}' to close model 'm', found end of file\n");
  // A long operator chain makes a deep tree without deep recursion.
  std::string chain = "a";
  for (int i = 0; i < 5000; ++i)
    chain += " + a";
  EXPECT_EQ(errorsOf(wrap(chain)), tooDeep(9 + 4 * (Parser::MaxExprDepth - 1)));
  std::string shallow = "a";
  for (unsigned i = 0; i + 1 < Parser::MaxExprDepth; ++i)
    shallow += "+a";
  parseOk(wrap(shallow));
  std::string repeats;
  for (int i = 0; i < 1000; ++i)
    repeats += "repeat 1 {\n";
  EXPECT_EQ(errorsOf("model m {\n" + repeats + std::string(1000, '}') + "}"),
            std::to_string(2 + nesting) +
                ":10: 'repeat' blocks nested too deeply\n");
}

TEST(ParserTest, StrayInputsNeverCrash) {
  EXPECT_EQ(errorsOf("model m {\n  x = \""),
            "2:7: unterminated string, expected '\"' before the end of the "
            "file\n"
            "2:8: expected '}' to close model 'm', found end of file\n");
  EXPECT_NE(errorsOf("}}}}{{{{"), "");
  EXPECT_NE(errorsOf("model"), "");
  EXPECT_NE(errorsOf("model m { repeat"), "");
  EXPECT_NE(errorsOf("model m { x = f(a="), "");
  EXPECT_NE(errorsOf(std::string("\0\0\0", 3)), "");
}

/// Checks what must hold for every input: errors sorted, capped, in house
/// style; an AST and its dump exist.
void checkInvariants(const std::string &source) {
  ParseResult r = parse(source);
  ASSERT_NE(r.file, nullptr);
  dumpAST(*r.file);
  ASSERT_LE(r.errors.size(), Parser::MaxErrors + 1);
  for (size_t i = 0; i < r.errors.size(); ++i) {
    const std::string &msg = r.errors[i].message;
    ASSERT_FALSE(msg.empty());
    EXPECT_FALSE(msg[0] >= 'A' && msg[0] <= 'Z') << msg;
    EXPECT_NE(msg.back(), '.') << msg;
    EXPECT_GE(r.errors[i].loc.line, 1u);
    if (i > 0) {
      EXPECT_FALSE(r.errors[i].loc < r.errors[i - 1].loc) << format(r.errors);
    }
  }
}

TEST(ParserTest, RandomBytesAndTokenSoup) {
  const char *const words[] = {
      "model",  "const", "input", "param", "output", "loss", "train",
      "repeat", "init",  "f32",   "x",     "y",      "=",    ":",
      ";",      ",",     ".",     "(",     ")",      "[",    "]",
      "{",      "}",     "+",     "-",     "*",      "/",    "1",
      "2.5",    "\"s",   "true",  "\n",    "#c\n",   "$"};
  uint64_t state = 42;
  auto next = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<size_t>(state >> 33);
  };
  for (int round = 0; round < 300; ++round) {
    std::string bytes, soup;
    for (size_t i = 0, n = next() % 300; i < n; ++i) {
      bytes += static_cast<char>(next());
      soup += std::string(words[next() % std::size(words)]) + " ";
    }
    checkInvariants(bytes);
    checkInvariants(soup);
  }
}

TEST(ParserTest, EveryPrefixAndEveryDeletionOfTheExamples) {
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
}
