//===- DecomposeNorm.cpp - batch normalisation into primitive nn ops ------===//
//
// The decomposition of nn.batch_norm, registered by
// populateDecompositionPatterns (Decompose.cpp). Both forms of the op are
// built: the batch-statistics form of train steps and the running-statistics
// form of inference, joined by nn.train_select; the next running statistics
// read the batch statistics, so inference, which drops them, computes none.
// The `sync` form averages the batch statistics over data-parallel replicas
// (nn.replica_mean, nn.replica_count).
//
//===----------------------------------------------------------------------===//

#include "ir/GradientBuilder.h"
#include "passes/Passes.h"

#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace netc::nn;
using netc::nn::detail::GradientBuilder;

namespace {

/// batch_norm(x, rm, rv[, w, b]) as torch.nn.BatchNorm{1,2}d computes it.
struct DecomposeBatchNorm : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(BatchNormOp op, PatternRewriter &rewriter) const override {
    GradientBuilder gb(rewriter, op);
    Value x = op.getInput();
    ArrayRef<int64_t> shape = cast<RankedTensorType>(x.getType()).getShape();
    int64_t channels = shape[1];
    // Statistics over every axis but the channels', kept as [1, C, 1, ...] so
    // that they broadcast against x.
    SmallVector<int64_t> dims{0}, statShape(shape.size(), 1);
    for (size_t i = 2; i < shape.size(); ++i)
      dims.push_back(static_cast<int64_t>(i));
    statShape[1] = channels;
    int64_t count = 1;
    for (int64_t d : dims)
      count *= shape[d];
    auto mean = [&](Value v) {
      return gb.create<MeanOp>({v}, {gb.i64Array("dims", dims), gb.boolean("keepdim", true)});
    };
    Value eps = gb.scalar(x, op.getEps().convertToDouble());
    auto normalise = [&](Value centered, Value var) {
      return gb.div(centered, gb.create<SqrtOp>({gb.add(var, eps)}));
    };

    // Synchronized statistics average over the replicas each mean of the
    // plain form: the global mean, then the variance about it.
    bool sync = op.getSync();
    auto replicaMean = [&](Value v) { return sync ? gb.create<ReplicaMeanOp>({v}) : v; };
    Value batchMean = replicaMean(mean(x));
    Value centered = gb.sub(x, batchMean);
    Value batchVar = replicaMean(mean(gb.mul(centered, centered)));
    Value train = normalise(centered, batchVar);
    Value runningMean = gb.reshape(op.getRunningMean(), statShape);
    Value runningVar = gb.reshape(op.getRunningVar(), statShape);
    Value eval = normalise(gb.sub(x, runningMean), runningVar);
    Value y = gb.create<TrainSelectOp>({train, eval});
    if (op.getWeight())
      y = gb.add(gb.mul(y, gb.reshape(op.getWeight(), statShape)),
                 gb.reshape(op.getBias(), statShape));

    // running = (1 - momentum) * running + momentum * batch, with the
    // unbiased variance; a single value per channel gives an infinite factor,
    // which only a train step (the frontend refuses it there) would read.
    double momentum = op.getMomentum().convertToDouble();
    Value bessel = gb.scalar(x, static_cast<double>(count) / static_cast<double>(count - 1));
    if (sync) {
      // n / (n - 1) over the elements of every replica.
      Type element = getElementTypeOrSelf(x.getType());
      Value replicas =
          gb.create<ReplicaCountOp>({}, {rewriter.getNamedAttr("element_type", TypeAttr::get(element))});
      Value n = gb.mul(replicas, gb.scalar(x, static_cast<double>(count)));
      bessel = gb.div(n, gb.sub(n, gb.scalar(x, 1.0)));
    }
    SmallVector<int64_t> channelShape{channels};
    auto blend = [&](Value running, Value batch) {
      return gb.add(gb.mul(gb.scalar(x, 1.0 - momentum), running),
                    gb.mul(gb.scalar(x, momentum), gb.reshape(batch, channelShape)));
    };
    Value nextMean = blend(op.getRunningMean(), batchMean);
    Value nextVar = blend(op.getRunningVar(), gb.mul(batchVar, bessel));
    FailureOr<SmallVector<Value>> built = gb.finish({y, nextMean, nextVar});
    if (failed(built) || llvm::is_contained(*built, Value()))
      return rewriter.notifyMatchFailure(op, "the decomposition could not be built");
    rewriter.replaceOp(op, *built);
    return success();
  }
};

} // namespace

void netc::populateNormDecompositionPatterns(RewritePatternSet &patterns) {
  patterns.add<DecomposeBatchNorm>(patterns.getContext());
}
