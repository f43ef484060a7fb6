//===- OpsRecurrent.cpp - ONNX LSTM and GRU -------------------------------===//
//
// A forward LSTM or GRU layer becomes what the language's lstm and gru
// build (frontend/ImportRecurrent.cpp): one nn.linear for the input
// projection of every step and one nn.lstm_scan or nn.gru_scan for the
// recurrence. ONNX stacks the gates as i, o, f, c (LSTM) and z, r, h (GRU);
// the scans take torch's i, f, g, o and r, z, n, so the weights' row blocks
// are sliced and concatenated in that order. GRU needs linear_before_reset = 1
// (torch's formula, the one nn.gru_scan computes); ONNX's default 0 applies
// the reset gate before the recurrent product, which no scan computes.
// A reverse direction runs the same scan on the sequence reversed in time
// (one nn.embedding of the steps T-1, ..., 0) and reverses its outputs back;
// bidirectional concatenates both. Peepholes, clip, other activations and
// sequence lengths shorter than the sequence are located errors.
//
//===----------------------------------------------------------------------===//

#include "onnx/OpsBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;

namespace netc::onnx {

namespace {

/// The rows of `w` (blocks of `hidden` along dim 0) in the order `blocks`.
Value reorder(OpsBuilder &b, Value w, ArrayRef<int64_t> blocks, int64_t hidden) {
  SmallVector<Value> parts;
  for (int64_t k : blocks)
    parts.push_back(b.slice(w, 0, k * hidden, hidden));
  return b.concat(parts, 0);
}

/// What netc cannot honour of the node's attributes and sequence lengths,
/// or an empty string.
std::string recurrentProblem(OpsBuilder &b, ArrayRef<StringRef> activations, int64_t steps) {
  std::string direction = b.attrString("direction", "forward");
  if (direction != "forward" && direction != "reverse" && direction != "bidirectional")
    return "unsupported direction: \"" + direction + "\"";
  if (b.hasAttr("clip"))
    return "unsupported attribute clip";
  if (b.attrInt("input_forget", 0) != 0)
    return "unsupported input_forget: 1";
  for (auto [k, name] : llvm::enumerate(b.attrStrings("activations")))
    if (StringRef(name).lower() != activations[k % activations.size()].lower())
      return "unsupported activations (netc has the default " + llvm::join(activations, ", ") + ")";
  std::optional<SmallVector<int64_t>> lens = b.has(4) ? b.ints(4) : SmallVector<int64_t>{};
  if (!lens || llvm::any_of(*lens, [&](int64_t n) { return n != steps; }))
    return "unsupported sequence_lens (netc needs every sequence as long as the input)";
  return "";
}

/// `v` `[T, ...]` in reverse order along T: nn.embedding of the rows
/// T-1, ..., 0 of `v` flattened to `[T, rest]`, one op whatever T.
Value reverseSteps(OpsBuilder &b, Value v) {
  if (!v)
    return {};
  ArrayRef<int64_t> dims = OpsBuilder::dims(v);
  SmallVector<int64_t> shape(dims);
  int64_t steps = dims[0];
  SmallVector<int64_t> rows;
  for (int64_t t = steps - 1; t >= 0; --t)
    rows.push_back(t);
  auto type = RankedTensorType::get({steps}, b.builder().getI64Type());
  Value idx = b.builder().create<arith::ConstantOp>(
      b.loc(), DenseElementsAttr::get(type, ArrayRef<int64_t>(rows)));
  Value table = b.reshape(v, {steps, product(dims.drop_front())});
  return b.reshape(b.op("nn.embedding", {idx, table}), shape);
}

/// One recurrence of an LSTM or GRU node.
struct Layer {
  OpsBuilder &b;
  bool lstm;
  int64_t gates, hidden, batch, steps;
  bool batchFirst;
  /// The ONNX gate blocks in the scan's order.
  SmallVector<int64_t> order;

  /// Direction `d`'s `[rows, ...]` slab of a `[D, rows, ...]` input, its
  /// gate blocks in the scan's order.
  Value weights(Value all, int64_t d, ArrayRef<int64_t> shape) {
    return reorder(b, b.reshape(b.slice(all, 0, d, 1), shape), order, hidden);
  }

  /// Direction `d`'s initial state (input `i`, `[D, B, H]`), or zeros.
  Value initial(unsigned i, int64_t d, Type element) {
    if (!b.has(i))
      return b.splat({batch, hidden}, 0.0, element);
    Value s = b.in(i);
    if (s && batchFirst)
      s = b.transpose(s, 0, 1);
    return b.reshape(b.slice(s, 0, d, 1), {batch, hidden});
  }

  /// The scan of direction `d` over `x` [T, B, I] (reversed for the
  /// backward direction): its result [T, B, k * H], in the scan's order.
  Value scan(Value x, Value w, Value r, int64_t d) {
    int64_t rows = gates * hidden;
    Type element = OpsBuilder::element(x);
    Value wx = weights(w, d, {rows, OpsBuilder::dims(w)[2]});
    Value wh = b.transpose(weights(r, d, {rows, hidden}), 0, 1);
    Value bx, bh;
    if (b.has(3)) {
      Value bias = b.reshape(b.slice(b.in(3), 0, d, 1), {2 * rows});
      bx = reorder(b, b.slice(bias, 0, 0, rows), order, hidden);
      bh = reorder(b, b.slice(bias, 0, rows, rows), order, hidden);
    }
    SmallVector<Value> linear{x, wx};
    if (bx)
      linear.push_back(bx);
    Value xg = b.op("nn.linear", linear);
    Value h0 = initial(5, d, element);
    if (lstm)
      return b.op("nn.lstm_scan",
                  {bh ? b.binary("nn.add", xg, bh) : xg, h0, initial(6, d, element), wh});
    return b.op("nn.gru_scan", {xg, h0, wh, bh ? bh : b.splat({rows}, 0.0, element)});
  }
};

LogicalResult convertRecurrent(OpsBuilder &b, bool lstm) {
  Value x = b.in(0), w = b.in(1), r = b.in(2);
  if (!x || !w || !r)
    return b.result();
  if (OpsBuilder::rank(x) != 3 || OpsBuilder::rank(w) != 3 || OpsBuilder::rank(r) != 3 ||
      !OpsBuilder::isFloat(x))
    return b.fail("expects a float sequence X [T, B, I] and weights W, R of rank 3");
  if (lstm && b.has(7))
    return b.fail("unsupported peephole input P");
  bool batchFirst = b.opset() >= 14 && b.attrInt("layout", 0) != 0;
  if (batchFirst)
    x = b.transpose(x, 0, 1);
  int64_t gates = lstm ? 4 : 3, steps = OpsBuilder::dims(x)[0], batch = OpsBuilder::dims(x)[1];
  int64_t hidden = b.attrInt("hidden_size", OpsBuilder::dims(r)[2]);
  static const StringRef lstmActivations[] = {"Sigmoid", "Tanh", "Tanh"};
  static const StringRef gruActivations[] = {"Sigmoid", "Tanh"};
  std::string problem = recurrentProblem(
      b, lstm ? ArrayRef<StringRef>(lstmActivations) : ArrayRef<StringRef>(gruActivations), steps);
  if (!problem.empty())
    return b.fail(problem);
  std::string direction = b.attrString("direction", "forward");
  int64_t directions = direction == "bidirectional" ? 2 : 1;
  if (OpsBuilder::dims(w)[0] != directions || OpsBuilder::dims(r)[1] != gates * hidden)
    return b.fail("expects weights of " + std::to_string(directions) + " direction(s) with " +
                  std::to_string(gates) + " gates of hidden_size " + std::to_string(hidden));
  if (!lstm && b.attrInt("linear_before_reset", 0) == 0)
    return b.fail("unsupported linear_before_reset: 0 (netc's GRU applies the reset gate after "
                  "the recurrent product, as torch exports it with linear_before_reset = 1)");
  Layer layer{b,          lstm,
              gates,      hidden,
              batch,      steps,
              batchFirst, lstm ? SmallVector<int64_t>{0, 2, 3, 1} : SmallVector<int64_t>{1, 0, 2}};
  SmallVector<Value> ys, lasts[2];
  for (int64_t d = 0; d < directions; ++d) {
    bool backward = direction == "reverse" || d == 1;
    Value state = layer.scan(backward ? reverseSteps(b, x) : x, w, r, d);
    if (!state)
      return b.result();
    Value y = b.slice(state, 2, 0, hidden);
    ys.push_back(b.reshape(backward ? reverseSteps(b, y) : y, {steps, 1, batch, hidden}));
    // The state after the last step the direction runs ([1, B, H]).
    for (unsigned slot = 0; slot < (lstm ? 2u : 1u); ++slot)
      lasts[slot].push_back(b.slice(b.slice(state, 2, slot * hidden, hidden), 0, steps - 1, 1));
  }
  // Y [T, D, B, H] (or [B, T, D, H]); Y_h, Y_c [D, B, H] (or [B, D, H]).
  Value y = b.concat(ys, 1);
  b.out(0, batchFirst ? b.permute(y, {2, 0, 1, 3}) : y);
  for (unsigned slot = 0; slot < (lstm ? 2u : 1u); ++slot) {
    Value last = b.concat(lasts[slot], 0);
    b.out(slot + 1, batchFirst ? b.permute(last, {1, 0, 2}) : last);
  }
  return b.result();
}

} // namespace

void registerRecurrentOps(OnnxOpRegistry &r) {
  addOp(r, "LSTM", [](OpsBuilder &b) { return convertRecurrent(b, true); });
  addOp(r, "GRU", [](OpsBuilder &b) { return convertRecurrent(b, false); });
}

} // namespace netc::onnx
