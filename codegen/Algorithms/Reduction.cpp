//===- Reduction.cpp - sums, softmax and losses ---------------------------===//
//
// Reductions over some axes of a tensor: each reduced axis becomes a
// dimension of an RDom, the kept axes are the result's Vars. Softmax and
// the losses keep their maxima and sums as helper Funcs in the numerically
// stable forms (subtract the maximum before exp).
//
//===----------------------------------------------------------------------===//

#include "codegen/Algorithms/Common.h"
#include "ir/ShapeMath.h"

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

AlgorithmResult lowerSumOrMean(FunctionLowering &fl, Operation *op, Value input,
                               std::optional<ArrayRef<int64_t>> dims, bool keepdim, bool mean) {
  const LTensor &x = fl.get(input);
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  Halide::Type ht = FunctionLowering::halideType(type.getElementType());
  std::vector<Var> v = fl.vars(type.getRank());
  Reduction red = makeReduction(x.shape(), reducedAxes(x.rank(), dims), keepdim, v);
  Expr total = accurateSum(x.at(red.inputIndex), ht, fl.target());
  Func f = fl.newFunc(op);
  defineAt(f, v, mean ? total / make_const(ht, static_cast<double>(red.count)) : total);
  return AlgorithmResult{f, OpFamily::Reduction, {}};
}

/// The result of a scalar reduction of `value` over all of `shape`, divided by `divisor`.
AlgorithmResult scalarReduction(FunctionLowering &fl, Operation *op,
                                const std::function<Expr(const std::vector<Expr> &)> &value,
                                ArrayRef<int64_t> shape, bool mean) {
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  Halide::Type ht = FunctionLowering::halideType(type.getElementType());
  Reduction red = makeReduction(shape, std::vector<bool>(shape.size(), true), false, {});
  Expr total = shape.empty() ? value({}) : accurateSum(value(red.inputIndex), ht, fl.target());
  Func f = fl.newFunc(op);
  f() = mean ? total / make_const(ht, static_cast<double>(red.count)) : total;
  return AlgorithmResult{f, OpFamily::Reduction, {}};
}

/// The maximum and the sum of exp(x - maximum) along `dim`, as Funcs over the
/// other axes (in MLIR order, `dim` removed).
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

/// log(s) as a Func of its own: strict_float reaches every float op of the
/// expression it wraps, and the log's approximation should stay fast.
Func logOf(FunctionLowering &fl, Operation *op, const Func &s) {
  Func ls = fl.newFunc(op, "_logsum");
  std::vector<Var> args = s.args();
  ls(args) = exactLog(s(args));
  return ls;
}

/// Calls a Func over all axes but `dim` at the MLIR-ordered Vars `v`.
Expr withoutAxis(const Func &f, const std::vector<Var> &v, int dim) {
  std::vector<Expr> idx;
  for (int i = static_cast<int>(v.size()) - 1; i >= 0; --i)
    if (i != dim)
      idx.push_back(v[i]);
  return f(idx);
}

AlgorithmResult lowerSoftmax(FunctionLowering &fl, Operation *op, Value input, int64_t dim,
                             bool logarithm) {
  const LTensor &x = fl.get(input);
  int axis = static_cast<int>(dim < 0 ? dim + x.rank() : dim);
  if (x.rank() == 0) {
    // Softmax of a scalar is 1 (its log 0).
    Func f = fl.newFunc(op);
    f() = make_const(FunctionLowering::halideType(x.type.getElementType()), logarithm ? 0.0 : 1.0);
    return AlgorithmResult{f, OpFamily::Reduction, {}};
  }
  auto [m, s] = softmaxStats(fl, op, x, axis);
  std::vector<Var> v = fl.vars(x.rank());
  Expr shifted = x.at(exprs(v)) - withoutAxis(m, v, axis);
  Func f = fl.newFunc(op);
  if (!logarithm) {
    defineAt(f, v, exactExp(shifted) / withoutAxis(s, v, axis));
    return AlgorithmResult{f, OpFamily::Reduction, {m, s}};
  }
  // Strict: with the reassociation LLVM is allowed, (x - max) - log(sum)
  // became x - (max + log(sum)), which loses log(sum) next to a large max.
  Func ls = logOf(fl, op, s);
  defineAt(f, v, strict_float(shifted - withoutAxis(ls, v, axis)));
  return AlgorithmResult{f, OpFamily::Reduction, {m, s, ls}};
}

AlgorithmResult lowerCrossEntropy(FunctionLowering &fl, nn::CrossEntropyOp ce) {
  const LTensor &z = fl.get(ce.getInput()), &t = fl.get(ce.getTarget());
  int classAxis = z.rank() == 1 ? 0 : 1;
  auto [m, s] = softmaxStats(fl, ce, z, classAxis);
  Func ls = logOf(fl, ce, s);
  // Loss per target position: -log_softmax(z)[target] = (max - z[target]) +
  // log(sum), in PyTorch's order (an infinite or NaN logit gives NaN, as
  // there: max - z is inf - inf, or the sum is NaN).
  std::vector<int64_t> positions(t.shape().begin(), t.shape().end());
  return scalarReduction(
      fl, ce,
      [&, m = m](const std::vector<Expr> &p) {
        std::vector<Expr> zIdx = p;
        Expr cls = clamp(Halide::cast<int32_t>(t.at(p)), 0, static_cast<int>(z.shape()[classAxis]) - 1);
        zIdx.insert(zIdx.begin() + classAxis, cls);
        std::vector<Expr> rev(p.rbegin(), p.rend());
        return strict_float((m(rev) - z.at(zIdx)) + ls(rev));
      },
      positions, /*mean=*/true);
}

/// Indices of a broadcast operand at the positions `p` of the broadcast shape.
std::vector<Expr> broadcastIndex(const LTensor &t, const std::vector<Expr> &p,
                                 ArrayRef<int64_t> shape) {
  int offset = static_cast<int>(shape.size()) - t.rank();
  std::vector<Expr> idx;
  for (int i = 0; i < t.rank(); ++i)
    idx.push_back(t.shape()[i] == 1 && shape[i + offset] != 1 ? Expr(0) : p[i + offset]);
  return idx;
}

AlgorithmResult lowerSumTo(FunctionLowering &fl, nn::SumToOp op) {
  const LTensor &x = fl.get(op.getInput());
  ArrayRef<int64_t> target = op.getShape();
  int lead = x.rank() - static_cast<int>(target.size());
  std::vector<bool> reduced(x.rank(), false);
  for (int j = 0; j < x.rank(); ++j)
    reduced[j] = j < lead || (target[j - lead] == 1 && x.shape()[j] != 1);
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
  return AlgorithmResult{f, OpFamily::Reduction, {}};
}

} // namespace

std::optional<AlgorithmResult> lowerReduction(FunctionLowering &fl, Operation *op) {
  if (auto s = dyn_cast<nn::SumOp>(op))
    return lowerSumOrMean(fl, op, s.getInput(), s.getDims(), s.getKeepdim(), false);
  if (auto m = dyn_cast<nn::MeanOp>(op))
    return lowerSumOrMean(fl, op, m.getInput(), m.getDims(), m.getKeepdim(), true);
  if (auto s = dyn_cast<nn::SoftmaxOp>(op))
    return lowerSoftmax(fl, op, s.getInput(), s.getDim(), false);
  if (auto s = dyn_cast<nn::LogSoftmaxOp>(op))
    return lowerSoftmax(fl, op, s.getInput(), s.getDim(), true);
  if (auto ce = dyn_cast<nn::CrossEntropyOp>(op))
    return lowerCrossEntropy(fl, ce);
  if (auto st = dyn_cast<nn::SumToOp>(op))
    return lowerSumTo(fl, st);
  if (auto q = dyn_cast<nn::SqNormOp>(op)) {
    const LTensor &x = fl.get(q.getInput());
    return scalarReduction(
        fl, op, [&](const std::vector<Expr> &p) { return x.at(p) * x.at(p); }, x.shape(), false);
  }
  if (isa<nn::MseOp, nn::BceOp, nn::BceLogitsOp>(op)) {
    const LTensor &a = fl.get(op->getOperand(0)), &b = fl.get(op->getOperand(1));
    auto shape = netc::shape::broadcast(std::vector<int64_t>(a.shape().begin(), a.shape().end()),
                                  std::vector<int64_t>(b.shape().begin(), b.shape().end()))
                     .shape();
    Halide::Type ht = FunctionLowering::halideType(a.type.getElementType());
    auto one = make_const(ht, 1.0), zero = make_const(ht, 0.0);
    std::function<Expr(const std::vector<Expr> &)> term;
    if (isa<nn::MseOp>(op)) {
      term = [&](const std::vector<Expr> &p) {
        Expr d = a.at(broadcastIndex(a, p, shape)) - b.at(broadcastIndex(b, p, shape));
        return d * d;
      };
    } else if (isa<nn::BceOp>(op)) {
      // PyTorch clamps each log at -100 so that p = 0 or 1 stays finite; a
      // NaN passes the clamp. (PyTorch rejects p outside [0, 1], NaN
      // included; compiled code gives NaN there.) strict_float: LLVM's
      // reassociation would turn y = inf's inf - inf into -inf.
      term = [&](const std::vector<Expr> &p) {
        Expr x = a.at(p), y = b.at(p), floor = make_const(ht, -100.0);
        return strict_float(
            -(y * nanMax(exactLog(x), floor) + (one - y) * nanMax(exactLog(one - x), floor)));
      };
    } else {
      // PyTorch 1.13's form, term for term, so that infinite logits give
      // its results (inf, or NaN where (1 - y) * z is 0 * inf):
      // (1 - y) z + m + log(exp(-m) + exp(-z - m)) with m = max(-z, 0).
      term = [&](const std::vector<Expr> &p) {
        Expr z = a.at(p), y = b.at(p);
        Expr m = nanMax(-z, zero);
        return strict_float((one - y) * z + m + exactLog(exactExp(-m) + exactExp(-z - m)));
      };
    }
    return scalarReduction(fl, op, term, shape, /*mean=*/true);
  }
  return std::nullopt;
}

} // namespace netc::codegen
