//===- Recurrent.cpp - the recurrences of LSTM and GRU --------------------===//
//
// Each kernel walks the steps in order (backwards for the gradients) with
// plain loops in double; the slot layouts are those of ir/Ops/Recurrent.td.
//
//===----------------------------------------------------------------------===//

#include "interp/KernelContext.h"

#include "ir/NNOps.h"

#include "mlir/IR/DialectRegistry.h"

#include <cmath>

using namespace mlir;

namespace netc::interp {
namespace {

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

/// Flat indexing of a [T, B, slots * H] tensor and of [B, H] states.
struct Layout {
  int64_t steps, batch, hidden, slots;
  int64_t at(int64_t t, int64_t b, int64_t slot, int64_t j) const {
    return ((t * batch + b) * slots + slot) * hidden + j;
  }
  int64_t state(int64_t b, int64_t j) const { return b * hidden + j; }
};

Layout layoutOf(const Tensor &t, int64_t slots) {
  return {t.shape[0], t.shape[1], t.shape[2] / slots, slots};
}

/// The state a step starts from: h0, or slot 0 of the previous step.
double previousState(const Tensor &y, const Layout &l, const Tensor &h0, int64_t t, int64_t b,
                     int64_t k) {
  return t == 0 ? h0.floats[l.state(b, k)] : y.floats[l.at(t - 1, b, 0, k)];
}

/// Slots from `slot` on of step t, batch row b, for `n` units: init(u) plus
/// the product of the transposed weight `wt` [H, n] with h_{t-1}.
template <typename Init>
void recurrentProduct(Tensor &y, const Layout &l, const Tensor &wt, const Tensor &h0, int64_t t,
                      int64_t b, int64_t slot, int64_t n, Init init) {
  for (int64_t u = 0; u < n; ++u) {
    double acc = init(u);
    for (int64_t k = 0; k < l.hidden; ++k)
      acc += wt.floats[k * n + u] * previousState(y, l, h0, t, b, k);
    y.floats[l.at(t, b, slot, u)] = acc;
  }
}

//===--- lstm_scan ---===//

LogicalResult evalLstmScan(nn::LstmScanOp op, KernelContext &ctx) {
  const Tensor &xg = ctx.get(op.getXg()), &h0 = ctx.get(op.getH0()), &c0 = ctx.get(op.getC0());
  const Tensor &wt = ctx.get(op.getWeightT());
  Tensor y = ctx.zerosLike(op.getResult());
  Layout l = layoutOf(y, 6), x = layoutOf(xg, 4);
  int64_t H = l.hidden;
  for (int64_t b = 0; b < l.batch; ++b)
    for (int64_t t = 0; t < l.steps; ++t) {
      recurrentProduct(y, l, wt, h0, t, b, 2, 4 * H,
                       [&](int64_t u) { return xg.floats[x.at(t, b, 0, u)]; });
      for (int64_t j = 0; j < H; ++j) {
        auto pre = [&](int64_t g) { return y.floats[l.at(t, b, 2 + g, j)]; };
        double cPrev = t == 0 ? c0.floats[l.state(b, j)] : y.floats[l.at(t - 1, b, 1, j)];
        double c = sigmoid(pre(1)) * cPrev + sigmoid(pre(0)) * std::tanh(pre(2));
        y.floats[l.at(t, b, 1, j)] = c;
        y.floats[l.at(t, b, 0, j)] = sigmoid(pre(3)) * std::tanh(c);
      }
    }
  ctx.set(op.getResult(), std::move(y));
  return success();
}

//===--- lstm_scan_backward ---===//

LogicalResult evalLstmScanBackward(nn::LstmScanBackwardOp op, KernelContext &ctx) {
  const Tensor &g = ctx.get(op.getGrad()), &st = ctx.get(op.getState());
  const Tensor &c0 = ctx.get(op.getC0()), &w = ctx.get(op.getWeight());
  Tensor d = ctx.zerosLike(op.getResult());
  Layout l = layoutOf(d, 6);
  int64_t H = l.hidden, T = l.steps;
  for (int64_t b = 0; b < l.batch; ++b)
    for (int64_t t = T - 1; t >= 0; --t) {
      for (int64_t j = 0; j < H; ++j) {
        auto grad = [&](int64_t slot) { return g.floats[l.at(t, b, slot, j)]; };
        auto state = [&](int64_t slot) { return st.floats[l.at(t, b, slot, j)]; };
        auto later = [&](int64_t slot) { return t + 1 < T ? d.floats[l.at(t + 1, b, slot, j)] : 0.0; };
        double cPrev = t == 0 ? c0.floats[l.state(b, j)] : st.floats[l.at(t - 1, b, 1, j)];
        double i = sigmoid(state(2)), f = sigmoid(state(3)), gg = std::tanh(state(4));
        double o = sigmoid(state(5)), tc = std::tanh(state(1));
        double dh = grad(0) + later(4);
        double dc = grad(1) + dh * o * (1 - tc * tc) + later(5);
        d.floats[l.at(t, b, 0, j)] = dc * gg * i * (1 - i) + grad(2);
        d.floats[l.at(t, b, 1, j)] = dc * cPrev * f * (1 - f) + grad(3);
        d.floats[l.at(t, b, 2, j)] = dc * i * (1 - gg * gg) + grad(4);
        d.floats[l.at(t, b, 3, j)] = dh * tc * o * (1 - o) + grad(5);
        d.floats[l.at(t, b, 5, j)] = dc * f;
      }
      for (int64_t j = 0; j < H; ++j) {
        double acc = 0;
        for (int64_t u = 0; u < 4 * H; ++u)
          acc += w.floats[u * H + j] * d.floats[l.at(t, b, 0, u)];
        d.floats[l.at(t, b, 4, j)] = acc;
      }
    }
  ctx.set(op.getResult(), std::move(d));
  return success();
}

//===--- gru_scan ---===//

LogicalResult evalGruScan(nn::GruScanOp op, KernelContext &ctx) {
  const Tensor &xg = ctx.get(op.getXg()), &h0 = ctx.get(op.getH0());
  const Tensor &wt = ctx.get(op.getWeightT()), &bias = ctx.get(op.getBiasHh());
  Tensor y = ctx.zerosLike(op.getResult());
  Layout l = layoutOf(y, 4), x = layoutOf(xg, 3);
  int64_t H = l.hidden;
  for (int64_t b = 0; b < l.batch; ++b)
    for (int64_t t = 0; t < l.steps; ++t) {
      recurrentProduct(y, l, wt, h0, t, b, 1, 3 * H, [&](int64_t u) { return bias.floats[u]; });
      for (int64_t j = 0; j < H; ++j) {
        auto in = [&](int64_t g) { return xg.floats[x.at(t, b, g, j)]; };
        auto hidden = [&](int64_t g) { return y.floats[l.at(t, b, 1 + g, j)]; };
        double r = sigmoid(in(0) + hidden(0)), z = sigmoid(in(1) + hidden(1));
        double n = std::tanh(in(2) + r * hidden(2));
        y.floats[l.at(t, b, 0, j)] = (1 - z) * n + z * previousState(y, l, h0, t, b, j);
      }
    }
  ctx.set(op.getResult(), std::move(y));
  return success();
}

//===--- gru_scan_backward ---===//

LogicalResult evalGruScanBackward(nn::GruScanBackwardOp op, KernelContext &ctx) {
  const Tensor &g = ctx.get(op.getGrad()), &st = ctx.get(op.getState());
  const Tensor &xg = ctx.get(op.getXg()), &h0 = ctx.get(op.getH0()), &w = ctx.get(op.getWeight());
  Tensor d = ctx.zerosLike(op.getResult());
  Layout l = layoutOf(d, 7), s = layoutOf(st, 4), x = layoutOf(xg, 3);
  int64_t H = l.hidden, T = l.steps;
  for (int64_t b = 0; b < l.batch; ++b)
    for (int64_t t = T - 1; t >= 0; --t) {
      for (int64_t j = 0; j < H; ++j) {
        auto in = [&](int64_t slot) { return xg.floats[x.at(t, b, slot, j)]; };
        auto grad = [&](int64_t slot) { return g.floats[s.at(t, b, slot, j)]; };
        auto state = [&](int64_t slot) { return st.floats[s.at(t, b, slot, j)]; };
        double hPrev = t == 0 ? h0.floats[l.state(b, j)] : st.floats[s.at(t - 1, b, 0, j)];
        double r = sigmoid(in(0) + state(1)), z = sigmoid(in(1) + state(2));
        double n = std::tanh(in(2) + r * state(3));
        double dh = grad(0) + (t + 1 < T ? d.floats[l.at(t + 1, b, 6, j)] : 0.0);
        double dan = dh * (1 - z) * (1 - n * n);
        double daz = dh * (hPrev - n) * z * (1 - z);
        double dar = dan * state(3) * r * (1 - r);
        const double values[6] = {dar, daz, dan, dar + grad(1), daz + grad(2), dan * r + grad(3)};
        for (int64_t slot = 0; slot < 6; ++slot)
          d.floats[l.at(t, b, slot, j)] = values[slot];
        d.floats[l.at(t, b, 6, j)] = dh * z;
      }
      for (int64_t j = 0; j < H; ++j) {
        double acc = d.floats[l.at(t, b, 6, j)];
        for (int64_t u = 0; u < 3 * H; ++u)
          acc += w.floats[u * H + j] * d.floats[l.at(t, b, 3, u)];
        d.floats[l.at(t, b, 6, j)] = acc;
      }
    }
  ctx.set(op.getResult(), std::move(d));
  return success();
}

} // namespace

void registerRecurrentKernels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, nn::NNDialect *) {
    attachKernels<evalLstmScan, evalLstmScanBackward, evalGruScan, evalGruScanBackward>(context);
  });
}

} // namespace netc::interp
