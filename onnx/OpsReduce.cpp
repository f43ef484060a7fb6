//===- OpsReduce.cpp - ONNX reductions, ArgMax and ArgMin -----------------===//
//
// ReduceSum, ReduceL1, ReduceL2, ReduceSumSquare and ReduceLogSum are
// formulas around one nn.sum over all the axes at once. ReduceMax,
// ReduceMin and ReduceLogSumExp reduce one axis at a time (nn.max, nn.min and
// nn.logsumexp take one dim), keeping the axes, which gives the same values:
// the maximum of maxima is the maximum, and log-sum-exp of log-sum-exps is the
// log-sum-exp of the whole. keepdims=0 then reshapes the kept 1s away.
// ReduceSum reads its axes from its second input from opset 13 on, the
// others from their attribute (until opset 18, which netc does not read).
//
//===----------------------------------------------------------------------===//

#include "onnx/OpsBuilder.h"

#include <algorithm>

using namespace mlir;

namespace netc::onnx {

namespace {

enum class Reduce { Sum, L1, L2, SumSquare, LogSum, Max, Min, LogSumExp };

/// The reduced axes, sorted, each in [0, rank); nullopt after an error.
std::optional<SmallVector<int64_t>> reducedAxes(OpsBuilder &b, int64_t rank, bool &identity) {
  SmallVector<int64_t> axes;
  if (b.opType() == "ReduceSum" && b.opset() >= 13) {
    if (b.has(1)) {
      auto given = b.requireInts(1, "the axes");
      if (!given)
        return std::nullopt;
      axes = *given;
    }
  } else {
    axes = b.attrInts("axes");
  }
  identity = axes.empty() && b.attrInt("noop_with_empty_axes", 0) != 0;
  if (axes.empty())
    for (int64_t k = 0; k < rank; ++k)
      axes.push_back(k);
  for (int64_t &a : axes) {
    auto k = b.axis(a, rank, "axis");
    if (!k)
      return std::nullopt;
    a = *k;
  }
  llvm::sort(axes);
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  return axes;
}

/// The shape of `dims` without the axes `axes` (sorted).
SmallVector<int64_t> dropAxes(ArrayRef<int64_t> dims, ArrayRef<int64_t> axes) {
  SmallVector<int64_t> kept;
  for (auto [k, d] : llvm::enumerate(dims))
    if (!llvm::is_contained(axes, int64_t(k)))
      kept.push_back(d);
  return kept;
}

/// Reduces one axis at a time with nn op `name` (dim, keepdim attributes).
Value reduceEachAxis(OpsBuilder &b, StringRef name, Value x, ArrayRef<int64_t> axes, bool keep) {
  SmallVector<int64_t> shape = dropAxes(OpsBuilder::dims(x), axes);
  Value acc = x;
  for (int64_t a : axes)
    acc = b.op(name, acc, {b.i64("dim", a), b.flag("keepdim", true)});
  return keep || !acc ? acc : b.reshape(acc, shape);
}

LogicalResult convertReduce(OpsBuilder &b, Reduce kind) {
  Value x = b.in(0);
  if (!x)
    return b.result();
  if (!OpsBuilder::isFloat(x))
    return b.fail("reduces a float tensor only (netc's reductions take floats)");
  bool identity = false;
  auto axes = reducedAxes(b, OpsBuilder::rank(x), identity);
  if (!axes)
    return b.result();
  bool keep = b.attrInt("keepdims", 1) != 0;
  if (identity) {
    b.out(0, x);
    return b.result();
  }
  switch (kind) {
  case Reduce::Max:
    b.out(0, reduceEachAxis(b, "nn.max", x, *axes, keep));
    return b.result();
  case Reduce::Min:
    b.out(0, reduceEachAxis(b, "nn.min", x, *axes, keep));
    return b.result();
  case Reduce::LogSumExp:
    b.out(0, reduceEachAxis(b, "nn.logsumexp", x, *axes, keep));
    return b.result();
  default:
    break;
  }
  Value term = x;
  if (kind == Reduce::L1)
    term = b.unary("nn.abs", x);
  else if (kind == Reduce::L2 || kind == Reduce::SumSquare)
    term = b.binary("nn.mul", x, x);
  Value sum = b.op("nn.sum", term, {b.array("dims", *axes), b.flag("keepdim", keep)});
  if (kind == Reduce::L2)
    sum = b.unary("nn.sqrt", sum);
  else if (kind == Reduce::LogSum)
    sum = b.unary("nn.log", sum);
  b.out(0, sum);
  return b.result();
}

/// ArgMax and ArgMin: the first extreme only (select_last_index = 0).
LogicalResult convertArg(OpsBuilder &b, StringRef nnName) {
  Value x = b.in(0);
  if (!x)
    return b.result();
  if (b.attrInt("select_last_index", 0) != 0)
    return b.fail("unsupported select_last_index: 1 (netc's argmax and argmin give the first "
                  "index of the extreme)");
  if (!OpsBuilder::isFloat(x))
    return b.fail("takes a float tensor only");
  auto a = b.axis(b.attrInt("axis", 0), OpsBuilder::rank(x), "axis");
  if (!a)
    return b.result();
  b.out(0, b.op(nnName, x, {b.i64("dim", *a), b.flag("keepdim", b.attrInt("keepdims", 1) != 0)}));
  return b.result();
}

} // namespace

void registerReduceOps(OnnxOpRegistry &r) {
  for (auto [name, kind] : {std::pair{"ReduceSum", Reduce::Sum},
                            {"ReduceL1", Reduce::L1},
                            {"ReduceL2", Reduce::L2},
                            {"ReduceSumSquare", Reduce::SumSquare},
                            {"ReduceLogSum", Reduce::LogSum},
                            {"ReduceMax", Reduce::Max},
                            {"ReduceMin", Reduce::Min},
                            {"ReduceLogSumExp", Reduce::LogSumExp}}) {
    Reduce k = kind;
    addOp(r, name, [k](OpsBuilder &b) { return convertReduce(b, k); });
  }
  addOp(r, "ArgMax", [](OpsBuilder &b) { return convertArg(b, "nn.argmax"); });
  addOp(r, "ArgMin", [](OpsBuilder &b) { return convertArg(b, "nn.argmin"); });
}

} // namespace netc::onnx
