//===- AST.cpp - Abstract syntax tree of the .net language ----------------===//

#include "frontend/AST.h"

#include <fmt/format.h>

using namespace netc::frontend;

const char *netc::frontend::toString(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return "f32";
  case DType::F64:
    return "f64";
  case DType::I32:
    return "i32";
  case DType::I64:
    return "i64";
  }
  return "?";
}

const char *netc::frontend::toString(BinaryOp op) {
  switch (op) {
  case BinaryOp::Add:
    return "+";
  case BinaryOp::Sub:
    return "-";
  case BinaryOp::Mul:
    return "*";
  case BinaryOp::Div:
    return "/";
  case BinaryOp::Eq:
    return "==";
  case BinaryOp::Ne:
    return "!=";
  case BinaryOp::Lt:
    return "<";
  case BinaryOp::Le:
    return "<=";
  case BinaryOp::Gt:
    return ">";
  case BinaryOp::Ge:
    return ">=";
  case BinaryOp::And:
    return "and";
  case BinaryOp::Or:
    return "or";
  }
  return "?";
}

const KeywordArg *CallExpr::findKeyword(const std::string &name) const {
  for (const KeywordArg &kw : keywords)
    if (kw.name == name)
      return &kw;
  return nullptr;
}

//===----------------------------------------------------------------------===//
// dumpAST
//===----------------------------------------------------------------------===//

namespace {

/// Writes one line per node, children indented by two spaces under their
/// parent, in the form `Kind <line:col> detail`.
class Dumper {
public:
  std::string take() { return std::move(out); }

  void dumpFile(const File &file) {
    out += "File\n";
    for (const StmtPtr &item : file.items)
      dumpStmt(*item, 1);
  }

private:
  void line(unsigned depth, const char *kind, Loc loc,
            const std::string &detail = "") {
    out.append(2 * depth, ' ');
    out += fmt::format("{} <{}:{}>", kind, loc.line, loc.col);
    if (!detail.empty())
      out += " " + detail;
    out += '\n';
  }

  static std::string quoted(const std::string &name) {
    return "'" + name + "'";
  }

  static std::string stringLiteral(const std::string &value) {
    std::string text = "\"";
    for (char c : value) {
      if (c == '"' || c == '\\')
        text += {'\\', c};
      else if (c == '\n')
        text += "\\n";
      else if (c == '\t')
        text += "\\t";
      else
        text += c;
    }
    return printable(text + "\"", SIZE_MAX);
  }

  static std::string floatLiteral(double value) {
    // Shortest round-trip spelling, with a '.0' so 2.0 does not read as an int.
    std::string text = fmt::format("{}", value);
    if (text.find_first_of(".eEn") == std::string::npos)
      text += ".0";
    return text;
  }

  void dumpType(const TypeExpr &type, unsigned depth) {
    line(depth, "TypeExpr", type.loc, toString(type.dtype));
    for (const ExprPtr &dim : type.dims)
      dumpExpr(*dim, depth + 1);
  }

  void dumpBody(const std::vector<StmtPtr> &body, unsigned depth) {
    for (const StmtPtr &stmt : body)
      dumpStmt(*stmt, depth);
  }

  void dumpStmt(const Stmt &stmt, unsigned depth) {
    switch (stmt.kind) {
    case Stmt::Kind::Const: {
      const auto &s = static_cast<const ConstDecl &>(stmt);
      line(depth, "ConstDecl", s.loc, quoted(s.name));
      dumpExpr(*s.value, depth + 1);
      return;
    }
    case Stmt::Kind::Input: {
      const auto &s = static_cast<const InputDecl &>(stmt);
      line(depth, "InputDecl", s.loc, quoted(s.name));
      dumpType(s.type, depth + 1);
      return;
    }
    case Stmt::Kind::Param:
    case Stmt::Kind::State: {
      const auto &s = static_cast<const ParamDecl &>(stmt);
      line(depth, s.isState() ? "StateDecl" : "ParamDecl", s.loc, quoted(s.name));
      dumpType(s.type, depth + 1);
      if (s.init)
        dumpExpr(*s.init, depth + 1);
      return;
    }
    case Stmt::Kind::Assign:
    case Stmt::Kind::Update: {
      const auto &s = static_cast<const AssignStmt &>(stmt);
      line(depth, s.isUpdate() ? "UpdateStmt" : "AssignStmt", s.loc, quoted(s.name));
      dumpExpr(*s.value, depth + 1);
      return;
    }
    case Stmt::Kind::Output: {
      const auto &s = static_cast<const OutputStmt &>(stmt);
      line(depth, "OutputStmt", s.loc, s.hasName() ? quoted(s.name) : "");
      dumpExpr(*s.value, depth + 1);
      return;
    }
    case Stmt::Kind::Loss: {
      const auto &s = static_cast<const LossStmt &>(stmt);
      line(depth, "LossStmt", s.loc, s.hasName() ? quoted(s.name) : "");
      dumpExpr(*s.value, depth + 1);
      return;
    }
    case Stmt::Kind::Weights:
      line(depth, "WeightsStmt", stmt.loc, quoted(static_cast<const WeightsStmt &>(stmt).path));
      return;
    case Stmt::Kind::Train: {
      const auto &s = static_cast<const TrainStmt &>(stmt);
      line(depth, "TrainStmt", s.loc);
      dumpExpr(*s.optimizer, depth + 1);
      return;
    }
    case Stmt::Kind::Repeat: {
      const auto &s = static_cast<const RepeatStmt &>(stmt);
      line(depth, "RepeatStmt", s.loc, s.indexName.empty() ? "" : quoted(s.indexName));
      dumpExpr(*s.count, depth + 1);
      dumpBody(s.body, depth + 1);
      return;
    }
    case Stmt::Kind::Model: {
      const auto &s = static_cast<const ModelDecl &>(stmt);
      line(depth, "ModelDecl", s.loc, quoted(s.name));
      dumpBody(s.body, depth + 1);
      return;
    }
    case Stmt::Kind::MultiAssign: {
      const auto &s = static_cast<const MultiAssignStmt &>(stmt);
      std::string names;
      for (const std::string &name : s.names)
        names += (names.empty() ? "" : " ") + quoted(name);
      line(depth, "MultiAssignStmt", s.loc, names);
      dumpExpr(*s.value, depth + 1);
      return;
    }
    case Stmt::Kind::Return:
      line(depth, "ReturnStmt", stmt.loc);
      for (const ExprPtr &value : static_cast<const ReturnStmt &>(stmt).values)
        dumpExpr(*value, depth + 1);
      return;
    case Stmt::Kind::If: {
      const auto &s = static_cast<const IfStmt &>(stmt);
      line(depth, "IfStmt", s.loc);
      dumpExpr(*s.cond, depth + 1);
      dumpBody(s.then, depth + 1);
      if (!s.otherwise.empty()) {
        line(depth, "Else", s.otherwise.front()->loc);
        dumpBody(s.otherwise, depth + 1);
      }
      return;
    }
    case Stmt::Kind::Block: {
      const auto &s = static_cast<const BlockDecl &>(stmt);
      line(depth, "BlockDecl", s.loc, quoted(s.name));
      for (const BlockParam &p : s.params) {
        line(depth + 1, "BlockParam", p.loc, quoted(p.name));
        if (p.defaultValue)
          dumpExpr(*p.defaultValue, depth + 2);
      }
      dumpBody(s.body, depth + 1);
      return;
    }
    }
  }

  void dumpExpr(const Expr &expr, unsigned depth) {
    switch (expr.kind) {
    case Expr::Kind::IntLit:
      line(depth, "IntLit", expr.loc,
           std::to_string(static_cast<const IntLit &>(expr).value));
      return;
    case Expr::Kind::FloatLit:
      line(depth, "FloatLit", expr.loc,
           floatLiteral(static_cast<const FloatLit &>(expr).value));
      return;
    case Expr::Kind::StringLit:
      line(depth, "StringLit", expr.loc,
           stringLiteral(static_cast<const StringLit &>(expr).value));
      return;
    case Expr::Kind::BoolLit:
      line(depth, "BoolLit", expr.loc,
           static_cast<const BoolLit &>(expr).value ? "true" : "false");
      return;
    case Expr::Kind::NameRef:
      line(depth, "NameRef", expr.loc,
           quoted(static_cast<const NameRef &>(expr).name));
      return;
    case Expr::Kind::DottedRef:
      line(depth, "DottedRef", expr.loc,
           quoted(static_cast<const DottedRef &>(expr).fullName()));
      return;
    case Expr::Kind::List:
      line(depth, "ListExpr", expr.loc);
      for (const ExprPtr &element :
           static_cast<const ListExpr &>(expr).elements)
        dumpExpr(*element, depth + 1);
      return;
    case Expr::Kind::Unary:
      line(depth, "UnaryExpr", expr.loc,
           static_cast<const UnaryExpr &>(expr).op == UnaryOp::Neg ? "'-'" : "'not'");
      dumpExpr(*static_cast<const UnaryExpr &>(expr).operand, depth + 1);
      return;
    case Expr::Kind::Binary: {
      const auto &e = static_cast<const BinaryExpr &>(expr);
      line(depth, "BinaryExpr", e.loc, quoted(toString(e.op)));
      dumpExpr(*e.lhs, depth + 1);
      dumpExpr(*e.rhs, depth + 1);
      return;
    }
    case Expr::Kind::Call: {
      const auto &e = static_cast<const CallExpr &>(expr);
      line(depth, "CallExpr", e.loc, quoted(e.callee));
      for (const ExprPtr &arg : e.args)
        dumpExpr(*arg, depth + 1);
      for (const KeywordArg &kw : e.keywords) {
        line(depth + 1, "KeywordArg", kw.nameLoc, quoted(kw.name));
        dumpExpr(*kw.value, depth + 2);
      }
      return;
    }
    }
  }

  std::string out;
};

} // namespace

std::string netc::frontend::dumpAST(const File &file) {
  Dumper dumper;
  dumper.dumpFile(file);
  return dumper.take();
}
