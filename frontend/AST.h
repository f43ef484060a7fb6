//===- AST.h - Abstract syntax tree of the .net language --------*- C++ -*-===//
//
// A faithful tree of what the source says: no constant folding, no `repeat`
// unrolling, no name resolution (the import into the nn dialect does those).
// Parentheses leave no node: the tree shape already records the grouping.
//
// Nodes derive from Expr or Stmt, carry a kind enum and an LLVM-style
// `classof`, so `llvm::isa`, `llvm::cast` and `llvm::dyn_cast` work on them
// where LLVM is available, and `frontend::dynCast` where it is not. Walk them
// with a switch over `kind`.
//
// Every node has a Loc:
// - literals, names, dotted names, calls: their first character (a call: the
//   callee's name);
// - UnaryExpr and BinaryExpr: their operator, so that errors about operands
//   (shapes that do not broadcast) point at the operator;
// - ListExpr: its '[';
// - statements and models: their first token (the keyword, or the bound name
//   of an assignment); names a declaration introduces also have a nameLoc.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_FRONTEND_AST_H
#define NETC_FRONTEND_AST_H

#include "frontend/Token.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace netc::frontend {

/// Element types of tensors.
enum class DType { F32, F64, I32, I64 };

/// The spelling of a dtype: "f32", "f64", "i32" or "i64".
const char *toString(DType dtype);

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

/// The base of all expressions.
class Expr {
public:
  /// The concrete class of an expression.
  enum class Kind {
    IntLit,
    FloatLit,
    StringLit,
    BoolLit,
    NameRef,
    DottedRef,
    List,
    Unary,
    Binary,
    Call
  };

  virtual ~Expr() = default;
  const Kind kind;
  const Loc loc;

protected:
  Expr(Kind kind, Loc loc) : kind(kind), loc(loc) {}
};

using ExprPtr = std::unique_ptr<Expr>;

/// An integer literal such as `42`; a leading '-' is a UnaryExpr.
struct IntLit : Expr {
  IntLit(Loc loc, int64_t value) : Expr(Kind::IntLit, loc), value(value) {}
  static bool classof(const Expr *e) { return e->kind == Kind::IntLit; }
  int64_t value;
};

/// A float literal such as `0.1` or `1e-3`.
struct FloatLit : Expr {
  FloatLit(Loc loc, double value) : Expr(Kind::FloatLit, loc), value(value) {}
  static bool classof(const Expr *e) { return e->kind == Kind::FloatLit; }
  double value;
};

/// A string literal such as `"same"`; value holds its contents, escapes
/// resolved.
struct StringLit : Expr {
  StringLit(Loc loc, std::string value)
      : Expr(Kind::StringLit, loc), value(std::move(value)) {}
  static bool classof(const Expr *e) { return e->kind == Kind::StringLit; }
  std::string value;
};

/// `true` or `false`.
struct BoolLit : Expr {
  BoolLit(Loc loc, bool value) : Expr(Kind::BoolLit, loc), value(value) {}
  static bool classof(const Expr *e) { return e->kind == Kind::BoolLit; }
  bool value;
};

/// A use of a name: a constant, an input, a parameter or a bound value.
struct NameRef : Expr {
  NameRef(Loc loc, std::string name)
      : Expr(Kind::NameRef, loc), name(std::move(name)) {}
  static bool classof(const Expr *e) { return e->kind == Kind::NameRef; }
  std::string name;
};

/// A dotted name `base.member` such as `fc1.weight`; base holds every part
/// but the last (`layer1.0.conv1` of `layer1.0.conv1.weight`).
struct DottedRef : Expr {
  DottedRef(Loc loc, std::string base, std::string member, Loc memberLoc)
      : Expr(Kind::DottedRef, loc), base(std::move(base)),
        member(std::move(member)), memberLoc(memberLoc) {}
  static bool classof(const Expr *e) { return e->kind == Kind::DottedRef; }
  /// "base.member", the name of the parameter it refers to.
  std::string fullName() const { return base + "." + member; }
  std::string base, member;
  Loc memberLoc;
};

/// A list `[a, b, ...]` with at least one element.
struct ListExpr : Expr {
  ListExpr(Loc loc, std::vector<ExprPtr> elements)
      : Expr(Kind::List, loc), elements(std::move(elements)) {}
  static bool classof(const Expr *e) { return e->kind == Kind::List; }
  std::vector<ExprPtr> elements;
};

/// Prefix operators: arithmetic negation and logical `not`.
enum class UnaryOp { Neg, Not };

/// `-operand` or `not operand`.
struct UnaryExpr : Expr {
  UnaryExpr(Loc loc, UnaryOp op, ExprPtr operand)
      : Expr(Kind::Unary, loc), op(op), operand(std::move(operand)) {}
  static bool classof(const Expr *e) { return e->kind == Kind::Unary; }
  UnaryOp op;
  ExprPtr operand;
};

/// Infix operators. Arithmetic is elementwise with broadcasting on tensors;
/// comparisons and `and`/`or` apply to compile-time constants only.
enum class BinaryOp { Add, Sub, Mul, Div, Eq, Ne, Lt, Le, Gt, Ge, And, Or };

/// The spelling of an operator: "+", "-", "*", "/", "==", ..., "and", "or".
const char *toString(BinaryOp op);

/// True for `==`, `!=`, `<`, `<=`, `>` and `>=`.
inline bool isComparison(BinaryOp op) { return op >= BinaryOp::Eq && op <= BinaryOp::Ge; }

/// `lhs op rhs`; located at the operator.
struct BinaryExpr : Expr {
  BinaryExpr(Loc loc, BinaryOp op, ExprPtr lhs, ExprPtr rhs)
      : Expr(Kind::Binary, loc), op(op), lhs(std::move(lhs)),
        rhs(std::move(rhs)) {}
  static bool classof(const Expr *e) { return e->kind == Kind::Binary; }
  BinaryOp op;
  ExprPtr lhs, rhs;
};

/// A keyword argument `name=value` of a call.
struct KeywordArg {
  std::string name;
  Loc nameLoc;
  ExprPtr value;
};

/// `callee(positional..., keyword=value...)`; located at the callee's name.
/// Keyword arguments keep their source order and are unique by name.
struct CallExpr : Expr {
  CallExpr(Loc loc, std::string callee)
      : Expr(Kind::Call, loc), callee(std::move(callee)) {}
  static bool classof(const Expr *e) { return e->kind == Kind::Call; }
  /// The keyword argument called \p name, or nullptr.
  const KeywordArg *findKeyword(const std::string &name) const;
  std::string callee;
  std::vector<ExprPtr> args;
  std::vector<KeywordArg> keywords;
};

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

/// A tensor type `f32[d0, d1, ...]`; dims are unevaluated expressions.
struct TypeExpr {
  Loc loc; ///< The dtype's name.
  DType dtype = DType::F32;
  std::vector<ExprPtr> dims;
};

//===----------------------------------------------------------------------===//
// Statements and items
//===----------------------------------------------------------------------===//

/// The base of statements. The items of a file are statements too: a
/// ConstDecl or a ModelDecl.
class Stmt {
public:
  /// The concrete class of a statement.
  enum class Kind {
    Const,
    Input,
    Param,
    Assign,
    Output,
    Loss,
    Train,
    Repeat,
    Model,
    MultiAssign,
    Return,
    If,
    Block,
    State,
    Update,
    Weights
  };

  virtual ~Stmt() = default;
  const Kind kind;
  const Loc loc;

protected:
  Stmt(Kind kind, Loc loc) : kind(kind), loc(loc) {}
};

using StmtPtr = std::unique_ptr<Stmt>;

/// `const name = value`, at file level or in a model.
struct ConstDecl : Stmt {
  ConstDecl(Loc loc, std::string name, Loc nameLoc, ExprPtr value)
      : Stmt(Kind::Const, loc), name(std::move(name)), nameLoc(nameLoc),
        value(std::move(value)) {}
  static bool classof(const Stmt *s) { return s->kind == Kind::Const; }
  std::string name;
  Loc nameLoc;
  ExprPtr value;
};

/// `input name: type`.
struct InputDecl : Stmt {
  InputDecl(Loc loc, std::string name, Loc nameLoc, TypeExpr type)
      : Stmt(Kind::Input, loc), name(std::move(name)), nameLoc(nameLoc),
        type(std::move(type)) {}
  static bool classof(const Stmt *s) { return s->kind == Kind::Input; }
  std::string name;
  Loc nameLoc;
  TypeExpr type;
  /// `name="input.1"`: the name the model exports (nn.input) when it is not
  /// an identifier; empty when the input is exported as `name`.
  std::string exportName;
};

/// `param name: type` with an optional `init=call`; init is null without one.
/// `state name: type ...` (kind State) declares a buffer the same way.
struct ParamDecl : Stmt {
  ParamDecl(Loc loc, std::string name, Loc nameLoc, TypeExpr type,
            std::unique_ptr<CallExpr> init, Kind kind = Kind::Param)
      : Stmt(kind, loc), name(std::move(name)), nameLoc(nameLoc),
        type(std::move(type)), init(std::move(init)) {}
  static bool classof(const Stmt *s) {
    return s->kind == Kind::Param || s->kind == Kind::State;
  }
  /// True for `state`: a buffer, not a trained parameter.
  bool isState() const { return kind == Kind::State; }
  std::string name;
  Loc nameLoc;
  TypeExpr type;
  std::unique_ptr<CallExpr> init;
  /// `name="onnx::Conv_497"`: the parameter's or buffer's full name when it
  /// is not a dotted name; empty when it is `name` (qualified as usual).
  std::string exportName;
};

/// `name = value`; located at the name. `name <- value` (kind Update) gives
/// the buffer `name` its value after each train step.
struct AssignStmt : Stmt {
  AssignStmt(Loc loc, std::string name, ExprPtr value, Kind kind = Kind::Assign)
      : Stmt(kind, loc), name(std::move(name)),
        value(std::move(value)) {}
  static bool classof(const Stmt *s) {
    return s->kind == Kind::Assign || s->kind == Kind::Update;
  }
  /// True for `<-`.
  bool isUpdate() const { return kind == Kind::Update; }
  std::string name;
  ExprPtr value;
};

/// `weights "file.safetensors"`: the initial values of the model's
/// parameters and buffers (ImportWeights.cpp).
struct WeightsStmt : Stmt {
  WeightsStmt(Loc loc, std::string path, Loc pathLoc)
      : Stmt(Kind::Weights, loc), path(std::move(path)), pathLoc(pathLoc) {}
  static bool classof(const Stmt *s) { return s->kind == Kind::Weights; }
  std::string path;
  Loc pathLoc;
};

/// `output [name =] value`; name is empty when the output is unnamed.
struct OutputStmt : Stmt {
  OutputStmt(Loc loc, std::string name, Loc nameLoc, ExprPtr value)
      : Stmt(Kind::Output, loc), name(std::move(name)), nameLoc(nameLoc),
        value(std::move(value)) {}
  static bool classof(const Stmt *s) { return s->kind == Kind::Output; }
  /// True for `output NAME = ...` (or `loss NAME = ...`).
  bool hasName() const { return !name.empty(); }
  std::string name;
  Loc nameLoc;
  ExprPtr value;
};

/// `loss [name =] value`; name is empty when the loss is unnamed.
struct LossStmt : Stmt {
  LossStmt(Loc loc, std::string name, Loc nameLoc, ExprPtr value)
      : Stmt(Kind::Loss, loc), name(std::move(name)), nameLoc(nameLoc),
        value(std::move(value)) {}
  static bool classof(const Stmt *s) { return s->kind == Kind::Loss; }
  /// True for `output NAME = ...` (or `loss NAME = ...`).
  bool hasName() const { return !name.empty(); }
  std::string name;
  Loc nameLoc;
  ExprPtr value;
};

/// `train optimizer(...)`.
struct TrainStmt : Stmt {
  TrainStmt(Loc loc, std::unique_ptr<CallExpr> optimizer)
      : Stmt(Kind::Train, loc), optimizer(std::move(optimizer)) {}
  static bool classof(const Stmt *s) { return s->kind == Kind::Train; }
  std::unique_ptr<CallExpr> optimizer;
};

/// `repeat count { body }` or `repeat index in count { body }`, not
/// unrolled; indexName is empty without an index.
struct RepeatStmt : Stmt {
  RepeatStmt(Loc loc, ExprPtr count, std::vector<StmtPtr> body)
      : Stmt(Kind::Repeat, loc), count(std::move(count)),
        body(std::move(body)) {}
  static bool classof(const Stmt *s) { return s->kind == Kind::Repeat; }
  ExprPtr count;
  std::vector<StmtPtr> body;
  std::string indexName;
  Loc indexLoc;
};

/// `a, b, ... = value`, unpacking a list of values (a block's results);
/// located at the first name.
struct MultiAssignStmt : Stmt {
  MultiAssignStmt(Loc loc, std::vector<std::string> names, std::vector<Loc> nameLocs,
                  ExprPtr value)
      : Stmt(Kind::MultiAssign, loc), names(std::move(names)),
        nameLocs(std::move(nameLocs)), value(std::move(value)) {}
  static bool classof(const Stmt *s) { return s->kind == Kind::MultiAssign; }
  std::vector<std::string> names;
  std::vector<Loc> nameLocs;
  ExprPtr value;
};

/// `return a, b, ...`, the last statement of a block.
struct ReturnStmt : Stmt {
  ReturnStmt(Loc loc, std::vector<ExprPtr> values)
      : Stmt(Kind::Return, loc), values(std::move(values)) {}
  static bool classof(const Stmt *s) { return s->kind == Kind::Return; }
  std::vector<ExprPtr> values;
};

/// `if cond { then } else { otherwise }`; `else if` is an IfStmt alone in
/// otherwise, which is empty without `else`.
struct IfStmt : Stmt {
  IfStmt(Loc loc, ExprPtr cond, std::vector<StmtPtr> then, std::vector<StmtPtr> otherwise)
      : Stmt(Kind::If, loc), cond(std::move(cond)), then(std::move(then)),
        otherwise(std::move(otherwise)) {}
  static bool classof(const Stmt *s) { return s->kind == Kind::If; }
  ExprPtr cond;
  std::vector<StmtPtr> then, otherwise;
};

/// An argument of a block: `name` or `name=default`.
struct BlockParam {
  std::string name;
  Loc loc;
  ExprPtr defaultValue; ///< Null when the argument is required.
};

/// `block name(params) { body }`, a file-level item; its body ends with a
/// ReturnStmt when the source is right.
struct BlockDecl : Stmt {
  BlockDecl(Loc loc, std::string name, Loc nameLoc, std::vector<BlockParam> params,
            std::vector<StmtPtr> body)
      : Stmt(Kind::Block, loc), name(std::move(name)), nameLoc(nameLoc),
        params(std::move(params)), body(std::move(body)) {}
  static bool classof(const Stmt *s) { return s->kind == Kind::Block; }
  std::string name;
  Loc nameLoc;
  std::vector<BlockParam> params;
  std::vector<StmtPtr> body;
};

/// `model name { body }`, a file-level item.
struct ModelDecl : Stmt {
  ModelDecl(Loc loc, std::string name, Loc nameLoc, std::vector<StmtPtr> body)
      : Stmt(Kind::Model, loc), name(std::move(name)), nameLoc(nameLoc),
        body(std::move(body)) {}
  static bool classof(const Stmt *s) { return s->kind == Kind::Model; }
  std::string name;
  Loc nameLoc;
  std::vector<StmtPtr> body;
};

/// A whole source: ConstDecl, BlockDecl and ModelDecl items in source order.
struct File {
  std::vector<StmtPtr> items;
};

/// Returns \p node as a \p To when it is one, else nullptr (a stand-in for
/// llvm::dyn_cast where LLVM is not linked, as in the frontend's unit tests).
template <typename To, typename From> const To *dynCast(const From *node) {
  return node && To::classof(node) ? static_cast<const To *>(node) : nullptr;
}

/// Indented tree dump of the AST, one node a line with its `line:col`, for
/// `netc --emit=ast`.
std::string dumpAST(const File &file);

} // namespace netc::frontend

#endif // NETC_FRONTEND_AST_H
