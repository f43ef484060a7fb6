//===- ImportTensor.cpp - the tensor ops of the .net language into nn -----===//
//
// Ops with an nn op of their own (permute, max, min, argmax, argmin,
// logsumexp, triu, tril) are built directly and their shape rules report
// mistakes. The others are written with existing ops here: slice and split
// as nn.slice, squeeze and unsqueeze as nn.reshape, stack as reshapes and an
// nn.concat, and the constant tensors as arith.constant.
//
//===----------------------------------------------------------------------===//


#include "frontend/ImportArgs.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

#include <cmath>

using namespace mlir;

namespace netc::frontend {

namespace {

ArrayRef<int64_t> shapeOf(Value v) { return cast<RankedTensorType>(v.getType()).getShape(); }

/// Where argument `name` was written, or the call when it was not.
Loc argLoc(const CallArgs &args, const std::string &name) {
  auto it = args.values.find(name);
  return it == args.values.end() ? args.call->loc : it->second.loc;
}

/// The axis `dim` of a tensor of `rank` (from the end when negative), or an
/// error naming the op, the dim and the tensor. `rank` is one more than the
/// tensor's for ops that insert an axis (unsqueeze, stack).
std::optional<int64_t> checkDim(Importer &im, const CallArgs &args, const std::string &name,
                                int64_t dim, int64_t rank, const Val &tensor) {
  if (dim >= -rank && dim < rank && rank > 0)
    return dim < 0 ? dim + rank : dim;
  im.error(argLoc(args, name)) << "'" << args.call->callee << "' " << name << " " << dim
                               << " is out of range for " << describe(tensor) << " (expected "
                               << -rank << " to " << rank - 1 << ")";
  return std::nullopt;
}

/// Builds nn.slice of `size` elements of axis `dim` from `start` by `step`.
Val buildSlice(Importer &im, Loc loc, Value x, int64_t dim, int64_t start, int64_t size,
               int64_t step) {
  Builder &b = im.builder;
  SmallVector<NamedAttribute> attrs{b.getNamedAttr("dim", b.getI64IntegerAttr(dim)),
                                    b.getNamedAttr("start", b.getI64IntegerAttr(start)),
                                    b.getNamedAttr("size", b.getI64IntegerAttr(size))};
  if (step != 1)
    attrs.push_back(b.getNamedAttr("step", b.getI64IntegerAttr(step)));
  return im.buildOp("nn.slice", loc, x, attrs);
}

/// `x` reshaped to `shape` (squeeze, unsqueeze, stack), named after the call.
Val buildReshape(Importer &im, Loc loc, Value x, ArrayRef<int64_t> shape) {
  if (shapeOf(x) == shape)
    return Val::ofTensor(loc, x);
  return im.buildOp("nn.reshape", loc, x,
                    {im.builder.getNamedAttr("shape", im.builder.getDenseI64ArrayAttr(shape))});
}

//===--- slice ---===//

/// x[start:end:step] along dim: negative bounds count from the end and
/// bounds past the ends are clamped, as Python slices.
Val importSlice(Importer &im, const CallArgs &args) {
  auto x = im.getTensor(args, "x");
  auto dim = im.getInt(args, "dim");
  auto start = im.getInt(args, "start"), end = im.getInt(args, "end");
  auto step = im.getInt(args, "step", 1);
  Loc loc = args.call->loc;
  if (!x || !dim || !start || !end || !step)
    return Val::poison(loc);
  const Val &xv = args.values.at("x");
  auto axis = checkDim(im, args, "dim", *dim, static_cast<int64_t>(shapeOf(*x).size()), xv);
  if (!axis)
    return Val::poison(loc);
  if (*step <= 0) {
    im.error(argLoc(args, "step")) << "'slice' expects 'step' to be positive, got " << *step;
    return Val::poison(loc);
  }
  int64_t n = shapeOf(*x)[*axis];
  auto clampBound = [n](int64_t v) { return std::clamp<int64_t>(v < 0 ? v + n : v, 0, n); };
  int64_t from = clampBound(*start), to = clampBound(*end);
  if (to <= from) {
    im.error(loc) << "'slice' of " << describe(xv) << " from " << *start << " to " << *end
                  << " along dim " << *dim << " (size " << n << ") is empty";
    return Val::poison(loc);
  }
  int64_t size = (to - from + *step - 1) / *step;
  if (size == n)
    return Val::ofTensor(loc, *x);
  return buildSlice(im, loc, *x, *axis, from, size, *step);
}

//===--- split ---===//

/// torch.split: pieces of `size` elements along dim (the last one smaller),
/// or of the listed sizes, which must add up to the axis. A list of tensors.
Val importSplit(Importer &im, const CallArgs &args) {
  auto x = im.getTensor(args, "x");
  auto sizes = getIntList(im, args, "size", /*allowScalar=*/true);
  auto dim = im.getInt(args, "dim", 0);
  Loc loc = args.call->loc;
  if (!x || !sizes || !dim)
    return Val::poison(loc);
  const Val &xv = args.values.at("x");
  auto axis = checkDim(im, args, "dim", *dim, static_cast<int64_t>(shapeOf(*x).size()), xv);
  if (!axis)
    return Val::poison(loc);
  int64_t n = shapeOf(*x)[*axis];
  bool single = args.values.at("size").kind == Val::Kind::Int;
  std::vector<int64_t> pieces;
  for (int64_t s : *sizes)
    if (s <= 0) {
      im.error(argLoc(args, "size")) << "'split' sizes must be positive, got "
                                     << describe(args.values.at("size"));
      return Val::poison(loc);
    }
  if (single) {
    for (int64_t at = 0; at < n; at += (*sizes)[0])
      pieces.push_back(std::min((*sizes)[0], n - at));
  } else {
    int64_t total = 0;
    for (int64_t s : *sizes)
      total += s;
    if (total != n) {
      im.error(argLoc(args, "size")) << "'split' sizes " << describe(args.values.at("size"))
                                     << " add up to " << total << ", but dim " << *dim << " of "
                                     << describe(xv) << " has " << n;
      return Val::poison(loc);
    }
    pieces = *sizes;
  }
  Val list{Val::Kind::List, loc};
  int64_t at = 0;
  for (int64_t s : pieces) {
    Val piece = s == n ? Val::ofTensor(loc, *x) : buildSlice(im, loc, *x, *axis, at, s, 1);
    if (piece.isPoison())
      return piece;
    list.list.push_back(piece);
    at += s;
  }
  return list;
}

//===--- stack, squeeze, unsqueeze ---===//

/// torch.stack: the tensors, all of one shape, joined along a new axis.
Val importStack(Importer &im, const CallArgs &args) {
  auto dim = im.getInt(args, "dim", 0);
  const Val &list = args.values.at("tensors");
  Loc loc = args.call->loc;
  if (!dim)
    return Val::poison(loc);
  if (list.kind != Val::Kind::List || list.list.empty() ||
      !llvm::all_of(list.list, [](const Val &v) { return v.kind == Val::Kind::Tensor; })) {
    im.error(list.loc) << "'stack' expects a non-empty list of tensors [a, b, ...], got "
                       << describe(list);
    return Val::poison(loc);
  }
  Value first = list.list.front().tensor;
  for (const Val &v : list.list)
    if (v.tensor.getType() != first.getType()) {
      im.error(v.loc) << "'stack' expects tensors of one shape and type, got "
                      << describe(list.list.front()) << " and " << describe(v);
      return Val::poison(loc);
    }
  int64_t rank = static_cast<int64_t>(shapeOf(first).size());
  auto axis = checkDim(im, args, "dim", *dim, rank + 1, list.list.front());
  if (!axis)
    return Val::poison(loc);
  SmallVector<int64_t> shape(shapeOf(first));
  shape.insert(shape.begin() + *axis, 1);
  SmallVector<Value> parts;
  for (const Val &v : list.list) {
    Val part = buildReshape(im, loc, v.tensor, shape);
    if (part.isPoison())
      return part;
    parts.push_back(part.tensor);
  }
  if (parts.size() == 1)
    return Val::ofTensor(loc, parts.front());
  return im.buildOp("nn.concat", loc, parts,
                    {im.builder.getNamedAttr("dim", im.builder.getI64IntegerAttr(*axis))});
}

/// torch.squeeze: drops axis `dim` when its size is 1 (else x unchanged),
/// or every axis of size 1 without a dim.
Val importSqueeze(Importer &im, const CallArgs &args) {
  auto x = im.getTensor(args, "x");
  auto dim = im.getInt(args, "dim", INT64_MIN);
  Loc loc = args.call->loc;
  if (!x || !dim)
    return Val::poison(loc);
  SmallVector<int64_t> shape(shapeOf(*x));
  if (*dim == INT64_MIN) {
    llvm::erase_if(shape, [](int64_t d) { return d == 1; });
    return buildReshape(im, loc, *x, shape);
  }
  // A 0-d tensor accepts dim 0 and -1, as in PyTorch.
  int64_t rank = std::max<int64_t>(static_cast<int64_t>(shape.size()), 1);
  auto axis = checkDim(im, args, "dim", *dim, rank, args.values.at("x"));
  if (!axis)
    return Val::poison(loc);
  if (!shape.empty() && shape[*axis] == 1)
    shape.erase(shape.begin() + *axis);
  return buildReshape(im, loc, *x, shape);
}

/// torch.unsqueeze: a new axis of size 1 at `dim` (-1 appends).
Val importUnsqueeze(Importer &im, const CallArgs &args) {
  auto x = im.getTensor(args, "x");
  auto dim = im.getInt(args, "dim");
  Loc loc = args.call->loc;
  if (!x || !dim)
    return Val::poison(loc);
  SmallVector<int64_t> shape(shapeOf(*x));
  auto axis = checkDim(im, args, "dim", *dim, static_cast<int64_t>(shape.size()) + 1,
                       args.values.at("x"));
  if (!axis)
    return Val::poison(loc);
  shape.insert(shape.begin() + *axis, 1);
  return buildReshape(im, loc, *x, shape);
}

//===--- permute, max, min, argmax, argmin, logsumexp, triu, tril ---===//

Val importPermute(Importer &im, const CallArgs &args) {
  auto x = im.getTensor(args, "x");
  auto dims = getIntList(im, args, "dims", /*allowScalar=*/false);
  if (!x || !dims)
    return Val::poison(args.call->loc);
  return im.buildOp("nn.permute", args.call->loc, *x,
                    {im.builder.getNamedAttr("dims", im.builder.getDenseI64ArrayAttr(*dims))});
}

/// An op along one axis (`nn.<callee>`). Without a dim (when `dimOptional`)
/// it reduces the flattened tensor to a 0-d result, as torch.max(x) and
/// torch.argmax(x) do.
Val importAlongAxis(Importer &im, const CallArgs &args, bool dimOptional) {
  auto x = im.getTensor(args, "x");
  auto dim = im.getInt(args, "dim", dimOptional ? std::optional<int64_t>(INT64_MIN)
                                                : std::nullopt);
  auto keepdim = im.getBool(args, "keepdim", false);
  Loc loc = args.call->loc;
  if (!x || !dim || !keepdim)
    return Val::poison(loc);
  Value input = *x;
  bool whole = *dim == INT64_MIN;
  if (whole) {
    int64_t count = cast<RankedTensorType>(input.getType()).getNumElements();
    Val flat = buildReshape(im, loc, input, {count});
    if (flat.isPoison())
      return flat;
    input = flat.tensor;
  }
  Builder &b = im.builder;
  return im.buildOp("nn." + args.call->callee, loc, input,
                    {b.getNamedAttr("dim", b.getI64IntegerAttr(whole ? 0 : *dim)),
                     b.getNamedAttr("keepdim", b.getBoolAttr(*keepdim && !whole))});
}

/// triu and tril with their `diagonal`.
Val importTriangle(Importer &im, const CallArgs &args) {
  auto x = im.getTensor(args, "x");
  auto diagonal = im.getInt(args, "diagonal", 0);
  if (!x || !diagonal)
    return Val::poison(args.call->loc);
  return im.buildOp("nn." + args.call->callee, args.call->loc, *x,
                    {im.builder.getNamedAttr("diagonal", im.builder.getI64IntegerAttr(*diagonal))});
}

} // namespace

void addTensorOps(const OpRegistrar &add) {
  add("slice", {{"x", "dim", "start", "end", "step"}, 4}, importSlice);
  add("split", {{"x", "size", "dim"}, 2}, importSplit);
  add("stack", {{"tensors", "dim"}, 1}, importStack);
  add("squeeze", {{"x", "dim"}, 1}, importSqueeze);
  add("unsqueeze", {{"x", "dim"}, 2}, importUnsqueeze);
  add("permute", {{"x", "dims"}, 2}, importPermute);
  for (const char *name : {"max", "min", "argmax", "argmin"})
    add(name, {{"x", "dim", "keepdim"}, 1},
        [](Importer &im, const CallArgs &a) { return importAlongAxis(im, a, true); });
  add("logsumexp", {{"x", "dim", "keepdim"}, 2},
      [](Importer &im, const CallArgs &a) { return importAlongAxis(im, a, false); });
  add("triu", {{"x", "diagonal"}, 1}, importTriangle);
  add("tril", {{"x", "diagonal"}, 1}, importTriangle);
  addConstantOps(add);
}

} // namespace netc::frontend
