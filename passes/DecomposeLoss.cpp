//===- DecomposeLoss.cpp - the composite losses into primitive nn ops -----===//
//
// The nn-decompose patterns of l1_loss, smooth_l1_loss and dice_loss
// (ir/Ops/Loss.td). Each formula is chosen so that the gradients autodiff
// builds from its primitive ops are PyTorch's, including at the kinks: |d| is
// relu(d) + relu(-d), whose gradient at d = 0 is 0 as sign(0).
//
//===----------------------------------------------------------------------===//

#include "ir/GradientBuilder.h"
#include "passes/Passes.h"

#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace netc::nn;
using netc::nn::detail::GradientBuilder;

namespace {

/// A composite loss rewritten into the value `formula` builds.
template <typename OpTy> struct LossDecomposition : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  /// The loss as primitive ops; null when one could not be built.
  virtual Value formula(OpTy op, GradientBuilder &gb) const = 0;

  LogicalResult matchAndRewrite(OpTy op, PatternRewriter &rewriter) const override {
    GradientBuilder gb(rewriter, op);
    FailureOr<SmallVector<Value>> built = gb.finish({formula(op, gb)});
    if (failed(built) || !(*built)[0])
      return rewriter.notifyMatchFailure(op, "the decomposition could not be built");
    rewriter.replaceOp(op, (*built)[0]);
    return success();
  }
};

/// |d| = relu(d) + relu(-d).
Value absolute(GradientBuilder &gb, Value d) {
  return gb.add(gb.create<ReluOp>({d}), gb.create<ReluOp>({gb.neg(d)}));
}

/// The mean of all elements, a 0-d tensor.
Value meanAll(GradientBuilder &gb, Value v) { return gb.create<MeanOp>({v}); }

/// l1_loss = mean(|input - target|).
struct DecomposeL1Loss : LossDecomposition<L1LossOp> {
  using LossDecomposition::LossDecomposition;
  Value formula(L1LossOp op, GradientBuilder &gb) const override {
    return meanAll(gb, absolute(gb, gb.sub(op.getInput(), op.getTarget())));
  }
};

/// smooth_l1_loss = mean(0.5 m^2 / beta + (z - m)) with z = |input - target|
/// and m = min(z, beta) = z - relu(z - beta); l1_loss when beta is 0.
struct DecomposeSmoothL1Loss : LossDecomposition<SmoothL1LossOp> {
  using LossDecomposition::LossDecomposition;
  Value formula(SmoothL1LossOp op, GradientBuilder &gb) const override {
    double beta = op.getBeta().convertToDouble();
    Value z = absolute(gb, gb.sub(op.getInput(), op.getTarget()));
    if (beta == 0.0)
      return meanAll(gb, z);
    Value m = gb.sub(z, gb.create<ReluOp>({gb.sub(z, gb.scalar(z, beta))}));
    Value quadratic = gb.mul(gb.mul(m, m), gb.scalar(m, 0.5 / beta));
    return meanAll(gb, gb.add(quadratic, gb.sub(z, m)));
  }
};

/// dice_loss = 1 - (2 sum(p t) + eps) / (sum(p) + sum(t) + eps).
struct DecomposeDiceLoss : LossDecomposition<DiceLossOp> {
  using LossDecomposition::LossDecomposition;
  Value formula(DiceLossOp op, GradientBuilder &gb) const override {
    Value p = op.getInput(), t = op.getTarget();
    auto sumAll = [&](Value v) { return gb.create<SumOp>({v}); };
    Value eps = gb.scalar(p, op.getEps().convertToDouble());
    Value numerator = gb.add(gb.mul(gb.scalar(p, 2.0), sumAll(gb.mul(p, t))), eps);
    Value denominator = gb.add(gb.add(sumAll(p), sumAll(t)), eps);
    return gb.sub(gb.scalar(p, 1.0), gb.div(numerator, denominator));
  }
};

} // namespace

void netc::populateLossDecompositionPatterns(RewritePatternSet &patterns) {
  patterns.add<DecomposeL1Loss, DecomposeSmoothL1Loss, DecomposeDiceLoss>(patterns.getContext());
}
