//===- OpsTensor.cpp - ONNX tensor ops on values computed at run time -----===//
//
// Gather, Squeeze, Unsqueeze, Expand, Tile and Trilu on tensors the model
// computes. Their index-like operands (indices of a constant Gather, axes,
// shapes, repeats) must be known at import;
// everything on constants alone is folded by the importer before a converter
// runs. A Gather with indices computed at run time is nn.embedding on the
// data with the gathered axis moved first and the others flattened.
//
//===----------------------------------------------------------------------===//

#include "onnx/OpsBuilder.h"

using namespace mlir;

namespace netc::onnx {

namespace {

/// The data input, a float tensor (integer data computed at run time only
/// feeds shape computations, which are folded at import).
Value dataIn(OpsBuilder &b) {
  Value x = b.in(0);
  if (x && !OpsBuilder::isFloat(x)) {
    b.error("takes integer data computed at run time; netc folds integer tensors at import "
            "and computes on float tensors only");
    return {};
  }
  return x;
}

/// dims with `inner` in place of axis `axis`.
SmallVector<int64_t> replaceAxis(ArrayRef<int64_t> dims, int64_t axis, ArrayRef<int64_t> inner) {
  SmallVector<int64_t> out(dims.begin(), dims.begin() + axis);
  out.append(inner.begin(), inner.end());
  out.append(dims.begin() + axis + 1, dims.end());
  return out;
}

/// Gather with constant indices: one strided slice when they step evenly
/// forward, else a concat of single slices.
Value gatherConstant(OpsBuilder &b, Value x, int64_t axis, SmallVector<int64_t> idx,
                     ArrayRef<int64_t> idxShape) {
  int64_t size = OpsBuilder::dims(x)[axis];
  for (int64_t &i : idx) {
    if (i < -size || i >= size) {
      b.error("index " + std::to_string(i) + " is out of range for axis " + std::to_string(axis) +
              " of size " + std::to_string(size));
      return {};
    }
    i = i < 0 ? i + size : i;
  }
  int64_t step = idx.size() > 1 ? idx[1] - idx[0] : 1;
  bool even = step >= 1;
  for (size_t k = 1; k < idx.size(); ++k)
    even &= idx[k] - idx[k - 1] == step;
  Value picked;
  if (even) {
    picked = b.slice(x, axis, idx[0], int64_t(idx.size()), step);
  } else {
    SmallVector<Value> parts;
    for (int64_t i : idx)
      parts.push_back(b.slice(x, axis, i, 1));
    picked = b.concat(parts, axis);
  }
  return picked ? b.reshape(picked, replaceAxis(OpsBuilder::dims(x), axis, idxShape)) : Value();
}

/// Gather with run-time indices: the data's axis first, the rest flattened,
/// nn.embedding, then the axes back in ONNX's order.
/// `idx` with ONNX's negative indices (counting from the end of an axis of
/// size `n`) made non-negative: idx + n * relu(-sign(idx)), computed in f64,
/// which holds every index exactly.
Value wrapNegative(OpsBuilder &b, Value idx, int64_t n) {
  Type indexType = OpsBuilder::element(idx);
  Value f = b.cast(idx, b.builder().getF64Type());
  Value negative = b.unary("nn.relu", b.unary("nn.neg", b.unary("nn.sign", f)));
  Value shifted = b.binary("nn.add", f, b.binary("nn.mul", negative, b.scalar(double(n), f)));
  return b.cast(b.unary("nn.detach", shifted), indexType);
}

Value gatherRuntime(OpsBuilder &b, Value x, int64_t axis, Value idx) {
  ArrayRef<int64_t> dims = OpsBuilder::dims(x);
  idx = wrapNegative(b, idx, dims[axis]);
  SmallVector<int64_t> order{axis}, others;
  for (int64_t k = 0; k < int64_t(dims.size()); ++k)
    if (k != axis) {
      order.push_back(k);
      others.push_back(dims[k]);
    }
  Value table = b.reshape(b.permute(x, order), {dims[axis], product(others)});
  Value rows = b.op("nn.embedding", {idx, table});
  if (!rows)
    return {};
  SmallVector<int64_t> idxShape(OpsBuilder::dims(idx));
  SmallVector<int64_t> shape(idxShape);
  shape.append(others.begin(), others.end());
  Value expanded = b.reshape(rows, shape);
  int64_t q = int64_t(idxShape.size());
  SmallVector<int64_t> back;
  for (int64_t k = 0; k < axis; ++k)
    back.push_back(q + k);
  for (int64_t k = 0; k < q; ++k)
    back.push_back(k);
  for (int64_t k = axis; k < int64_t(others.size()); ++k)
    back.push_back(q + k);
  return b.permute(expanded, back);
}

LogicalResult convertGather(OpsBuilder &b) {
  Value x = dataIn(b);
  if (!x)
    return b.result();
  auto axis = b.axis(b.attrInt("axis", 0), OpsBuilder::rank(x), "axis");
  if (!axis)
    return b.result();
  if (auto idx = b.ints(1)) {
    b.out(0, gatherConstant(b, x, *axis, *idx, *b.constShape(1)));
    return b.result();
  }
  Value idx = b.in(1);
  if (idx && OpsBuilder::isFloat(idx))
    return b.fail("indices must be integers");
  b.out(0, idx ? gatherRuntime(b, x, *axis, idx) : Value());
  return b.result();
}

/// The axes of Squeeze or Unsqueeze: an attribute before opset 13, then the
/// second input.
std::optional<SmallVector<int64_t>> squeezeAxes(OpsBuilder &b) {
  if (b.opset() < 13)
    return b.attrInts("axes");
  if (!b.has(1))
    return SmallVector<int64_t>{};
  return b.requireInts(1, "the axes");
}

LogicalResult convertSqueeze(OpsBuilder &b) {
  Value x = b.in(0);
  auto axes = squeezeAxes(b);
  if (!x || !axes)
    return b.result();
  ArrayRef<int64_t> dims = OpsBuilder::dims(x);
  SmallVector<int64_t> drop;
  for (int64_t a : *axes) {
    auto k = b.axis(a, int64_t(dims.size()), "axis");
    if (!k)
      return b.result();
    if (dims[*k] != 1)
      return b.fail("squeezes axis " + std::to_string(a) + " of size " + std::to_string(dims[*k]));
    drop.push_back(*k);
  }
  SmallVector<int64_t> shape;
  for (auto [k, d] : llvm::enumerate(dims))
    if (drop.empty() ? d != 1 : !llvm::is_contained(drop, int64_t(k)))
      shape.push_back(d);
  b.out(0, b.reshape(x, shape));
  return b.result();
}

LogicalResult convertUnsqueeze(OpsBuilder &b) {
  Value x = b.in(0);
  auto axes = squeezeAxes(b);
  if (!x || !axes)
    return b.result();
  ArrayRef<int64_t> dims = OpsBuilder::dims(x);
  int64_t rank = int64_t(dims.size() + axes->size());
  SmallVector<int64_t> inserted;
  for (int64_t a : *axes) {
    auto k = b.axis(a, rank, "axis");
    if (!k)
      return b.result();
    inserted.push_back(*k);
  }
  SmallVector<int64_t> shape;
  for (int64_t k = 0, next = 0; k < rank; ++k)
    shape.push_back(llvm::is_contained(inserted, k) ? 1 : dims[next++]);
  b.out(0, b.reshape(x, shape));
  return b.result();
}

/// Expand: x times ones of the broadcast shape (1 where x already has the
/// size), which keeps the gradient flowing to x.
LogicalResult convertExpand(OpsBuilder &b) {
  Value x = dataIn(b);
  auto shape = b.requireInts(1, "the shape");
  if (!x || !shape)
    return b.result();
  ArrayRef<int64_t> dims = OpsBuilder::dims(x);
  size_t rank = std::max(dims.size(), shape->size());
  SmallVector<int64_t> out(rank), ones(rank);
  for (size_t k = 0; k < rank; ++k) {
    int64_t off = int64_t(rank - dims.size()), sOff = int64_t(rank - shape->size());
    int64_t have = int64_t(k) >= off ? dims[k - off] : 1;
    int64_t want = int64_t(k) >= sOff ? (*shape)[k - sOff] : 1;
    if (have != want && have != 1 && want != 1)
      return b.fail("cannot broadcast size " + std::to_string(have) + " to " +
                    std::to_string(want) + " at axis " + std::to_string(k));
    out[k] = std::max(have, want);
    ones[k] = out[k] == have && int64_t(k) >= off ? 1 : out[k];
  }
  if (ArrayRef<int64_t>(out) == dims) {
    b.out(0, x);
    return b.result();
  }
  b.out(0, b.binary("nn.mul", x, b.splat(ones, 1.0, OpsBuilder::element(x))));
  return b.result();
}

LogicalResult convertTile(OpsBuilder &b) {
  Value x = dataIn(b);
  auto repeats = b.requireInts(1, "the repeats");
  if (!x || !repeats)
    return b.result();
  if (int64_t(repeats->size()) != OpsBuilder::rank(x))
    return b.fail("has " + std::to_string(repeats->size()) + " repeats for rank " +
                  std::to_string(OpsBuilder::rank(x)));
  for (auto [axis, r] : llvm::enumerate(*repeats)) {
    if (r < 1)
      return b.fail("unsupported repeat count: " + std::to_string(r));
    x = b.concat(SmallVector<Value>(r, x), int64_t(axis));
  }
  b.out(0, x);
  return b.result();
}

LogicalResult convertTrilu(OpsBuilder &b) {
  Value x = dataIn(b);
  int64_t k = 0;
  if (b.has(1)) {
    auto given = b.requireInts(1, "k");
    if (!given)
      return b.result();
    k = given->empty() ? 0 : given->front();
  }
  if (x && OpsBuilder::rank(x) < 2)
    return b.fail("needs a tensor of rank 2 or more");
  StringRef name = b.attrInt("upper", 1) ? "nn.triu" : "nn.tril";
  b.out(0, b.op(name, x, {b.i64("diagonal", k)}));
  return b.result();
}

} // namespace

void registerTensorOps(OnnxOpRegistry &r) {
  addOp(r, "Gather", convertGather);
  addOp(r, "Squeeze", convertSqueeze);
  addOp(r, "Unsqueeze", convertUnsqueeze);
  addOp(r, "Expand", convertExpand);
  addOp(r, "Tile", convertTile);
  addOp(r, "Trilu", convertTrilu);
}

} // namespace netc::onnx
