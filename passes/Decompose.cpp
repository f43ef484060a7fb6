//===- Decompose.cpp - composite ops into primitive nn ops ----------------===//
//
// nn-decompose: one rewrite pattern per op with the NN_Composite trait, each
// building the op's formula from primitive nn ops (with 0-d constants that
// broadcast) at the composite op's location. The greedy driver applies them
// until none is left, so a decomposition may itself use composite ops. After
// this pass no backend, autodiff or optimisation sees a composite op.
//
//===----------------------------------------------------------------------===//

#include "ir/GradientBuilder.h"
#include "passes/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <numeric>

namespace netc {
#define GEN_PASS_DEF_NNDECOMPOSE
#include "passes/Passes.h.inc"
} // namespace netc

using namespace mlir;
using namespace netc::nn;
using netc::nn::detail::GradientBuilder;

namespace {

/// Replaces `op` by `value` built with `gb`, or fails the match when an op of
/// the formula could not be built (its error has been emitted then).
LogicalResult replaceWith(PatternRewriter &rewriter, Operation *op, GradientBuilder &gb,
                          Value value) {
  FailureOr<SmallVector<Value>> built = gb.finish({value});
  if (failed(built) || !(*built)[0])
    return rewriter.notifyMatchFailure(op, "the decomposition could not be built");
  rewriter.replaceOp(op, (*built)[0]);
  return success();
}

/// gelu_tanh(x) = 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3))),
/// in the order of PyTorch's kernel.
struct DecomposeGeluTanh : OpRewritePattern<GeluTanhOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(GeluTanhOp op, PatternRewriter &rewriter) const override {
    GradientBuilder gb(rewriter, op);
    Value x = op.getInput();
    const double kBeta = 0.79788456080286535587989211986876; // sqrt(2 / pi)
    const double kKappa = 0.044715;
    Value cube = gb.mul(gb.mul(x, x), x);
    Value inner = gb.mul(gb.scalar(x, kBeta), gb.add(x, gb.mul(gb.scalar(x, kKappa), cube)));
    Value half = gb.mul(gb.scalar(x, 0.5), x);
    Value y = gb.mul(half, gb.add(gb.scalar(x, 1.0), gb.create<TanhOp>({inner})));
    return replaceWith(rewriter, op, gb, y);
  }
};

/// layer_norm(x) = (x - mean) / sqrt(var + eps) [* weight + bias], with mean
/// and the biased variance over the normalized trailing axes.
struct DecomposeLayerNorm : OpRewritePattern<LayerNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(LayerNormOp op, PatternRewriter &rewriter) const override {
    GradientBuilder gb(rewriter, op);
    Value x = op.getInput();
    int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
    SmallVector<int64_t> dims(op.getNormalizedShape().size());
    std::iota(dims.begin(), dims.end(), rank - static_cast<int64_t>(dims.size()));
    auto mean = [&](Value v) {
      return gb.create<MeanOp>({v}, {gb.i64Array("dims", dims), gb.boolean("keepdim", true)});
    };
    Value centered = gb.sub(x, mean(x));
    Value var = mean(gb.mul(centered, centered));
    Value std = gb.create<SqrtOp>(
        {gb.add(var, gb.scalar(x, op.getEps().convertToDouble()))});
    Value y = gb.div(centered, std);
    if (op.getWeight())
      y = gb.add(gb.mul(y, op.getWeight()), op.getBias());
    return replaceWith(rewriter, op, gb, y);
  }
};

} // namespace

void netc::populateDecompositionPatterns(RewritePatternSet &patterns) {
  patterns.add<DecomposeGeluTanh, DecomposeLayerNorm>(patterns.getContext());
  netc::populateTensorDecompositionPatterns(patterns);
  populateSpatialDecompositionPatterns(patterns);
  netc::populateLossDecompositionPatterns(patterns);
  populateNormDecompositionPatterns(patterns);
  populateElementwiseDecompositionPatterns(patterns);
}

namespace {

/// Applies every decomposition pattern, then checks that no composite op is left.
struct DecomposePass : public netc::impl::NNDecomposeBase<DecomposePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    netc::populateDecompositionPatterns(patterns);
    // Only the composite ops and what their patterns create are rewritten
    // (the new constants hoisted, as canonicalize would): every other op
    // stays exactly as it is, so a function without composites is unchanged.
    SmallVector<Operation *> composites;
    getOperation().walk([&](Operation *op) {
      if (op->hasTrait<netc::nn::traits::Composite>())
        composites.push_back(op);
    });
    if (composites.empty())
      return;
    GreedyRewriteConfig config;
    config.strictMode = GreedyRewriteStrictness::ExistingAndNewOps;
    (void)applyOpPatternsAndFold(composites, std::move(patterns), config);
    // The constants the patterns made go to the top of their block, where
    // canonicalize keeps constants.
    for (Block &block : getOperation().getBody()) {
      SmallVector<Operation *> constants;
      for (Operation &op : block)
        if (op.hasTrait<OpTrait::ConstantLike>())
          constants.push_back(&op);
      for (Operation *op : llvm::reverse(constants))
        op->moveBefore(&block.front());
    }
    WalkResult left = getOperation().walk([](Operation *op) {
      if (!op->hasTrait<netc::nn::traits::Composite>())
        return WalkResult::advance();
      op->emitError() << "'" << op->getName() << "' could not be decomposed";
      return WalkResult::interrupt();
    });
    if (left.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
