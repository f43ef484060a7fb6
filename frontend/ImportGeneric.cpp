//===- ImportGeneric.cpp - IR ops and literal tensors in .net source ------===//
//
// Two spellings that let any model of the nn dialect be written as .net
// source (netc --emit=net prints them where no layer of the language
// reproduces the IR):
//
//   nn.OP(x, w, ..., attr=value, ...)   the op nn.OP itself: positional
//                                       arguments are its tensor operands
//                                       (a list spreads), keywords its
//                                       attributes
//   constant(values, shape=, dtype=)    a constant tensor of explicit values
//
// Keyword values map to attributes by their kind: an integer to i64, a float
// to f64, a boolean, a string (a dtype for `dtype`), a list of integers to an
// i64 array and a list with a float to an f64 array.
//
//===----------------------------------------------------------------------===//

#include "frontend/ImportArgs.h"
#include "ir/NNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Verifier.h"

#include <cmath>
#include <limits>

using namespace mlir;

namespace netc::frontend {

namespace {

/// The element type a dtype string names, or null.
Type dtypeNamed(Builder &b, llvm::StringRef name) {
  if (name == "f32")
    return b.getF32Type();
  if (name == "f64")
    return b.getF64Type();
  if (name == "i32")
    return b.getI32Type();
  if (name == "i64")
    return b.getI64Type();
  return nullptr;
}

/// A number of a literal tensor: a number, or "inf", "-inf", "nan".
std::optional<double> literalNumber(const Val &v) {
  if (v.isNumber())
    return v.asDouble();
  if (v.kind != Val::Kind::String)
    return std::nullopt;
  if (v.s == "inf")
    return std::numeric_limits<double>::infinity();
  if (v.s == "-inf")
    return -std::numeric_limits<double>::infinity();
  if (v.s == "nan")
    return std::numeric_limits<double>::quiet_NaN();
  return std::nullopt;
}

/// The attribute a keyword's value spells for attribute `name`, or null
/// after reporting it.
Attribute attributeOf(Importer &im, const std::string &op, const std::string &name,
                      const Val &v) {
  Builder &b = im.builder;
  switch (v.kind) {
  case Val::Kind::Int:
    return b.getI64IntegerAttr(v.i);
  case Val::Kind::Float:
    return b.getF64FloatAttr(v.f);
  case Val::Kind::Bool:
    return b.getBoolAttr(v.b);
  case Val::Kind::String:
    if (name == "dtype") {
      if (Type t = dtypeNamed(b, v.s))
        return TypeAttr::get(t);
      break;
    }
    return b.getStringAttr(v.s);
  case Val::Kind::List: {
    bool anyFloat = false, allNumbers = true;
    for (const Val &e : v.list) {
      anyFloat |= e.kind == Val::Kind::Float;
      allNumbers &= e.isNumber();
    }
    if (!allNumbers)
      break;
    if (anyFloat) {
      SmallVector<double> values;
      for (const Val &e : v.list)
        values.push_back(e.asDouble());
      return b.getDenseF64ArrayAttr(values);
    }
    SmallVector<int64_t> values;
    for (const Val &e : v.list)
      values.push_back(e.i);
    return b.getDenseI64ArrayAttr(values);
  }
  default:
    break;
  }
  im.error(v.loc) << "'" << op << "' cannot take " << describe(v) << " as attribute '" << name
                  << "'";
  return nullptr;
}

/// Reads a list of numbers, flattening nested lists, into `out`.
bool flattenNumbers(const Val &v, std::vector<double> &out) {
  if (v.kind == Val::Kind::List) {
    for (const Val &e : v.list)
      if (!flattenNumbers(e, out))
        return false;
    return true;
  }
  std::optional<double> n = literalNumber(v);
  if (!n)
    return false;
  out.push_back(*n);
  return true;
}

/// constant(values, shape=, dtype="f32"): the tensor of `values` (a number,
/// or a flat or nested list; "inf", "-inf" and "nan" spell those), of
/// `shape` (default: a number is 0-d, a flat list 1-d).
Val importLiteral(Importer &im, const CallArgs &args) {
  Loc loc = args.call->loc;
  const Val &values = args.values.at("values");
  std::vector<double> numbers;
  if (!flattenNumbers(values, numbers)) {
    im.error(values.loc) << "'constant' expects numbers or lists of numbers, got "
                         << describe(values);
    return Val::poison(loc);
  }
  std::vector<int64_t> shape;
  if (args.has("shape")) {
    auto dims = getIntList(im, args, "shape", /*allowScalar=*/true);
    if (!dims)
      return Val::poison(loc);
    shape = *dims;
  } else if (values.kind == Val::Kind::List) {
    shape = {static_cast<int64_t>(numbers.size())};
  }
  int64_t count = 1;
  for (int64_t d : shape)
    count *= d;
  if (count != static_cast<int64_t>(numbers.size()) && numbers.size() != 1) {
    im.error(loc) << "'constant' has " << numbers.size() << " values for a shape of " << count
                  << " elements";
    return Val::poison(loc);
  }
  Type element = im.builder.getF32Type();
  if (args.has("dtype")) {
    const Val &d = args.values.at("dtype");
    element = d.kind == Val::Kind::String ? dtypeNamed(im.builder, d.s) : Type();
    if (!element) {
      im.error(d.loc) << "'constant' expects dtype \"f32\", \"f64\", \"i32\" or \"i64\", got "
                      << describe(d);
      return Val::poison(loc);
    }
  }
  auto type = RankedTensorType::get(shape, element);
  DenseElementsAttr attr;
  if (auto f = dyn_cast<FloatType>(element)) {
    SmallVector<APFloat> elems;
    for (double n : numbers) {
      bool lost;
      APFloat a(n);
      a.convert(f.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
      elems.push_back(a);
    }
    attr = numbers.size() == 1 ? DenseElementsAttr::get(type, elems.front())
                               : DenseElementsAttr::get(type, elems);
  } else {
    unsigned width = element.getIntOrFloatBitWidth();
    SmallVector<APInt> elems;
    for (double n : numbers)
      elems.push_back(APInt(width, static_cast<int64_t>(n), /*isSigned=*/true));
    attr = numbers.size() == 1 ? DenseElementsAttr::get(type, elems.front())
                               : DenseElementsAttr::get(type, elems);
  }
  Value c = im.builder.create<arith::ConstantOp>(im.location(loc), cast<TypedAttr>(attr));
  return Val::ofTensor(loc, c);
}

/// The number of results of an IR op the generic spelling builds.
unsigned resultCount(llvm::StringRef op) { return op == "nn.batch_norm" ? 3 : 1; }

} // namespace

Val importGenericOp(Importer &im, const CallExpr &call) {
  Loc loc = call.loc;
  MLIRContext *ctx = &im.context;
  std::optional<RegisteredOperationName> name = RegisteredOperationName::lookup(call.callee, ctx);
  bool ok = true;
  SmallVector<Value> operands;
  for (const ExprPtr &e : call.args) {
    Val v = im.eval(*e);
    if (v.isPoison()) {
      ok = false;
      continue;
    }
    std::vector<Val> items = v.kind == Val::Kind::List ? v.list : std::vector<Val>{v};
    for (const Val &item : items) {
      if (item.kind == Val::Kind::Tensor) {
        operands.push_back(item.tensor);
        continue;
      }
      im.error(item.loc) << "'" << call.callee << "' takes tensors as positional arguments, got "
                         << describe(item);
      ok = false;
    }
  }
  SmallVector<NamedAttribute> attrs;
  for (const KeywordArg &kw : call.keywords) {
    Val v = im.eval(*kw.value);
    if (v.isPoison()) {
      ok = false;
      continue;
    }
    if (Attribute a = attributeOf(im, call.callee, kw.name, v))
      attrs.push_back(im.builder.getNamedAttr(kw.name, a));
    else
      ok = false;
  }
  if (!name || name->getDialectNamespace() != "nn") {
    im.error(loc) << "unknown op '" << call.callee << "' of the nn dialect";
    return Val::poison(loc);
  }
  if (!ok)
    return Val::poison(loc);
  unsigned results = resultCount(call.callee);
  if (results == 1)
    return im.buildOp(call.callee, loc, operands, attrs);
  // Ops of several results, built and typed as buildOp does one.
  OpBuilder &b = im.builder;
  Location where = NameLoc::get(b.getStringAttr(llvm::StringRef(call.callee).drop_front(3)),
                                im.location(loc));
  OperationState state(where, *name, operands,
                       SmallVector<Type>(results, UnrankedTensorType::get(b.getF32Type())),
                       attrs);
  Operation *op = b.create(state);
  SmallVector<Type> types;
  auto infer = dyn_cast<nn::ShapeInferenceOpInterface>(op);
  if (!infer || failed(infer.inferResultTypes(types)) || types.size() != results) {
    op->erase();
    return Val::poison(loc);
  }
  for (unsigned i = 0; i < results; ++i)
    op->getResult(i).setType(types[i]);
  if (failed(verify(op, /*verifyRecursively=*/false))) {
    op->erase();
    return Val::poison(loc);
  }
  Val list{Val::Kind::List, loc};
  for (Value r : op->getResults())
    list.list.push_back(Val::ofTensor(loc, r));
  return list;
}

void registerLiteralOps(const OpRegistrar &add) {
  add("constant", {{"values", "shape", "dtype"}, 1}, importLiteral);
}

} // namespace netc::frontend
