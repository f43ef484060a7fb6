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
// Reverse and bidirectional layers, peepholes, clip, other activations and
// sequence lengths shorter than the sequence are located errors.
//
//===----------------------------------------------------------------------===//

#include "onnx/OpsBuilder.h"

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

/// Checks the attributes netc cannot honour; false after an error.
bool checkRecurrentAttrs(OpsBuilder &b, ArrayRef<StringRef> activations, int64_t steps) {
  std::string direction = b.attrString("direction", "forward");
  if (direction != "forward") {
    b.error("unsupported direction: \"" + direction + "\" (netc runs forward layers; export "
           "one layer per direction)");
    return false;
  }
  if (b.hasAttr("clip")) {
    b.error("unsupported attribute clip");
    return false;
  }
  if (b.attrInt("input_forget", 0) != 0) {
    b.error("unsupported input_forget: 1");
    return false;
  }
  SmallVector<std::string> given = b.attrStrings("activations");
  for (auto [k, name] : llvm::enumerate(given))
    if (k >= activations.size() || StringRef(name).lower() != activations[k].lower()) {
      b.error("unsupported activations (netc has the default " + llvm::join(activations, ", ") +
             ")");
      return false;
    }
  if (b.has(4)) {
    auto lens = b.ints(4);
    if (!lens || llvm::any_of(*lens, [&](int64_t n) { return n != steps; })) {
      b.error("unsupported sequence_lens (netc needs every sequence as long as the input)");
      return false;
    }
  }
  return true;
}

/// An initial state `[1, B, H]` (input `i`) as `[B, H]`, or zeros.
Value initialState(OpsBuilder &b, unsigned i, int64_t batch, int64_t hidden, Type element,
                   bool batchFirst) {
  if (!b.has(i))
    return b.splat({batch, hidden}, 0.0, element);
  Value s = b.in(i);
  if (s && batchFirst)
    s = b.transpose(s, 0, 1);
  return b.reshape(s, {batch, hidden});
}

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
  if (!checkRecurrentAttrs(b, lstm ? ArrayRef<StringRef>{"Sigmoid", "Tanh", "Tanh"}
                                   : ArrayRef<StringRef>{"Sigmoid", "Tanh"},
                           steps))
    return b.result();
  if (OpsBuilder::dims(w)[0] != 1 || OpsBuilder::dims(r)[1] != gates * hidden)
    return b.fail("expects weights of one direction with " + std::to_string(gates) +
                  " gates of hidden_size " + std::to_string(hidden));
  if (!lstm && b.attrInt("linear_before_reset", 0) == 0)
    return b.fail("unsupported linear_before_reset: 0 (netc's GRU applies the reset gate after "
                  "the recurrent product, as torch exports it with linear_before_reset = 1)");
  SmallVector<int64_t> order = lstm ? SmallVector<int64_t>{0, 2, 3, 1} : SmallVector<int64_t>{1, 0, 2};
  int64_t rows = gates * hidden;
  Type element = OpsBuilder::element(x);
  Value wx = reorder(b, b.reshape(w, {rows, OpsBuilder::dims(w)[2]}), order, hidden);
  Value wh = b.transpose(reorder(b, b.reshape(r, {rows, hidden}), order, hidden), 0, 1);
  Value bx, bh;
  if (b.has(3)) {
    Value bias = b.reshape(b.in(3), {2 * rows});
    bx = reorder(b, b.slice(bias, 0, 0, rows), order, hidden);
    bh = reorder(b, b.slice(bias, 0, rows, rows), order, hidden);
  }
  SmallVector<Value> linear{x, wx};
  if (bx)
    linear.push_back(bx);
  Value xg = b.op("nn.linear", linear);
  Value h0 = initialState(b, 5, batch, hidden, element, batchFirst);
  Value state;
  if (lstm) {
    Value c0 = initialState(b, 6, batch, hidden, element, batchFirst);
    state = b.op("nn.lstm_scan", {bh ? b.binary("nn.add", xg, bh) : xg, h0, c0, wh});
  } else {
    state = b.op("nn.gru_scan", {xg, h0, wh, bh ? bh : b.splat({rows}, 0.0, element)});
  }
  if (!state)
    return b.result();
  // Y [T, 1, B, H] (or [B, T, 1, H]); Y_h, Y_c [1, B, H] (or [B, 1, H]).
  Value y = b.slice(state, 2, 0, hidden);
  b.out(0, batchFirst ? b.reshape(b.transpose(y, 0, 1), {batch, steps, 1, hidden})
                      : b.reshape(y, {steps, 1, batch, hidden}));
  for (unsigned slot = 0; slot < (lstm ? 2u : 1u); ++slot) {
    Value last = b.slice(b.slice(state, 2, slot * hidden, hidden), 0, steps - 1, 1);
    b.out(slot + 1, batchFirst ? b.reshape(last, {batch, 1, hidden}) : last);
  }
  return b.result();
}

} // namespace

void registerRecurrentOps(OnnxOpRegistry &r) {
  addOp(r, "LSTM", [](OpsBuilder &b) { return convertRecurrent(b, true); });
  addOp(r, "GRU", [](OpsBuilder &b) { return convertRecurrent(b, false); });
}

} // namespace netc::onnx
