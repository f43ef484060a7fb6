//===- Recurrent.cpp - the recurrences of LSTM and GRU --------------------===//
//
// Halide forbids cycles between Funcs, and step t reads the state of step
// t - 1 through a matrix-vector product: the whole recurrence is therefore
// one Func with one update over an RDom (j, phase, step). Per step, the
// phases first accumulate the products with the previous state into the
// gate slots of this step (each phase adds the products with a chunk of up
// to 8 elements of the state, for one gate), then apply the nonlinearities
// slot by slot. The left-hand
// side picks the slot from the phase, and the unit j stays innermost so the
// schedule vectorizes it (codegen/Schedules, OpFamily::Recurrent). The loop
// over time stays a loop: nothing here grows with the sequence length.
//
// Phases choose their value with if_then_else, not select, so that the
// accumulation phases do not evaluate the nonlinearities of the last ones.
// That protects only expressions read once: Halide's CSE hoists any repeated
// one out of the branch, into every phase. The gradients read each
// nonlinearity of the forward several times, and they depend on the
// forward's state alone, so they are a Func of their own (the handle
// `activations`), computed for all steps before the loop.
//
//===----------------------------------------------------------------------===//

#include "codegen/Algorithms/Common.h"

#include <functional>

using namespace mlir;
using namespace Halide;

namespace netc::codegen {

namespace {

/// `a` where `c` holds, else `b`, evaluating only the side taken (`c` is
/// uniform across the vector of units).
Expr ite(Expr c, Expr a, Expr b) {
  return Internal::Call::make(a.type(), Internal::Call::if_then_else, {c, a, b},
                              Internal::Call::PureIntrinsic);
}

/// 1 / (1 + e^-x), with x read once: an expression that reads a value
/// twice is hoisted by Halide's CSE out of the phase's branch and then runs
/// in every phase. The clamp keeps exp's exponent arithmetic in range.
Expr sigmoidOf(Expr x) {
  Halide::Type t = x.type();
  Expr one = make_const(t, 1);
  bool f32 = t.bits() == 32;
  return one / (one + exp(clamp(-x, make_const(t, f32 ? -104.0 : -746.0),
                                make_const(t, f32 ? 89.0 : 710.0))));
}

/// The products one accumulation phase adds: the largest of 8, 4, 2, 1
/// dividing the `n` products of a unit, so that what every phase evaluates
/// besides them (the loop, the phase's choice) is shared by several.
int chunkOf(int64_t n) {
  for (int c : {8, 4, 2})
    if (n % c == 0)
      return c;
  return 1;
}

/// term(first) + term(first + 1) + ... + term(first + chunk - 1).
Expr chunkSum(int chunk, Expr first, const std::function<Expr(Expr)> &term) {
  Expr sum = term(first);
  for (int q = 1; q < chunk; ++q)
    sum = sum + term(first + q);
  return sum;
}

/// The sizes and loop variables of one scan: the result Func f(u, b, t)
/// over [T, B, slots * H], its RDom (j, phase, step) and the time index the
/// step stands for (the step itself, or T - 1 - step backwards).
struct Scan {
  int steps, batch, hidden;
  Var u{"u"}, b{"b"}, t{"t"};
  RDom r;
  Expr j, phase, time, prev, next, first, last;
  Halide::Type type;

  Scan(Operation *op, int slots, int phases, bool reverse) {
    auto result = cast<RankedTensorType>(op->getResult(0).getType());
    steps = static_cast<int>(result.getDimSize(0));
    batch = static_cast<int>(result.getDimSize(1));
    hidden = static_cast<int>(result.getDimSize(2)) / slots;
    type = FunctionLowering::halideType(result.getElementType());
    r = RDom(0, hidden, 0, phases, 0, steps, "step");
    j = r.x;
    phase = r.y;
    time = reverse ? steps - 1 - r.z : Expr(r.z);
    prev = max(time - 1, 0);
    next = min(time + 1, steps - 1);
    first = time == 0;
    last = time == steps - 1;
  }
  Expr zero() const { return make_const(type, 0); }
  Expr one() const { return make_const(type, 1); }
  /// Element `slot * H + unit` of a [T, B, k * H] tensor at `at`.
  Expr of(const LTensor &x, Expr at, int slot, Expr unit) const {
    return x.at({at, Expr(b), slot * hidden + unit});
  }
  /// The same at the pure Vars: element `slot * H + u` of step t.
  Expr here(const LTensor &x, int slot) const { return of(x, Expr(t), slot, Expr(u)); }
};

/// The Func act(u, b, t) of the Tuple `values` (written over the Vars of
/// `s`), for u in [0, H): what a gradient's phases read instead of
/// evaluating the nonlinearities themselves.
Func activationsOf(FunctionLowering &fl, Operation *op, const Scan &s,
                   const std::vector<Expr> &values) {
  Func act = fl.newFunc(op, "_act");
  act(s.u, s.b, s.t) = Tuple(values);
  return act;
}

//===--- lstm_scan ---===//

/// Slots of the result: h, c, then the pre-activations of i, f, g, o.
LogicalResult defineLstmScan(FunctionLowering &fl, nn::LstmScanOp op) {
  const LTensor &xg = fl.get(op.getXg()), &h0 = fl.get(op.getH0()), &c0 = fl.get(op.getC0());
  const LTensor &wt = fl.get(op.getWeightT());
  int H = static_cast<int>(h0.shape()[1]), K = chunkOf(H), A = 4 * H / K;
  Scan s(op, 6, A + 2, false);
  Func f = fl.newFunc(op);
  f(s.u, s.b, s.t) =
      select(s.u >= 2 * H, xg.at({Expr(s.t), Expr(s.b), clamp(s.u - 2 * H, 0, 4 * H - 1)}),
             s.zero());
  Expr p = s.phase, j = s.j, b = s.b, t = s.time;
  Expr gate = min(p / (H / K), 3), k = (p % (H / K)) * K;
  auto pre = [&](int g) { return f(2 * H + g * H + j, b, t); };
  Expr acc = f(2 * H + gate * H + j, b, t) + chunkSum(K, k, [&](Expr kk) {
               return wt.at({kk, gate * H + j}) * select(s.first, h0.at({b, kk}), f(kk, b, s.prev));
             });
  Expr cPrev = select(s.first, c0.at({b, j}), f(H + j, b, s.prev));
  Expr c = sigmoidOf(pre(1)) * cPrev + sigmoidOf(pre(0)) * tanh(pre(2));
  Expr h = sigmoidOf(pre(3)) * tanh(f(H + j, b, t));
  Expr accumulating = p < A;
  Expr slot = select(accumulating, 2 + gate, select(p == A, 1, 0));
  f(j + slot * H, b, t) = ite(accumulating, acc, ite(p == A, c, h));
  return fl.define(op, f, OpFamily::Recurrent);
}

//===--- lstm_scan_backward ---===//

/// Slots of the result: the gradients of the pre-activations of i, f, g, o,
/// then of h_{t-1} (accumulated over the gates) and of c_{t-1}.
LogicalResult defineLstmScanBackward(FunctionLowering &fl, nn::LstmScanBackwardOp op) {
  const LTensor &g = fl.get(op.getGrad()), &st = fl.get(op.getState());
  const LTensor &c0 = fl.get(op.getC0()), &w = fl.get(op.getWeight());
  int H = static_cast<int>(c0.shape()[1]), K = chunkOf(4 * H);
  Scan s(op, 6, 5 + 4 * H / K, true);
  Func d = fl.newFunc(op);
  d(s.u, s.b, s.t) = s.zero();
  Expr p = s.phase, j = s.j, b = s.b, t = s.time;
  auto grad = [&](int slot) { return s.of(g, t, slot, j); };
  Func act = activationsOf(fl, op, s,
                           {sigmoidOf(s.here(st, 2)), sigmoidOf(s.here(st, 3)),
                            tanh(s.here(st, 4)), sigmoidOf(s.here(st, 5)), tanh(s.here(st, 1))});
  Expr dh = grad(0) + select(s.last, s.zero(), d(4 * H + j, b, s.next));
  Expr cPrev = select(s.first, c0.at({b, j}), s.of(st, s.prev, 1, j));
  Expr i = act(j, b, t)[0], fg = act(j, b, t)[1], gg = act(j, b, t)[2], o = act(j, b, t)[3],
       tc = act(j, b, t)[4];
  Expr one = s.one();
  Expr dc = grad(1) + dh * o * (one - tc * tc) + select(s.last, s.zero(), d(5 * H + j, b, s.next));
  Expr dGate = select(p == 0, dc * gg * i * (one - i) + grad(2),
                      p == 1, dc * cPrev * fg * (one - fg) + grad(3),
                      p == 2, dc * i * (one - gg * gg) + grad(4),
                      dh * tc * o * (one - o) + grad(5));
  Expr acc = d(4 * H + j, b, t) + chunkSum(K, max(p - 5, 0) * K, [&](Expr unit) {
               return w.at({unit, j}) * d(unit, b, t);
             });
  // Bounds inference does not read select's condition: the clamp keeps the
  // slot, and so the Func's allocation, within [0, 6).
  Expr slot = select(p < 4, clamp(p, 0, 3), select(p == 4, 5, 4));
  d(j + slot * H, b, t) = ite(p < 4, dGate, ite(p == 4, dc * fg, acc));
  AlgorithmHandles handles;
  handles.activations = act;
  return fl.define(op, d, OpFamily::Recurrent, handles);
}

//===--- gru_scan ---===//

/// Slots of the result: h, then the hidden projections a_r, a_z, a_n.
LogicalResult defineGruScan(FunctionLowering &fl, nn::GruScanOp op) {
  const LTensor &xg = fl.get(op.getXg()), &h0 = fl.get(op.getH0());
  const LTensor &wt = fl.get(op.getWeightT()), &bias = fl.get(op.getBiasHh());
  int H = static_cast<int>(h0.shape()[1]), K = chunkOf(H), A = 3 * H / K;
  Scan s(op, 4, A + 1, false);
  Func f = fl.newFunc(op);
  f(s.u, s.b, s.t) = select(s.u >= H, bias.at({clamp(s.u - H, 0, 3 * H - 1)}), s.zero());
  Expr p = s.phase, j = s.j, b = s.b, t = s.time;
  Expr gate = min(p / (H / K), 2), k = (p % (H / K)) * K;
  Expr acc = f(H + gate * H + j, b, t) + chunkSum(K, k, [&](Expr kk) {
               return wt.at({kk, gate * H + j}) * select(s.first, h0.at({b, kk}), f(kk, b, s.prev));
             });
  auto x = [&](int slot) { return s.of(xg, t, slot, j); };
  Expr r = sigmoidOf(x(0) + f(H + j, b, t)), z = sigmoidOf(x(1) + f(2 * H + j, b, t));
  Expr n = tanh(x(2) + r * f(3 * H + j, b, t));
  Expr hPrev = select(s.first, h0.at({b, j}), f(j, b, s.prev));
  Expr h = lerp(n, hPrev, z); // (1 - z) n + z h_{t-1}, each read once
  Expr accumulating = p < A;
  f(j + select(accumulating, 1 + gate, 0) * H, b, t) = ite(accumulating, acc, h);
  return fl.define(op, f, OpFamily::Recurrent);
}

//===--- gru_scan_backward ---===//

/// Slots of the result: the gradients of xg's r, z, n, of the hidden
/// projections a_r, a_z, a_n, then of h_{t-1}.
LogicalResult defineGruScanBackward(FunctionLowering &fl, nn::GruScanBackwardOp op) {
  const LTensor &g = fl.get(op.getGrad()), &st = fl.get(op.getState());
  const LTensor &xg = fl.get(op.getXg()), &h0 = fl.get(op.getH0()), &w = fl.get(op.getWeight());
  int H = static_cast<int>(h0.shape()[1]), K = chunkOf(3 * H);
  Scan s(op, 7, 7 + 3 * H / K, true);
  Func d = fl.newFunc(op);
  d(s.u, s.b, s.t) = s.zero();
  Expr p = s.phase, j = s.j, b = s.b, t = s.time;
  auto grad = [&](int slot) { return s.of(g, t, slot, j); };
  auto state = [&](int slot) { return s.of(st, t, slot, j); };
  Expr rAct = sigmoidOf(s.here(xg, 0) + s.here(st, 1));
  Expr zAct = sigmoidOf(s.here(xg, 1) + s.here(st, 2));
  Expr nAct = tanh(s.here(xg, 2) + rAct * s.here(st, 3));
  Func act = activationsOf(fl, op, s, {rAct, zAct, nAct});
  Expr one = s.one();
  Expr dh = grad(0) + select(s.last, s.zero(), d(6 * H + j, b, s.next));
  Expr r = act(j, b, t)[0], z = act(j, b, t)[1], n = act(j, b, t)[2];
  Expr hPrev = select(s.first, h0.at({b, j}), s.of(st, s.prev, 0, j));
  Expr dan = dh * (one - z) * (one - n * n);
  Expr daz = dh * (hPrev - n) * z * (one - z);
  Expr dar = dan * state(3) * r * (one - r);
  Expr pointwise = select(p == 0, dar, p == 1, daz, p == 2, dan, p == 3, dar + grad(1),
                          p == 4, daz + grad(2), dan * r + grad(3));
  Expr acc = d(6 * H + j, b, t) + chunkSum(K, max(p - 7, 0) * K, [&](Expr unit) {
               return w.at({unit, j}) * d(3 * H + unit, b, t);
             });
  d(j + min(p, 6) * H, b, t) = ite(p < 6, pointwise, ite(p == 6, dh * z, acc));
  AlgorithmHandles handles;
  handles.activations = act;
  return fl.define(op, d, OpFamily::Recurrent, handles);
}

} // namespace

void registerRecurrentAlgorithms(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, nn::NNDialect *) {
    attachAlgorithm<nn::LstmScanOp, defineLstmScan>(*context);
    attachAlgorithm<nn::LstmScanBackwardOp, defineLstmScanBackward>(*context);
    attachAlgorithm<nn::GruScanOp, defineGruScan>(*context);
    attachAlgorithm<nn::GruScanBackwardOp, defineGruScanBackward>(*context);
  });
}

} // namespace netc::codegen
