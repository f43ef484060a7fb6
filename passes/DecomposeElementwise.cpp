//===- DecomposeElementwise.cpp - composite activations into primitives ---===//
//
// Patterns of nn-decompose for the activations that are formulas of others:
// hardswish and hardsigmoid, built in the order of PyTorch's kernels so that
// the forward values are PyTorch's, and from the clamp whose gradient
// convention at the bends matches PyTorch's backward of each.
//
//===----------------------------------------------------------------------===//

#include "ir/GradientBuilder.h"
#include "passes/Passes.h"

#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace netc::nn;
using netc::nn::detail::GradientBuilder;

namespace {

/// min(max(x + 3, 0), 6) as `ClampOpT` (the bounds 0 and 6 as attributes).
template <typename ClampOpT> Value shiftedRelu6(GradientBuilder &gb, Value x) {
  return gb.create<ClampOpT>({gb.add(x, gb.scalar(x, 3.0))},
                             {gb.f64("min", 0.0), gb.f64("max", 6.0)});
}

/// hardswish(x) = x * min(max(x + 3, 0), 6) / 6 (true) or hardsigmoid(x) =
/// min(max(x + 3, 0), 6) / 6 (false). hardswish takes clamp for the lower
/// bound (its gradient passes there) and hardtanh for the upper one (its
/// gradient is 0 there): that gives PyTorch's vectorised hardswish_backward,
/// -0.5 at -3 and 1 at 3. hardsigmoid takes hardtanh, whose gradient is 0 at
/// both bounds, as hardsigmoid_backward's at -3 and 3.
template <typename OpT, bool Swish> struct DecomposeHardActivation : OpRewritePattern<OpT> {
  using OpRewritePattern<OpT>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpT op, PatternRewriter &rewriter) const override {
    GradientBuilder gb(rewriter, op);
    Value x = op.getInput();
    Value y;
    if (Swish) {
      Value low = gb.create<ClampOp>({gb.add(x, gb.scalar(x, 3.0))}, {gb.f64("min", 0.0)});
      y = gb.mul(x, gb.create<HardtanhOp>({low}, {gb.f64("max", 6.0)}));
    } else {
      y = shiftedRelu6<HardtanhOp>(gb, x);
    }
    y = gb.div(y, gb.scalar(x, 6.0));
    if (failed(gb.finish({y})) || !y)
      return rewriter.notifyMatchFailure(op, "the decomposition could not be built");
    rewriter.replaceOp(op, y);
    return success();
  }
};

} // namespace

void netc::populateElementwiseDecompositionPatterns(RewritePatternSet &patterns) {
  patterns.add<DecomposeHardActivation<HardswishOp, true>,
               DecomposeHardActivation<HardsigmoidOp, false>>(patterns.getContext());
}
