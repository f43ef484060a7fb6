//===- ImportRecurrent.cpp - lstm and gru of the language -----------------===//
//
// `y, h_n, c_n = lstm(x, hidden, ...)` and `y, h_n = gru(x, hidden, ...)`
// with torch.nn.LSTM / torch.nn.GRU's parameters (NAME.weight_ih_l{k},
// weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k}, gate orders i, f, g, o and
// r, z, n) and initialiser U(-1/sqrt(hidden), 1/sqrt(hidden)). Each layer
// is one linear over the whole sequence (the input projection of every
// step at once) and one scan op (ir/Ops/Recurrent.td) for the recurrence,
// so the IR does not grow with the sequence length. Batch-first layouts,
// the per-layer initial states and the stacked final states are
// transposes, slices and concats around them.
//
//===----------------------------------------------------------------------===//

#include "frontend/ImportArgs.h"

#include "ir/NNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

#include <cmath>

using namespace mlir;

namespace netc::frontend {

namespace {

ArrayRef<int64_t> dimsOf(Value v) { return cast<RankedTensorType>(v.getType()).getShape(); }

/// Builds the ops of one call at its location; after a failure (already
/// reported) every further op is skipped and yields null.
struct CallBuilder {
  Importer &im;
  Loc loc;
  std::string layer;
  bool failed = false;

  Value make(StringRef opName, ValueRange operands, ArrayRef<NamedAttribute> attrs = {}) {
    if (failed || llvm::is_contained(operands, Value())) {
      failed = true;
      return {};
    }
    Val v = im.buildOp(opName, loc, operands, attrs, layer);
    if (v.kind != Val::Kind::Tensor)
      failed = true;
    return v.kind == Val::Kind::Tensor ? v.tensor : Value();
  }
  NamedAttribute i64(StringRef name, int64_t value) {
    return im.builder.getNamedAttr(name, im.builder.getI64IntegerAttr(value));
  }
  Value slice(Value v, int64_t dim, int64_t start, int64_t size) {
    return make("nn.slice", v, {i64("dim", dim), i64("start", start), i64("size", size)});
  }
  Value reshape(Value v, ArrayRef<int64_t> shape) {
    return make("nn.reshape", v,
                {im.builder.getNamedAttr("shape", im.builder.getDenseI64ArrayAttr(shape))});
  }
  Value transpose(Value v, int64_t d0, int64_t d1) {
    return make("nn.transpose", v, {i64("dim0", d0), i64("dim1", d1)});
  }
  /// `[B, H]` of layer `k` of a `[layers, B, H]` state, or zeros without one.
  Value layerState(std::optional<Value> all, int64_t k, int64_t batch, int64_t hidden,
                   Type element) {
    if (all)
      return reshape(slice(*all, 0, k, 1), {batch, hidden});
    auto type = RankedTensorType::get({batch, hidden}, element);
    return im.builder.create<arith::ConstantOp>(
        im.location(loc), DenseElementsAttr::get(type, im.builder.getFloatAttr(element, 0.0)));
  }
  /// The last step `[1, B, H]` of slot `slot` of a scan's `[T, B, k * H]` result.
  Value lastStep(Value state, int64_t slot, int64_t hidden) {
    Value seq = slice(state, 2, slot * hidden, hidden);
    return seq ? slice(seq, 0, dimsOf(seq)[0] - 1, 1) : Value();
  }
};

/// An lstm or gru layer stack's arguments, checked.
struct RecurrentArgs {
  Value x;
  int64_t hidden = 0, layers = 1;
  bool batchFirst = true;
  std::optional<Value> h0, c0;
  std::string name;
  int64_t steps = 0, batch = 0, inputs = 0;
};

/// Reports an error at argument `arg` of the call, naming the op.
InFlightDiagnostic argError(Importer &im, const CallArgs &args, const std::string &arg) {
  return im.error(args.values.at(arg).loc) << "'" << args.call->callee << "' ";
}

Type elementOf(Value v) { return cast<TensorType>(v.getType()).getElementType(); }

/// Checks an initial state against [layers, B, hidden], naming both shapes.
bool checkState(Importer &im, const CallArgs &args, const std::string &arg, Value state,
                const RecurrentArgs &r) {
  SmallVector<int64_t> expected{r.layers, r.batch, r.hidden};
  if (dimsOf(state) == ArrayRef<int64_t>(expected) && elementOf(state) == elementOf(r.x))
    return true;
  std::string want;
  llvm::raw_string_ostream os(want);
  os << "tensor " << elementOf(r.x) << '[';
  llvm::interleaveComma(expected, os);
  os << ']';
  argError(im, args, arg) << "expects " << arg << " of shape [layers, B, hidden] = " << os.str()
                          << ", got " << describe(args.values.at(arg));
  return false;
}

/// Reads and checks the arguments shared by lstm and gru; nullopt after an
/// error (reported).
std::optional<RecurrentArgs> recurrentArgs(Importer &im, const CallArgs &args, bool lstm) {
  RecurrentArgs r;
  auto x = im.getTensor(args, "x");
  auto hidden = im.getInt(args, "hidden"), layers = im.getInt(args, "layers", 1);
  auto batchFirst = im.getBool(args, "batch_first", true);
  std::optional<Value> h0, c0;
  bool ok = x && hidden && layers && batchFirst;
  if (args.has("h0") && !(h0 = im.getTensor(args, "h0")))
    ok = false;
  if (args.has("c0") && !(c0 = im.getTensor(args, "c0")))
    ok = false;
  auto name = importLayerName(im, args);
  if (!ok || !name)
    return std::nullopt;
  if (!lstm && c0) {
    argError(im, args, "c0") << "has no cell state: 'c0' is an argument of 'lstm'";
    return std::nullopt;
  }
  if (dimsOf(*x).size() != 3 || !isa<FloatType>(elementOf(*x))) {
    argError(im, args, "x") << "expects a float sequence "
                            << (*batchFirst ? "[B, T, I] (batch_first)" : "[T, B, I]")
                            << ", got " << describe(args.values.at("x"));
    return std::nullopt;
  }
  for (auto [arg, value] : {std::pair{"hidden", *hidden}, std::pair{"layers", *layers}})
    if (value <= 0) {
      argError(im, args, arg) << "expects '" << arg << "' to be positive, got " << value;
      return std::nullopt;
    }
  r.x = *x;
  r.hidden = *hidden;
  r.layers = *layers;
  r.batchFirst = *batchFirst;
  r.h0 = h0;
  r.c0 = c0;
  r.name = *name;
  ArrayRef<int64_t> xs = dimsOf(*x);
  r.steps = r.batchFirst ? xs[1] : xs[0];
  r.batch = r.batchFirst ? xs[0] : xs[1];
  r.inputs = xs[2];
  bool statesOk = true;
  if (h0)
    statesOk &= checkState(im, args, "h0", *h0, r);
  if (c0)
    statesOk &= checkState(im, args, "c0", *c0, r);
  if (!statesOk)
    return std::nullopt;
  return r;
}

/// The weights of layer `k` in torch's order: weight_ih, weight_hh,
/// bias_ih, bias_hh, each U(-1/sqrt(hidden), 1/sqrt(hidden)).
std::optional<std::array<Value, 4>> layerParams(Importer &im, Loc loc, const RecurrentArgs &r,
                                                int64_t k, int64_t gates) {
  double bound = 1.0 / std::sqrt(double(r.hidden));
  DictionaryAttr init = uniformInit(im.builder, -bound, bound);
  Type element = elementOf(r.x);
  int64_t rows = gates * r.hidden, in = k == 0 ? r.inputs : r.hidden;
  std::string suffix = "_l" + std::to_string(k);
  std::array<Value, 4> p{
      im.newParam(loc, r.name + ".weight_ih" + suffix, RankedTensorType::get({rows, in}, element),
                  init),
      im.newParam(loc, r.name + ".weight_hh" + suffix,
                  RankedTensorType::get({rows, r.hidden}, element), init),
      im.newParam(loc, r.name + ".bias_ih" + suffix, RankedTensorType::get({rows}, element), init),
      im.newParam(loc, r.name + ".bias_hh" + suffix, RankedTensorType::get({rows}, element), init)};
  if (llvm::is_contained(p, Value()))
    return std::nullopt;
  return p;
}

/// lstm (`lstm` true) or gru: [y, h_n] and, for lstm, c_n.
Val importRecurrent(Importer &im, const CallArgs &args, bool lstm) {
  Loc loc = args.call->loc;
  std::optional<RecurrentArgs> r = recurrentArgs(im, args, lstm);
  if (!r)
    return Val::poison(loc);
  CallBuilder b{im, loc, r->name};
  int64_t gates = lstm ? 4 : 3, H = r->hidden;
  Type element = elementOf(r->x);
  Value seq = r->batchFirst ? b.transpose(r->x, 0, 1) : r->x;
  SmallVector<Value> lastH, lastC;
  for (int64_t k = 0; k < r->layers; ++k) {
    auto p = layerParams(im, loc, *r, k, gates);
    if (!p)
      return Val::poison(loc);
    auto [wih, whh, bih, bhh] = *p;
    Value xg = b.make("nn.linear", {seq, wih, bih});
    Value h0 = b.layerState(r->h0, k, r->batch, H, element);
    Value state;
    if (lstm) {
      Value c0 = b.layerState(r->c0, k, r->batch, H, element);
      state = b.make("nn.lstm_scan", {b.make("nn.add", {xg, bhh}), h0, c0, b.transpose(whh, 0, 1)});
    } else {
      state = b.make("nn.gru_scan", {xg, h0, b.transpose(whh, 0, 1), bhh});
    }
    if (b.failed)
      return Val::poison(loc);
    seq = b.slice(state, 2, 0, H);
    lastH.push_back(b.lastStep(state, 0, H));
    if (lstm)
      lastC.push_back(b.lastStep(state, 1, H));
  }
  auto stack = [&](ArrayRef<Value> states) {
    return states.size() == 1 ? states[0] : b.make("nn.concat", states, {b.i64("dim", 0)});
  };
  Val out{Val::Kind::List, loc};
  out.list.push_back(Val::ofTensor(loc, r->batchFirst ? b.transpose(seq, 0, 1) : seq));
  out.list.push_back(Val::ofTensor(loc, stack(lastH)));
  if (lstm)
    out.list.push_back(Val::ofTensor(loc, stack(lastC)));
  if (b.failed)
    return Val::poison(loc);
  return out;
}

} // namespace

void registerRecurrentOps(const OpRegistrar &add) {
  add("lstm", {{"x", "hidden", "layers", "batch_first", "h0", "c0", "name"}, 2},
      [](Importer &im, const CallArgs &args) { return importRecurrent(im, args, true); });
  add("gru", {{"x", "hidden", "layers", "batch_first", "h0", "c0", "name"}, 2},
      [](Importer &im, const CallArgs &args) { return importRecurrent(im, args, false); });
}

} // namespace netc::frontend
