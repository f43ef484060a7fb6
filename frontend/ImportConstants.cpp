//===- ImportConstants.cpp - constant tensors of the .net language --------===//
//
// zeros, ones, full, arange and eye as torch creates them, each an
// arith.constant: element types follow PyTorch's defaults (f32, or i64 for
// arange and full of integers) unless `dtype=` names one of f32, f64, i32,
// i64.
//
//===----------------------------------------------------------------------===//


#include "frontend/ImportArgs.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

#include <cmath>
#include <fmt/format.h>

using namespace mlir;

namespace netc::frontend {

namespace {

/// The `dtype=` argument, or `fallback`.
std::optional<Type> getDtype(Importer &im, const CallArgs &args, Type fallback) {
  auto it = args.values.find("dtype");
  if (it == args.values.end())
    return fallback;
  const Val &v = it->second;
  Builder &b = im.builder;
  if (v.kind == Val::Kind::String) {
    if (v.s == "f32")
      return b.getF32Type();
    if (v.s == "f64")
      return b.getF64Type();
    if (v.s == "i32")
      return b.getI32Type();
    if (v.s == "i64")
      return b.getI64Type();
  }
  im.error(v.loc) << "'" << args.call->callee
                  << "' expects dtype \"f32\", \"f64\", \"i32\" or \"i64\", got " << describe(v);
  return std::nullopt;
}

/// The `shape` argument: an integer or a list of positive sizes.
std::optional<std::vector<int64_t>> getShape(Importer &im, const CallArgs &args) {
  auto shape = getIntList(im, args, "shape", /*allowScalar=*/true);
  if (!shape)
    return std::nullopt;
  bool positive = llvm::all_of(*shape, [](int64_t d) { return d > 0; });
  if (!positive || static_cast<int64_t>(shape->size()) > kMaxRank) {
    im.error(args.values.at("shape").loc)
        << "'" << args.call->callee << "' expects a shape of at most " << kMaxRank
        << " positive sizes, got " << describe(args.values.at("shape"));
    return std::nullopt;
  }
  return shape;
}

/// An arith.constant of `shape` and `element` holding `values` in row-major
/// order (one value: every element).
Val constant(Importer &im, Loc loc, ArrayRef<int64_t> shape, Type element,
             const std::vector<double> &values) {
  auto type = RankedTensorType::get(shape, element);
  Builder &b = im.builder;
  DenseElementsAttr attr;
  if (values.size() == 1) {
    Attribute one = isa<FloatType>(element)
                        ? Attribute(b.getFloatAttr(element, values[0]))
                        : Attribute(b.getIntegerAttr(element, int64_t(values[0])));
    attr = DenseElementsAttr::get(type, one);
  } else if (element.isF32()) {
    std::vector<float> narrow(values.begin(), values.end());
    attr = DenseElementsAttr::get(type, ArrayRef<float>(narrow));
  } else if (element.isF64()) {
    attr = DenseElementsAttr::get(type, ArrayRef<double>(values));
  } else if (element.isInteger(32)) {
    std::vector<int32_t> narrow(values.begin(), values.end());
    attr = DenseElementsAttr::get(type, ArrayRef<int32_t>(narrow));
  } else {
    std::vector<int64_t> wide(values.begin(), values.end());
    attr = DenseElementsAttr::get(type, ArrayRef<int64_t>(wide));
  }
  return Val::ofTensor(loc, im.builder.create<arith::ConstantOp>(im.location(loc), attr));
}

/// zeros and ones: a fill of `value`.
Val importFill(Importer &im, const CallArgs &args, double value) {
  auto shape = getShape(im, args);
  auto dtype = getDtype(im, args, im.builder.getF32Type());
  if (!shape || !dtype)
    return Val::poison(args.call->loc);
  return constant(im, args.call->loc, *shape, *dtype, {value});
}

/// torch.full: an integer value gives i64, a float f32.
Val importFull(Importer &im, const CallArgs &args) {
  auto shape = getShape(im, args);
  auto value = im.getFloat(args, "value");
  if (!shape || !value)
    return Val::poison(args.call->loc);
  bool integer = args.values.at("value").kind == Val::Kind::Int;
  Builder &b = im.builder;
  auto dtype = getDtype(im, args, integer ? Type(b.getI64Type()) : Type(b.getF32Type()));
  if (!dtype)
    return Val::poison(args.call->loc);
  return constant(im, args.call->loc, *shape, *dtype, {*value});
}

/// torch.arange(end) or (start, end, step): start + i * step below end; i64
/// when all three are integers, else f32.
Val importArange(Importer &im, const CallArgs &args) {
  Loc loc = args.call->loc;
  auto first = im.getFloat(args, "start", 0.0);
  auto second = im.getFloat(args, "end", std::nullopt);
  auto step = im.getFloat(args, "step", 1.0);
  if (!first || !step || (args.has("end") && !second))
    return Val::poison(loc);
  // One bound alone is the end, as in arange(5).
  double start = args.has("end") ? *first : 0.0, end = args.has("end") ? *second : *first;
  bool integer = true;
  for (const char *name : {"start", "end", "step"})
    integer &= !args.has(name) || args.values.at(name).kind == Val::Kind::Int;
  Builder &b = im.builder;
  auto dtype = getDtype(im, args, integer ? Type(b.getI64Type()) : Type(b.getF32Type()));
  if (!dtype)
    return Val::poison(loc);
  if (*step == 0.0) {
    im.error(args.values.at("step").loc) << "'arange' expects a non-zero step";
    return Val::poison(loc);
  }
  double count = std::ceil((end - start) / *step);
  if (!(count >= 1) || count > double(int64_t(1) << 31)) {
    im.error(loc) << fmt::format("'arange' from {} to {} by {} gives {}", start, end, *step,
                                 count >= 1 ? "too many elements" : "no elements");
    return Val::poison(loc);
  }
  std::vector<double> values(static_cast<size_t>(count));
  for (size_t i = 0; i < values.size(); ++i)
    values[i] = start + double(i) * *step;
  return constant(im, loc, {static_cast<int64_t>(values.size())}, *dtype, values);
}

/// torch.eye(n, m): ones on the diagonal of an n x m matrix.
Val importEye(Importer &im, const CallArgs &args) {
  Loc loc = args.call->loc;
  auto n = im.getInt(args, "n");
  auto m = n ? im.getInt(args, "m", *n) : std::nullopt;
  auto dtype = getDtype(im, args, im.builder.getF32Type());
  if (!n || !m || !dtype)
    return Val::poison(loc);
  if (*n <= 0 || *m <= 0 || double(*n) * double(*m) > double(int64_t(1) << 31)) {
    im.error(loc) << "'eye' expects positive sizes of at most 2^31 elements, got " << *n << " x "
                  << *m;
    return Val::poison(loc);
  }
  std::vector<double> values(static_cast<size_t>(*n * *m), 0.0);
  for (int64_t i = 0; i < std::min(*n, *m); ++i)
    values[i * *m + i] = 1.0;
  return constant(im, loc, {*n, *m}, *dtype, values);
}

} // namespace

void addConstantOps(const OpRegistrar &add) {
  add("zeros", {{"shape", "dtype"}, 1},
      [](Importer &im, const CallArgs &a) { return importFill(im, a, 0.0); });
  add("ones", {{"shape", "dtype"}, 1},
      [](Importer &im, const CallArgs &a) { return importFill(im, a, 1.0); });
  add("full", {{"shape", "value", "dtype"}, 2}, importFull);
  add("arange", {{"start", "end", "step", "dtype"}, 1}, importArange);
  add("eye", {{"n", "m", "dtype"}, 1}, importEye);
}

} // namespace netc::frontend
