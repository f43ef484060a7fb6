//===- DecomposeTensor.cpp - composite tensor ops into primitives ---------===//
//
// The nn-decompose patterns of the tensor ops (passes/Decompose.cpp adds
// them): logsumexp in the stable form that subtracts the maximum first.
//
//===----------------------------------------------------------------------===//

#include "ir/GradientBuilder.h"
#include "passes/Passes.h"

#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace netc::nn;
using netc::nn::detail::GradientBuilder;

namespace {

/// logsumexp(x, dim) = m + log(sum(exp(x - m), dim)) with m = max(x, dim),
/// computed with the axis kept and reshaped at the end without keepdim. The
/// gradient through m cancels (its two paths add up to zero), leaving
/// softmax(x) * g.
struct DecomposeLogSumExp : OpRewritePattern<LogSumExpOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(LogSumExpOp op, PatternRewriter &rewriter) const override {
    GradientBuilder gb(rewriter, op);
    Value x = op.getInput();
    int64_t dim = static_cast<int64_t>(op.getDim());
    Value m = gb.create<MaxOp>({x}, {gb.i64("dim", dim), gb.boolean("keepdim", true)});
    Value sum = gb.create<SumOp>({gb.create<ExpOp>({gb.sub(x, m)})},
                                 {gb.i64Array("dims", {dim}), gb.boolean("keepdim", true)});
    Value y = gb.add(gb.create<LogOp>({sum}), m);
    y = gb.reshape(y, cast<RankedTensorType>(op.getType()).getShape());
    FailureOr<SmallVector<Value>> built = gb.finish({y});
    if (failed(built) || !(*built)[0])
      return rewriter.notifyMatchFailure(op, "the decomposition could not be built");
    rewriter.replaceOp(op, (*built)[0]);
    return success();
  }
};

} // namespace

void netc::populateTensorDecompositionPatterns(RewritePatternSet &patterns) {
  patterns.add<DecomposeLogSumExp>(patterns.getContext());
}
