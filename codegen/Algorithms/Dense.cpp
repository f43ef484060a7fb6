//===- Dense.cpp - linear, matmul and embedding ---------------------------===//
//
// Contractions over one axis, written as a pure definition (bias or zero)
// and an update that accumulates over an RDom, so that schedules can tile
// and vectorize the update; and the table lookup of embedding.
//
//===----------------------------------------------------------------------===//

#include "codegen/Algorithms/Common.h"

using namespace mlir;
using namespace Halide;

namespace netc::codegen {

/// Adds `value` over the RDom to f's pure definition at MLIR-ordered Vars.
static void accumulate(Func &f, const std::vector<Var> &v, Expr value) {
  std::vector<Expr> lhs = exprs(v);
  std::reverse(lhs.begin(), lhs.end());
  f(lhs) += value;
}

static AlgorithmResult lowerLinear(FunctionLowering &fl, nn::LinearOp linear) {
  const LTensor &x = fl.get(linear.getInput()), &w = fl.get(linear.getWeight());
  auto type = cast<RankedTensorType>(linear.getType());
  Halide::Type ht = FunctionLowering::halideType(type.getElementType());
  std::vector<Var> v = fl.vars(type.getRank());
  Var o = v.back();
  RDom r(0, static_cast<int>(w.shape()[1]), "k");
  Func f = fl.newFunc(linear);
  defineAt(f, v, linear.getBias() ? fl.get(linear.getBias()).at({Expr(o)}) : make_const(ht, 0));
  accumulate(f, v, x.at(replaced(v, v.size() - 1, r.x)) * w.at({Expr(o), r.x}));
  return AlgorithmResult{f, OpFamily::Dense, {}};
}

/// Indices into a batched matmul operand whose batch axes broadcast against
/// the result's: `matrix` holds the operand's own trailing indices.
static std::vector<Expr> batchIndices(const LTensor &t, int matrixRank,
                                      const std::vector<Var> &resultBatch,
                                      ArrayRef<int64_t> resultShape, std::vector<Expr> matrix) {
  int batchRank = t.rank() - matrixRank;
  int offset = static_cast<int>(resultBatch.size()) - batchRank;
  std::vector<Expr> idx;
  for (int i = 0; i < batchRank; ++i)
    idx.push_back(t.shape()[i] == 1 && resultShape[i + offset] != 1 ? Expr(0)
                                                                     : Expr(resultBatch[i + offset]));
  idx.insert(idx.end(), matrix.begin(), matrix.end());
  return idx;
}

static AlgorithmResult lowerMatmul(FunctionLowering &fl, nn::MatmulOp mm) {
  const LTensor &a = fl.get(mm.getLhs()), &b = fl.get(mm.getRhs());
  auto type = cast<RankedTensorType>(mm.getType());
  Halide::Type ht = FunctionLowering::halideType(type.getElementType());
  std::vector<Var> v = fl.vars(type.getRank());
  int64_t inner = a.shape().back();
  RDom r(0, static_cast<int>(inner), "k");
  Expr value;
  if (a.rank() == 1 && b.rank() == 1) {
    value = a.at({r.x}) * b.at({r.x});
  } else if (a.rank() == 1) {
    // [k] x [..., k, m] -> [..., m]
    std::vector<Var> batch(v.begin(), v.end() - 1);
    value = a.at({r.x}) *
            b.at(batchIndices(b, 2, batch, type.getShape(), {r.x, Expr(v.back())}));
  } else if (b.rank() == 1) {
    // [..., n, k] x [k] -> [..., n]
    std::vector<Var> batch(v.begin(), v.end() - 1);
    value = a.at(batchIndices(a, 2, batch, type.getShape(), {Expr(v.back()), r.x})) * b.at({r.x});
  } else {
    std::vector<Var> batch(v.begin(), v.end() - 2);
    Var n = v[v.size() - 2], m = v.back();
    value = a.at(batchIndices(a, 2, batch, type.getShape(), {Expr(n), r.x})) *
            b.at(batchIndices(b, 2, batch, type.getShape(), {r.x, Expr(m)}));
  }
  Func f = fl.newFunc(mm);
  defineAt(f, v, make_const(ht, 0));
  accumulate(f, v, value);
  return AlgorithmResult{f, OpFamily::Dense, {}};
}

static AlgorithmResult lowerEmbedding(FunctionLowering &fl, nn::EmbeddingOp emb) {
  const LTensor &idx = fl.get(emb.getIndices()), &w = fl.get(emb.getWeight());
  auto type = cast<RankedTensorType>(emb.getType());
  std::vector<Var> v = fl.vars(type.getRank());
  std::vector<Var> lookup(v.begin(), v.end() - 1);
  // Out-of-range indices are rejected by the runtime before the call; the
  // clamp only keeps Halide's bounds inference finite.
  Expr row = clamp(Halide::cast<int32_t>(idx.at(exprs(lookup))), 0, static_cast<int>(w.shape()[0]) - 1);
  Func f = fl.newFunc(emb);
  defineAt(f, v, w.at({row, Expr(v.back())}));
  return AlgorithmResult{f, OpFamily::Dense, {}};
}

std::optional<AlgorithmResult> lowerDense(FunctionLowering &fl, Operation *op) {
  if (auto linear = dyn_cast<nn::LinearOp>(op))
    return lowerLinear(fl, linear);
  if (auto mm = dyn_cast<nn::MatmulOp>(op))
    return lowerMatmul(fl, mm);
  if (auto emb = dyn_cast<nn::EmbeddingOp>(op))
    return lowerEmbedding(fl, emb);
  return std::nullopt;
}

} // namespace netc::codegen
