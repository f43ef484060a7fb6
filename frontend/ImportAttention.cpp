//===- ImportAttention.cpp - attention in the .net language ---------------===//
//
// scaled_dot_product_attention and multi_head_attention, written with
// existing nn ops: matmul, transpose, permute, reshape, slice, linear,
// softmax and adds of constant masks. Both are formulas of those ops, so
// their gradients, kernels and interpreter come from the ops they are made
// of. Semantics are PyTorch's: torch.nn.functional.scaled_dot_product_attention
// (PyTorch 2, with a float mask added) and torch.nn.MultiheadAttention with
// batch_first=True, its parameters named and initialised as the module does.
//
//===----------------------------------------------------------------------===//

#include "frontend/ImportArgs.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

#include <cmath>
#include <limits>
#include <numeric>

using namespace mlir;

namespace netc::frontend {

namespace {

/// The shape of a ranked tensor value.
SmallVector<int64_t> dimsOf(Value v) {
  return SmallVector<int64_t>(cast<RankedTensorType>(v.getType()).getShape());
}

/// The element type of a tensor value.
Type elementOf(Value v) { return cast<TensorType>(v.getType()).getElementType(); }

/// Reports an error at argument `name` of the call, starting with the op's name.
InFlightDiagnostic argError(Importer &im, const CallArgs &args, const std::string &name) {
  return im.error(args.values.at(name).loc) << "'" << args.call->callee << "' ";
}

/// The tensors q, k, v, and the mask when given, of one float element type.
struct AttentionArgs {
  Value q, k, v, mask;
  bool causal = false;
};

/// Reads q, k, v, mask and causal; checks that all tensors are floats of
/// q's element type and have at least `minRank` axes.
std::optional<AttentionArgs> readAttention(Importer &im, const CallArgs &args, int64_t minRank) {
  auto q = im.getTensor(args, "q"), k = im.getTensor(args, "k"), v = im.getTensor(args, "v");
  std::optional<Value> mask = Value();
  if (args.has("mask"))
    mask = im.getTensor(args, "mask");
  auto causal = im.getBool(args, "causal", false);
  if (!q || !k || !v || !mask || !causal)
    return std::nullopt;
  AttentionArgs a{*q, *k, *v, *mask, *causal};
  bool ok = true;
  for (const char *name : {"q", "k", "v", "mask"}) {
    if (!args.has(name))
      continue;
    Value t = args.values.at(name).tensor;
    if (!isa<FloatType>(elementOf(t)) || elementOf(t) != elementOf(a.q)) {
      argError(im, args, name) << "expects '" << name << "' of q's float type "
                               << describe(args.values.at("q")) << ", got "
                               << describe(args.values.at(name));
      ok = false;
    } else if (std::string(name) != "mask" && static_cast<int64_t>(dimsOf(t).size()) < minRank) {
      argError(im, args, name) << "expects '" << name << "' of rank at least " << minRank
                               << ", got " << describe(args.values.at(name));
      ok = false;
    }
  }
  return ok ? std::optional<AttentionArgs>(a) : std::nullopt;
}

/// A [l, s] constant of `element`: 0 where j <= i, -inf where j > i (the
/// causal mask of torch's is_causal and generate_square_subsequent_mask).
Value causalMask(Importer &im, Loc loc, int64_t l, int64_t s, Type element) {
  auto type = RankedTensorType::get({l, s}, element);
  SmallVector<Attribute> values;
  values.reserve(static_cast<size_t>(l * s));
  double ninf = -std::numeric_limits<double>::infinity();
  for (int64_t i = 0; i < l; ++i)
    for (int64_t j = 0; j < s; ++j)
      values.push_back(im.builder.getFloatAttr(element, j > i ? ninf : 0.0));
  return im.builder.create<arith::ConstantOp>(im.location(loc),
                                              DenseElementsAttr::get(type, values));
}

/// softmax(q k^T / sqrt(E) + mask [+ causal mask]) v over the last two axes,
/// the ops named `display`. Shapes must have been checked: q [..., L, E],
/// k [..., S, E], v [..., S, Ev], mask broadcastable to [..., L, S].
Val attend(Importer &im, Loc loc, const AttentionArgs &a, llvm::StringRef display) {
  Builder &b = im.builder;
  SmallVector<int64_t> qs = dimsOf(a.q), ks = dimsOf(a.k);
  int64_t rank = static_cast<int64_t>(ks.size());
  Val kt = im.buildOp("nn.transpose", loc, a.k,
                      {b.getNamedAttr("dim0", b.getI64IntegerAttr(rank - 2)),
                       b.getNamedAttr("dim1", b.getI64IntegerAttr(rank - 1))},
                      display);
  if (kt.isPoison())
    return kt;
  Val scores = im.buildOp("nn.matmul", loc, {a.q, kt.tensor}, {}, display);
  if (scores.isPoison())
    return scores;
  Type element = elementOf(a.q);
  Value scale = im.scalarConstant(loc, 1.0 / std::sqrt(double(qs.back())), element);
  scores = im.buildOp("nn.mul", loc, {scores.tensor, scale}, {}, display);
  if (!scores.isPoison() && a.mask)
    scores = im.buildOp("nn.add", loc, {scores.tensor, a.mask}, {}, display);
  // Masked scores are -inf: softmax gives them weight 0 and gradient 0, as
  // long as each row keeps one finite score (always so for the causal mask,
  // whose row i keeps j = 0).
  if (!scores.isPoison() && a.causal)
    scores = im.buildOp(
        "nn.add", loc,
        {scores.tensor, causalMask(im, loc, qs[qs.size() - 2], ks[ks.size() - 2], element)}, {},
        display);
  if (scores.isPoison())
    return scores;
  Val weights = im.buildOp("nn.softmax", loc, scores.tensor,
                           {b.getNamedAttr("dim", b.getI64IntegerAttr(-1))}, display);
  if (weights.isPoison())
    return weights;
  return im.buildOp("nn.matmul", loc, {weights.tensor, a.v}, {}, display);
}

/// True if `mask` broadcasts to `scores` (a float mask added to the scores).
bool checkMask(Importer &im, const CallArgs &args, Value mask, ArrayRef<int64_t> scores) {
  SmallVector<int64_t> ms = dimsOf(mask);
  shape::Shape want(scores.begin(), scores.end()), have(ms.begin(), ms.end());
  shape::ShapeResult r = shape::broadcast(have, want);
  if (r && r.shape() == want)
    return true;
  argError(im, args, "mask") << "expects a mask that broadcasts to the scores " << shape::str(want)
                             << ", got " << describe(args.values.at("mask"));
  return false;
}

//===--- scaled_dot_product_attention ---===//

/// torch.nn.functional.scaled_dot_product_attention (PyTorch 2, no dropout):
/// q [..., L, E], k [..., S, E], v [..., S, Ev] with broadcasting batch axes.
Val importSdpa(Importer &im, const CallArgs &args) {
  Loc loc = args.call->loc;
  auto a = readAttention(im, args, 2);
  if (!a)
    return Val::poison(loc);
  SmallVector<int64_t> qs = dimsOf(a->q), ks = dimsOf(a->k), vs = dimsOf(a->v);
  const Val &qv = args.values.at("q"), &kv = args.values.at("k"), &vv = args.values.at("v");
  bool ok = true;
  if (qs.back() != ks.back()) {
    argError(im, args, "k") << "expects q and k of one embedding size (last axis), got "
                            << describe(qv) << " and " << describe(kv);
    ok = false;
  }
  if (ks[ks.size() - 2] != vs[vs.size() - 2]) {
    argError(im, args, "v") << "expects k and v of one source length (axis -2), got "
                            << describe(kv) << " and " << describe(vv);
    ok = false;
  }
  if (a->mask && a->causal) {
    im.error(loc) << "'scaled_dot_product_attention' takes 'mask' or causal=true, not both "
                     "(as torch)";
    ok = false;
  }
  if (!ok)
    return Val::poison(loc);
  // The scores' shape: the batch axes of q and k broadcast, then [L, S].
  shape::Shape qb(qs.begin(), qs.end() - 2), kb(ks.begin(), ks.end() - 2);
  shape::ShapeResult batch = shape::broadcast(qb, kb);
  if (!batch) {
    argError(im, args, "k") << "expects batch axes of q and k that broadcast, got " << describe(qv)
                            << " and " << describe(kv);
    return Val::poison(loc);
  }
  SmallVector<int64_t> scores(batch.shape().begin(), batch.shape().end());
  scores.append({qs[qs.size() - 2], ks[ks.size() - 2]});
  if (a->mask && !checkMask(im, args, a->mask, scores))
    return Val::poison(loc);
  return attend(im, loc, *a, "scaled_dot_product_attention");
}

//===--- multi_head_attention ---===//

/// The checked shapes of one multi_head_attention call.
struct MhaShape {
  SmallVector<int64_t> batch; // the leading axes: [B], or none when unbatched
  int64_t l = 0, s = 0, e = 0, heads = 0;
};

/// Checks torch.nn.MultiheadAttention's shapes (batch_first, one embedding
/// size E for q, k and v): q [B, L, E] or [L, E], k and v [B, S, E] or
/// [S, E], mask [L, S] or [B * heads, L, S], E divisible by heads.
std::optional<MhaShape> checkMha(Importer &im, const CallArgs &args, const AttentionArgs &a,
                                 int64_t heads) {
  SmallVector<int64_t> qs = dimsOf(a.q), ks = dimsOf(a.k), vs = dimsOf(a.v);
  const Val &qv = args.values.at("q");
  if (qs.size() != 2 && qs.size() != 3) {
    argError(im, args, "q") << "expects q of shape [B, L, E] or [L, E], got " << describe(qv);
    return std::nullopt;
  }
  MhaShape m;
  m.batch.assign(qs.begin(), qs.end() - 2);
  m.l = qs[qs.size() - 2];
  m.e = qs.back();
  m.heads = heads;
  bool ok = true;
  for (const char *name : {"k", "v"}) {
    SmallVector<int64_t> t = dimsOf(args.values.at(name).tensor);
    bool same = t.size() == qs.size() && t.back() == m.e &&
                llvm::equal(ArrayRef(t).drop_back(2), m.batch) &&
                t[t.size() - 2] == ks[ks.size() - 2];
    if (!same) {
      argError(im, args, name) << "expects '" << name << "' of shape "
                               << (m.batch.empty() ? "[S, "
                                                   : "[" + std::to_string(m.batch[0]) + ", S, ")
                               << m.e << "] (q's batch and embedding size, k's length S), got "
                               << describe(args.values.at(name));
      ok = false;
    }
  }
  if (heads <= 0) {
    argError(im, args, "heads") << "expects 'heads' to be positive, got " << heads;
    ok = false;
  } else if (m.e % heads != 0) {
    argError(im, args, "heads") << "embedding size " << m.e << " (the last axis of q) is not "
                                << "divisible by heads " << heads;
    ok = false;
  }
  if (!ok)
    return std::nullopt;
  m.s = ks[ks.size() - 2];
  if (a.mask) {
    SmallVector<int64_t> ms = dimsOf(a.mask);
    int64_t groups = heads * std::accumulate(m.batch.begin(), m.batch.end(), int64_t(1),
                                             std::multiplies<int64_t>());
    bool two = ms.size() == 2 && ms[0] == m.l && ms[1] == m.s;
    bool three = ms.size() == 3 && ms[0] == groups && ms[1] == m.l && ms[2] == m.s;
    if (!two && !three) {
      argError(im, args, "mask") << "expects a mask of shape [" << m.l << ", " << m.s << "] or ["
                                 << groups << ", " << m.l << ", " << m.s
                                 << "] (batch * heads, L, S), got "
                                 << describe(args.values.at("mask"));
      return std::nullopt;
    }
  }
  return m;
}

/// `x` reshaped to `shape`, the op named `display`.
Val reshapeTo(Importer &im, Loc loc, Value x, ArrayRef<int64_t> shape, llvm::StringRef display) {
  return im.buildOp("nn.reshape", loc, x,
                    {im.builder.getNamedAttr("shape", im.builder.getDenseI64ArrayAttr(shape))},
                    display);
}

/// Swaps the two axes before the last (batch..., A, B, D -> batch..., B, A, D).
Val swapMiddle(Importer &im, Loc loc, Value x, llvm::StringRef display) {
  int64_t rank = static_cast<int64_t>(dimsOf(x).size());
  SmallVector<int64_t> perm(rank);
  std::iota(perm.begin(), perm.end(), 0);
  std::swap(perm[rank - 3], perm[rank - 2]);
  return im.buildOp("nn.permute", loc, x,
                    {im.builder.getNamedAttr("dims", im.builder.getDenseI64ArrayAttr(perm))},
                    display);
}

/// One projection of in_proj: rows [index * E, (index + 1) * E) of the
/// weight and bias, applied to `x`, split into heads: [..., heads, T, E / heads].
Val project(Importer &im, Loc loc, Value x, Value weight, Value bias, int64_t index,
            const MhaShape &m, const std::string &name) {
  Builder &b = im.builder;
  auto rows = [&](Value t) {
    return im.buildOp("nn.slice", loc, t,
                      {b.getNamedAttr("dim", b.getI64IntegerAttr(0)),
                       b.getNamedAttr("start", b.getI64IntegerAttr(index * m.e)),
                       b.getNamedAttr("size", b.getI64IntegerAttr(m.e))},
                      name);
  };
  Val w = rows(weight), bi = rows(bias);
  if (w.isPoison() || bi.isPoison())
    return Val::poison(loc);
  Val y = im.buildOp("nn.linear", loc, {x, w.tensor, bi.tensor}, {}, name);
  if (y.isPoison())
    return y;
  SmallVector<int64_t> split(m.batch);
  split.append({dimsOf(x)[m.batch.size()], m.heads, m.e / m.heads});
  Val heads = reshapeTo(im, loc, y.tensor, split, name);
  return heads.isPoison() ? heads : swapMiddle(im, loc, heads.tensor, name);
}

/// torch.nn.MultiheadAttention(E, heads, batch_first=True)(q, k, v)[0], its
/// parameters NAME.in_proj_weight, NAME.in_proj_bias and NAME.out_proj.
Val importMha(Importer &im, const CallArgs &args) {
  Loc loc = args.call->loc;
  auto a = readAttention(im, args, 2);
  auto heads = im.getInt(args, "heads");
  auto name = importLayerName(im, args);
  if (!a || !heads || !name)
    return Val::poison(loc);
  auto m = checkMha(im, args, *a, *heads);
  if (!m)
    return Val::poison(loc);
  // torch.nn.MultiheadAttention._reset_parameters: xavier_uniform_ on
  // in_proj_weight [3E, E] (fan_in E, fan_out 3E), zero biases, and
  // out_proj.weight as nn.Linear leaves it (kaiming_uniform with a = sqrt(5),
  // U(-1/sqrt(E), 1/sqrt(E))).
  Builder &b = im.builder;
  Type element = elementOf(a->q);
  double xavier = std::sqrt(6.0 / double(m->e + 3 * m->e));
  double linear = 1.0 / std::sqrt(double(m->e));
  Value inW =
      im.newParam(loc, *name + ".in_proj_weight", RankedTensorType::get({3 * m->e, m->e}, element),
                  uniformInit(b, -xavier, xavier));
  Value inB = im.newParam(loc, *name + ".in_proj_bias", RankedTensorType::get({3 * m->e}, element),
                          constantInit(b, 0.0));
  Value outW =
      im.newParam(loc, *name + ".out_proj.weight", RankedTensorType::get({m->e, m->e}, element),
                  uniformInit(b, -linear, linear));
  Value outB = im.newParam(loc, *name + ".out_proj.bias", RankedTensorType::get({m->e}, element),
                           constantInit(b, 0.0));
  if (!inW || !inB || !outW || !outB)
    return Val::poison(loc);
  AttentionArgs split = *a;
  Value *parts[] = {&split.q, &split.k, &split.v};
  for (int64_t i = 0; i < 3; ++i) {
    Val p = project(im, loc, *parts[i], inW, inB, i, *m, *name);
    if (p.isPoison())
      return p;
    *parts[i] = p.tensor;
  }
  if (a->mask && dimsOf(a->mask).size() == 3) {
    // [B * heads, L, S] as torch lays it out: batch-major, then heads.
    SmallVector<int64_t> shape(m->batch);
    shape.append({m->heads, m->l, m->s});
    Val mask = reshapeTo(im, loc, a->mask, shape, *name);
    if (mask.isPoison())
      return mask;
    split.mask = mask.tensor;
  }
  Val o = attend(im, loc, split, *name);
  if (o.isPoison())
    return o;
  o = swapMiddle(im, loc, o.tensor, *name);
  if (o.isPoison())
    return o;
  SmallVector<int64_t> merged(m->batch);
  merged.append({m->l, m->e});
  o = reshapeTo(im, loc, o.tensor, merged, *name);
  if (o.isPoison())
    return o;
  return im.buildOp("nn.linear", loc, {o.tensor, outW, outB}, {}, *name + ".out_proj");
}

} // namespace

void registerAttentionOps(const OpRegistrar &add) {
  add("scaled_dot_product_attention", {{"q", "k", "v", "mask", "causal"}, 3}, importSdpa);
  add("multi_head_attention", {{"q", "k", "v", "heads", "mask", "causal", "name"}, 4}, importMha);
}

} // namespace netc::frontend
