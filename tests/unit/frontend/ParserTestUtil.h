//===- ParserTestUtil.h - Helpers of the parser tests --------*- C++ -*-===//
//
// Spellings of ASTs and diagnostics shared by ParserTest.cpp and
// ParserErrorsTest.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_TESTS_UNIT_FRONTEND_PARSERTESTUTIL_H
#define NETC_TESTS_UNIT_FRONTEND_PARSERTESTUTIL_H

#include "frontend/Parser.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace netc::frontend::parser_test {

/// A location as "line:col".
inline std::string at(Loc loc) {
  return std::to_string(loc.line) + ":" + std::to_string(loc.col);
}

inline std::string format(const std::vector<Diagnostic> &errors) {
  std::string text;
  for (const Diagnostic &d : errors)
    text += at(d.loc) + ": " + d.message + "\n";
  return text;
}

inline ParseResult parseOk(std::string_view source) {
  ParseResult result = parse(source);
  EXPECT_TRUE(result.errors.empty()) << format(result.errors);
  return result;
}

/// The errors of \p source, one "line:col: message" line each.
inline std::string errorsOf(std::string_view source) {
  return format(parse(source).errors);
}

/// The node as a T; throws (failing the test) when it is another kind.
template <typename T, typename Node>
inline const T &as(const std::unique_ptr<Node> &node) {
  if (const T *t = dynCast<T>(node.get()))
    return *t;
  throw std::runtime_error("unexpected node kind");
}

inline std::string sexpr(const Expr &e);

inline std::string sexprList(const std::vector<ExprPtr> &exprs) {
  std::string text;
  for (const ExprPtr &e : exprs)
    text += (text.empty() ? "" : " ") + sexpr(*e);
  return text;
}

/// A compact spelling of an expression tree: (+ a (* b c)), f(x k=1), [1 2].
inline std::string sexpr(const Expr &e) {
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

inline std::string typeOf(const TypeExpr &type) {
  return std::string(toString(type.dtype)) + "[" + sexprList(type.dims) + "]";
}

/// A declared name and where it is: "x@3:9".
inline std::string named(const std::string &name, Loc loc) {
  return name + "@" + at(loc);
}

/// One line per statement, "line:col" first, nested bodies indented:
/// `4:3 x = relu(x)`, `3:3 input x@3:9: f32[1 3]`, `8:3 output y@8:10 = f(x)`.
inline std::string summary(const std::vector<StmtPtr> &stmts,
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
inline std::string summaryOf(std::string_view source) {
  return summary(parseOk(source).file->items);
}

/// The \p index-th item of a file, which must be a model.
inline const ModelDecl &modelAt(const ParseResult &r, size_t index = 0) {
  return as<ModelDecl>(r.file->items.at(index));
}

/// Parses `model m { v = <text> }` and spells the expression.
inline std::string exprOf(const std::string &text) {
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

} // namespace netc::frontend::parser_test

#endif // NETC_TESTS_UNIT_FRONTEND_PARSERTESTUTIL_H
