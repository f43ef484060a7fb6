//===- ImportExpr.cpp - .net expressions into nn --------------------------===//
//
// Numbers fold at compile time with checked integer arithmetic; arithmetic
// that involves a tensor becomes broadcasting nn ops, numbers turning into
// 0-d constants of the tensor's element type.
//
//===----------------------------------------------------------------------===//

#include "frontend/Importer.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/Support/raw_ostream.h"

#include <fmt/format.h>
#include <limits>

using namespace mlir;

namespace netc::frontend {

std::string describe(const Val &v) {
  std::string out;
  llvm::raw_string_ostream os(out);
  switch (v.kind) {
  case Val::Kind::Poison:
    os << "<error>";
    break;
  case Val::Kind::Int:
    os << v.i;
    break;
  case Val::Kind::Float:
    os << fmt::format("{}", v.f);
    break;
  case Val::Kind::Bool:
    os << (v.b ? "true" : "false");
    break;
  case Val::Kind::String:
    os << '"' << v.s << '"';
    break;
  case Val::Kind::List: {
    os << '[';
    llvm::interleaveComma(v.list, os, [&](const Val &e) { os << describe(e); });
    os << ']';
    break;
  }
  case Val::Kind::Tensor: {
    auto type = cast<TensorType>(v.tensor.getType());
    os << "tensor " << type.getElementType() << '[';
    if (type.hasRank())
      llvm::interleaveComma(type.getShape(), os);
    os << ']';
    break;
  }
  }
  return out;
}

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

const Val *Importer::find(const std::string &name) const {
  auto it = bindings.find(name);
  if (it != bindings.end())
    return &it->second;
  auto c = constants.find(name);
  return c != constants.end() ? &c->second : nullptr;
}

Val Importer::lookup(const std::string &name, Loc loc) {
  if (const Val *found = find(name)) {
    Val v = *found;
    v.loc = loc;
    return v;
  }
  error(loc) << "undefined name '" << name << "'";
  return Val::poison(loc);
}

Val Importer::interpolate(const StringLit &lit) {
  const std::string &text = lit.value;
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '{') {
      out += text[i];
      continue;
    }
    size_t close = text.find('}', i);
    if (close == std::string::npos) {
      error(lit.loc) << "unclosed '{' in string \"" << text << "\"";
      return Val::poison(lit.loc);
    }
    std::string name = text.substr(i + 1, close - i - 1);
    const Val *v = find(name);
    if (!v || v->kind != Val::Kind::Int) {
      auto diag = error(lit.loc);
      diag << "'{" << name << "}' in string \"" << text << "\" ";
      if (!v)
        diag << "names no constant in scope";
      else
        diag << "needs an integer constant, '" << name << "' is " << describe(*v);
      return Val::poison(lit.loc);
    }
    out += std::to_string(v->i);
    i = close;
  }
  return Val::ofString(lit.loc, out);
}

Val Importer::eval(const Expr &expr) {
  switch (expr.kind) {
  case Expr::Kind::IntLit:
    return Val::ofInt(expr.loc, static_cast<const IntLit &>(expr).value);
  case Expr::Kind::FloatLit:
    return Val::ofFloat(expr.loc, static_cast<const FloatLit &>(expr).value);
  case Expr::Kind::StringLit:
    return interpolate(static_cast<const StringLit &>(expr));
  case Expr::Kind::BoolLit:
    return Val::ofBool(expr.loc, static_cast<const BoolLit &>(expr).value);
  case Expr::Kind::NameRef:
    return lookup(static_cast<const NameRef &>(expr).name, expr.loc);
  case Expr::Kind::DottedRef: {
    // The block's own parameters first (`conv1.weight` in a call named P is
    // P.conv1.weight), then the model's.
    auto &ref = static_cast<const DottedRef &>(expr);
    // Parameters and buffers are read by their full names: those of the
    // enclosing block call first, then the model's.
    for (const std::string &name : {qualify(ref.fullName()), ref.fullName()})
      for (const auto *map : {&params, &buffers}) {
        auto it = map->find(name);
        if (it != map->end() && it->second.first)
          return Val::ofTensor(expr.loc, it->second.first);
      }
    error(expr.loc) << "undefined parameter '" << ref.fullName() << "'";
    return Val::poison(expr.loc);
  }
  case Expr::Kind::List: {
    Val list{Val::Kind::List, expr.loc};
    bool poisoned = false;
    for (const ExprPtr &e : static_cast<const ListExpr &>(expr).elements) {
      list.list.push_back(eval(*e));
      poisoned |= list.list.back().isPoison();
    }
    return poisoned ? Val::poison(expr.loc) : list;
  }
  case Expr::Kind::Unary: {
    auto &u = static_cast<const UnaryExpr &>(expr);
    Val v = eval(*u.operand);
    if (u.op == UnaryOp::Not && !v.isPoison()) {
      if (v.kind == Val::Kind::Bool)
        return Val::ofBool(expr.loc, !v.b);
      error(expr.loc) << "'not' expects a constant true or false, got " << describe(v);
      return Val::poison(expr.loc);
    }
    switch (v.kind) {
    case Val::Kind::Poison:
      return v;
    case Val::Kind::Int:
      if (v.i == std::numeric_limits<int64_t>::min()) {
        error(expr.loc) << "integer overflow: -(" << v.i << ") does not fit in 64 bits";
        return Val::poison(expr.loc);
      }
      return Val::ofInt(expr.loc, -v.i);
    case Val::Kind::Float:
      return Val::ofFloat(expr.loc, -v.f);
    case Val::Kind::Tensor:
      return buildOp("nn.neg", expr.loc, v.tensor, {});
    default:
      error(expr.loc) << "cannot negate " << describe(v);
      return Val::poison(expr.loc);
    }
  }
  case Expr::Kind::Binary:
    return evalBinary(static_cast<const BinaryExpr &>(expr));
  case Expr::Kind::Call:
    return evalCall(static_cast<const CallExpr &>(expr));
  }
  return Val::poison(expr.loc);
}

Val Importer::evalBinary(const BinaryExpr &expr) {
  Val lhs = eval(*expr.lhs);
  Val rhs = eval(*expr.rhs);
  if (lhs.isPoison() || rhs.isPoison())
    return Val::poison(expr.loc);
  if (isComparison(expr.op) || expr.op == BinaryOp::And || expr.op == BinaryOp::Or)
    return evalLogic(expr, lhs, rhs);
  const char *spelling = toString(expr.op);
  bool tensors = lhs.kind == Val::Kind::Tensor || rhs.kind == Val::Kind::Tensor;
  if (!tensors && !(lhs.isNumber() && rhs.isNumber())) {
    error(expr.loc) << "operator '" << spelling << "' expects numbers or tensors, got "
                    << describe(lhs) << " and " << describe(rhs);
    return Val::poison(expr.loc);
  }

  if (!tensors) {
    // Constant folding; integers stay integers (a division only when exact)
    // and never overflow silently.
    if (lhs.kind == Val::Kind::Int && rhs.kind == Val::Kind::Int) {
      int64_t out = 0;
      bool overflow = false;
      switch (expr.op) {
      case BinaryOp::Add:
        overflow = __builtin_add_overflow(lhs.i, rhs.i, &out);
        break;
      case BinaryOp::Sub:
        overflow = __builtin_sub_overflow(lhs.i, rhs.i, &out);
        break;
      case BinaryOp::Mul:
        overflow = __builtin_mul_overflow(lhs.i, rhs.i, &out);
        break;
      case BinaryOp::Div:
        if (rhs.i == 0) {
          error(expr.loc) << "division by zero in " << lhs.i << " / 0";
          return Val::poison(expr.loc);
        }
        // INT64_MIN / -1 is 2^63 (and INT64_MIN % -1 traps on x86): test it
        // before any division.
        if (lhs.i == std::numeric_limits<int64_t>::min() && rhs.i == -1) {
          overflow = true;
          break;
        }
        if (lhs.i % rhs.i != 0)
          return Val::ofFloat(expr.loc, double(lhs.i) / double(rhs.i));
        out = lhs.i / rhs.i;
        break;
      default: // Comparisons and logic are evalLogic's.
        break;
      }
      if (overflow) {
        error(expr.loc) << "integer overflow: " << lhs.i << " " << spelling << " " << rhs.i
                        << " does not fit in 64 bits";
        return Val::poison(expr.loc);
      }
      return Val::ofInt(expr.loc, out);
    }
    double a = lhs.asDouble(), b = rhs.asDouble();
    switch (expr.op) {
    case BinaryOp::Add:
      return Val::ofFloat(expr.loc, a + b);
    case BinaryOp::Sub:
      return Val::ofFloat(expr.loc, a - b);
    case BinaryOp::Mul:
      return Val::ofFloat(expr.loc, a * b);
    default: // Division; comparisons and logic are evalLogic's.
      if (b == 0) {
        error(expr.loc) << "division by zero in " << describe(lhs) << " / " << describe(rhs);
        return Val::poison(expr.loc);
      }
      return Val::ofFloat(expr.loc, a / b);
    }
  }

  // Tensor arithmetic: a number becomes a 0-d constant of the tensor's type
  // and broadcasts.
  auto operand = [&](const Val &v, const Val &other) -> Value {
    if (v.kind == Val::Kind::Tensor)
      return v.tensor;
    if (!v.isNumber()) {
      error(v.loc) << "operator '" << spelling << "' expects a number or a tensor, got "
                   << describe(v);
      return nullptr;
    }
    return scalarConstant(v.loc, v.asDouble(),
                          cast<TensorType>(other.tensor.getType()).getElementType());
  };
  Value a = operand(lhs, rhs), b = operand(rhs, lhs);
  if (!a || !b)
    return Val::poison(expr.loc);
  static const char *const opNames[] = {"nn.add", "nn.sub", "nn.mul", "nn.div"};
  return buildOp(opNames[static_cast<int>(expr.op)], expr.loc, {a, b}, {});
}

Val Importer::evalLogic(const BinaryExpr &expr, const Val &lhs, const Val &rhs) {
  const char *spelling = toString(expr.op);
  auto mismatch = [&](const char *expects) {
    error(expr.loc) << "'" << spelling << "' expects " << expects << ", got " << describe(lhs)
                    << " and " << describe(rhs);
    return Val::poison(expr.loc);
  };
  if (lhs.kind == Val::Kind::Tensor || rhs.kind == Val::Kind::Tensor)
    return mismatch("constants (conditions are decided at compile time)");
  if (expr.op == BinaryOp::And || expr.op == BinaryOp::Or) {
    if (lhs.kind != Val::Kind::Bool || rhs.kind != Val::Kind::Bool)
      return mismatch("true or false on both sides");
    return Val::ofBool(expr.loc, expr.op == BinaryOp::And ? lhs.b && rhs.b : lhs.b || rhs.b);
  }
  // -1 for less, 0 for equal, 1 for greater; numbers compare by value, ints exactly.
  int order = 0;
  bool equality = expr.op == BinaryOp::Eq || expr.op == BinaryOp::Ne;
  if (lhs.kind == Val::Kind::Int && rhs.kind == Val::Kind::Int)
    order = lhs.i < rhs.i ? -1 : lhs.i > rhs.i;
  else if (lhs.isNumber() && rhs.isNumber())
    order = lhs.asDouble() < rhs.asDouble() ? -1 : lhs.asDouble() > rhs.asDouble();
  else if (equality && lhs.kind == rhs.kind && lhs.kind == Val::Kind::Bool)
    order = lhs.b != rhs.b;
  else if (equality && lhs.kind == rhs.kind && lhs.kind == Val::Kind::String)
    order = lhs.s != rhs.s;
  else
    return mismatch(equality ? "two numbers, two booleans or two strings" : "two numbers");
  bool result = false;
  switch (expr.op) {
  case BinaryOp::Eq:
    result = order == 0;
    break;
  case BinaryOp::Ne:
    result = order != 0;
    break;
  case BinaryOp::Lt:
    result = order < 0;
    break;
  case BinaryOp::Le:
    result = order <= 0;
    break;
  case BinaryOp::Gt:
    result = order > 0;
    break;
  default:
    result = order >= 0;
    break;
  }
  return Val::ofBool(expr.loc, result);
}

Value Importer::scalarConstant(Loc loc, double value, Type elementType) {
  auto type = RankedTensorType::get({}, elementType);
  Attribute attr;
  if (auto f = dyn_cast<FloatType>(elementType))
    attr = DenseElementsAttr::get(type, builder.getFloatAttr(f, value));
  else
    attr = DenseElementsAttr::get(type, builder.getIntegerAttr(elementType, int64_t(value)));
  return builder.create<arith::ConstantOp>(location(loc), cast<TypedAttr>(attr));
}

} // namespace netc::frontend
