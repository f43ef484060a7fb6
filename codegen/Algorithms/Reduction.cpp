//===- Reduction.cpp - sums, means and softmax ----------------------------===//
//
// Reductions over some axes of a tensor: each reduced axis becomes a
// dimension of an RDom, the kept axes are the result's Vars. Softmax keeps
// its maxima and sums as helper Funcs in the numerically stable form
// (subtract the maximum before exp); the losses (Loss.cpp) share them.
//
//===----------------------------------------------------------------------===//

#include "codegen/Algorithms/Common.h"

#include <numeric>

using namespace mlir;
using namespace Halide;

namespace netc::codegen {

namespace {

/// An RDom over the `reduced` axes of `shape` and the input indices that
/// combine it with the result's Vars.
struct Reduction {
  RDom r;
  std::vector<Expr> inputIndex;
  int64_t count = 1;
};

/// The sum of `value` over its RDom, accumulated in f64 for f32 tensors on
/// CPUs (a serial f32 sum of millions of elements drifts by 1e-4 relative)
/// and rounded back to `type` once, as the interpreter does; on CUDA too (a
/// mean over the CNN's 476k outputs was 1.5e-4 off in f32). Other GPU
/// kernels keep f32: OpenCL devices need not support doubles.
Expr accurateSum(Expr value, Halide::Type type, const Halide::Target &target) {
  if (type == Halide::Float(32) &&
      (!target.has_gpu_feature() || target.has_feature(Halide::Target::CUDA)))
    return Halide::cast(type, sum(Halide::cast(Halide::Float(64), value)));
  return sum(value);
}

/// `reduced[i]` says whether input axis i is summed; `keepdim` whether the
/// result keeps it (with size 1); `resultVars` are the result's Vars.
Reduction makeReduction(ArrayRef<int64_t> shape, const std::vector<bool> &reduced, bool keepdim,
                        const std::vector<Var> &resultVars) {
  // An RDom's first dimension is its innermost loop: the reduced axes go in
  // last-axis-first, so the innermost loop walks memory with stride 1.
  Halide::Region region;
  std::vector<int> rdomOf(shape.size(), -1);
  for (int i = static_cast<int>(shape.size()) - 1; i >= 0; --i)
    if (reduced[i]) {
      rdomOf[i] = static_cast<int>(region.size());
      region.push_back(Range(0, static_cast<int>(shape[i])));
    }
  Reduction out;
  if (region.empty())
    region.push_back(Range(0, 1));
  out.r = RDom(region, Internal::unique_name("r"));
  int resultAxis = 0;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (reduced[i]) {
      out.inputIndex.push_back(out.r[rdomOf[i]]);
      out.count *= shape[i];
      if (keepdim)
        ++resultAxis;
    } else {
      out.inputIndex.push_back(resultVars[resultAxis++]);
    }
  }
  return out;
}

/// The axes `dims` (all when absent or empty) as flags over `rank` axes.
std::vector<bool> reducedAxes(int rank, std::optional<ArrayRef<int64_t>> dims) {
  std::vector<bool> reduced(rank, !dims || dims->empty());
  if (dims)
    for (int64_t d : *dims)
      reduced[d < 0 ? d + rank : d] = true;
  return reduced;
}

/// The sum (or mean) of `input` over the axes summedAxes(op) names.
LogicalResult sumOrMean(FunctionLowering &fl, Operation *op, Value input, bool keepdim,
                        bool mean) {
  const LTensor &x = fl.get(input);
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  Halide::Type ht = FunctionLowering::halideType(type.getElementType());
  std::vector<Var> v = fl.vars(type.getRank());
  Reduction red = makeReduction(x.shape(), summedAxes(op), keepdim, v);
  Expr total = accurateSum(x.at(red.inputIndex), ht, fl.target());
  Func f = fl.newFunc(op);
  defineAt(f, v, mean ? total / make_const(ht, static_cast<double>(red.count)) : total);
  return fl.define(op, f, OpFamily::Reduction);
}

} // namespace

std::vector<bool> summedAxes(Operation *op) {
  auto in = cast<RankedTensorType>(op->getOperand(0).getType());
  int rank = static_cast<int>(in.getRank());
  if (auto sum = dyn_cast<nn::SumOp>(op))
    return reducedAxes(rank, sum.getDims());
  if (auto mean = dyn_cast<nn::MeanOp>(op))
    return reducedAxes(rank, mean.getDims());
  // sum_to (a broadcast's gradient): the leading axes, and those the target
  // shape has as 1 where the input does not.
  ArrayRef<int64_t> target = cast<nn::SumToOp>(op).getShape();
  int lead = rank - static_cast<int>(target.size());
  std::vector<bool> reduced(rank, false);
  for (int j = 0; j < rank; ++j)
    reduced[j] = j < lead || (target[j - lead] == 1 && in.getShape()[j] != 1);
  return reduced;
}

LogicalResult scalarReduction(FunctionLowering &fl, Operation *op,
                              const std::function<Expr(const std::vector<Expr> &)> &value,
                              ArrayRef<int64_t> shape, bool mean) {
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  Halide::Type ht = FunctionLowering::halideType(type.getElementType());
  Reduction red = makeReduction(shape, std::vector<bool>(shape.size(), true), false, {});
  Expr total = shape.empty() ? value({}) : accurateSum(value(red.inputIndex), ht, fl.target());
  Func f = fl.newFunc(op);
  f() = mean ? total / make_const(ht, static_cast<double>(red.count)) : total;
  return fl.define(op, f, OpFamily::Reduction);
}

std::pair<Func, Func> softmaxStats(FunctionLowering &fl, Operation *op, const LTensor &x,
                                   int dim) {
  std::vector<Var> v = fl.vars(x.rank() - 1);
  std::vector<bool> reduced(x.rank(), false);
  reduced[dim] = true;
  Reduction red = makeReduction(x.shape(), reduced, false, v);
  Func m = fl.newFunc(op, "_max"), s = fl.newFunc(op, "_sum");
  defineAt(m, v, maximum(x.at(red.inputIndex)));
  std::vector<Expr> mIdx = exprs(v);
  Expr shifted = x.at(red.inputIndex) - m(std::vector<Expr>(mIdx.rbegin(), mIdx.rend()));
  defineAt(s, v,
           accurateSum(exactExp(shifted), FunctionLowering::halideType(x.type.getElementType()),
                       fl.target()));
  return {m, s};
}

// log(s) is a Func of its own: strict_float reaches every float op of the
// expression it wraps, and the log's approximation should stay fast.
Func logOf(FunctionLowering &fl, Operation *op, const Func &s) {
  Func ls = fl.newFunc(op, "_logsum");
  std::vector<Var> args = s.args();
  ls(args) = exactLog(s(args));
  return ls;
}

namespace {

/// Calls a Func over all axes but `dim` at the MLIR-ordered Vars `v`.
Expr withoutAxis(const Func &f, const std::vector<Var> &v, int dim) {
  std::vector<Expr> idx;
  for (int i = static_cast<int>(v.size()) - 1; i >= 0; --i)
    if (i != dim)
      idx.push_back(v[i]);
  return f(idx);
}

/// softmax (or log_softmax) of `input` along `dim`.
LogicalResult softmaxLike(FunctionLowering &fl, Operation *op, Value input, int64_t dim,
                          bool logarithm) {
  const LTensor &x = fl.get(input);
  int axis = static_cast<int>(dim < 0 ? dim + x.rank() : dim);
  if (x.rank() == 0) {
    // Softmax of a scalar is 1 (its log 0).
    Func f = fl.newFunc(op);
    f() = make_const(FunctionLowering::halideType(x.type.getElementType()), logarithm ? 0.0 : 1.0);
    return fl.define(op, f, OpFamily::Reduction);
  }
  auto [m, s] = softmaxStats(fl, op, x, axis);
  std::vector<Var> v = fl.vars(x.rank());
  Expr shifted = x.at(exprs(v)) - withoutAxis(m, v, axis);
  Func f = fl.newFunc(op);
  AlgorithmHandles h;
  h.max = m;
  h.sum = s;
  if (!logarithm) {
    defineAt(f, v, exactExp(shifted) / withoutAxis(s, v, axis));
    return fl.define(op, f, OpFamily::Reduction, h);
  }
  // Strict: with the reassociation LLVM is allowed, (x - max) - log(sum)
  // became x - (max + log(sum)), which loses log(sum) next to a large max.
  Func ls = logOf(fl, op, s);
  defineAt(f, v, strict_float(shifted - withoutAxis(ls, v, axis)));
  h.logSum = ls;
  return fl.define(op, f, OpFamily::Reduction, h);
}

//===--- sum ---===//

LogicalResult defineSum(FunctionLowering &fl, nn::SumOp op) {
  return sumOrMean(fl, op, op.getInput(), op.getKeepdim(), /*mean=*/false);
}

//===--- mean ---===//

LogicalResult defineMean(FunctionLowering &fl, nn::MeanOp op) {
  return sumOrMean(fl, op, op.getInput(), op.getKeepdim(), /*mean=*/true);
}

//===--- sqnorm ---===//

LogicalResult defineSqNorm(FunctionLowering &fl, nn::SqNormOp op) {
  const LTensor &x = fl.get(op.getInput());
  return scalarReduction(
      fl, op, [&](const std::vector<Expr> &p) { return x.at(p) * x.at(p); }, x.shape(), false);
}

//===--- softmax ---===//

LogicalResult defineSoftmax(FunctionLowering &fl, nn::SoftmaxOp op) {
  return softmaxLike(fl, op, op.getInput(), op.getDim(), /*logarithm=*/false);
}

//===--- log_softmax ---===//

LogicalResult defineLogSoftmax(FunctionLowering &fl, nn::LogSoftmaxOp op) {
  return softmaxLike(fl, op, op.getInput(), op.getDim(), /*logarithm=*/true);
}

//===--- sum_to ---===//

LogicalResult defineSumTo(FunctionLowering &fl, nn::SumToOp op) {
  const LTensor &x = fl.get(op.getInput());
  ArrayRef<int64_t> target = op.getShape();
  int lead = x.rank() - static_cast<int>(target.size());
  std::vector<bool> reduced = summedAxes(op);
  std::vector<Var> v = fl.vars(target.size());
  // Axes of the target kept with size 1 behave like keepdim axes; leading ones vanish.
  // Last axis first: the RDom's innermost loop then walks memory in order.
  Halide::Region region;
  std::vector<int> rdomOf(x.rank(), -1);
  for (int j = x.rank() - 1; j >= 0; --j)
    if (reduced[j]) {
      rdomOf[j] = static_cast<int>(region.size());
      region.push_back(Range(0, static_cast<int>(x.shape()[j])));
    }
  int next = static_cast<int>(region.size());
  if (region.empty())
    region.push_back(Range(0, 1));
  RDom r(region, Internal::unique_name("r"));
  std::vector<Expr> idx;
  for (int j = 0; j < x.rank(); ++j)
    idx.push_back(reduced[j] ? Expr(r[rdomOf[j]]) : Expr(v[j - lead]));
  Func f = fl.newFunc(op);
  defineAt(f, v,
           next ? accurateSum(x.at(idx), FunctionLowering::halideType(x.type.getElementType()),
                              fl.target())
                : x.at(idx));
  return fl.define(op, f, OpFamily::Reduction);
}

} // namespace

void registerReductionAlgorithms(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, nn::NNDialect *) {
    attachAlgorithm<nn::SumOp, defineSum>(*context);
    attachAlgorithm<nn::MeanOp, defineMean>(*context);
    attachAlgorithm<nn::SqNormOp, defineSqNorm>(*context);
    attachAlgorithm<nn::SoftmaxOp, defineSoftmax>(*context);
    attachAlgorithm<nn::LogSoftmaxOp, defineLogSoftmax>(*context);
    attachAlgorithm<nn::SumToOp, defineSumTo>(*context);
  });
}

} // namespace netc::codegen
