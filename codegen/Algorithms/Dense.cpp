//===- Dense.cpp - linear, matmul, embedding and its gradient -------------===//
//
// Contractions over one axis, written as a pure definition (bias or zero)
// and an update that accumulates over an RDom, so that schedules can tile
// and vectorize the update; the table lookup of embedding, and its gradient,
// which scatters (rows accumulate where indices repeat).
//
//===----------------------------------------------------------------------===//

#include "codegen/Algorithms/Common.h"

using namespace mlir;
using namespace Halide;

namespace netc::codegen {

namespace {

/// Adds `value` over the RDom to f's pure definition at MLIR-ordered Vars.
void accumulate(Func &f, const std::vector<Var> &v, Expr value) {
  std::vector<Expr> lhs = exprs(v);
  std::reverse(lhs.begin(), lhs.end());
  f(lhs) += value;
}

//===--- linear ---===//

LogicalResult defineLinear(FunctionLowering &fl, nn::LinearOp linear) {
  const LTensor &x = fl.get(linear.getInput()), &w = fl.get(linear.getWeight());
  auto type = cast<RankedTensorType>(linear.getType());
  Halide::Type ht = FunctionLowering::halideType(type.getElementType());
  std::vector<Var> v = fl.vars(type.getRank());
  Var o = v.back();
  RDom r(0, static_cast<int>(w.shape()[1]), "k");
  Func f = fl.newFunc(linear);
  defineAt(f, v, linear.getBias() ? fl.get(linear.getBias()).at({Expr(o)}) : make_const(ht, 0));
  accumulate(f, v, x.at(replaced(v, v.size() - 1, r.x)) * w.at({Expr(o), r.x}));
  return fl.define(linear, f, OpFamily::Dense);
}

//===--- matmul ---===//

/// Indices into a batched matmul operand whose batch axes broadcast against
/// the result's: `matrix` holds the operand's own trailing indices.
std::vector<Expr> batchIndices(const LTensor &t, int matrixRank,
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

LogicalResult defineMatmul(FunctionLowering &fl, nn::MatmulOp mm) {
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
  return fl.define(mm, f, OpFamily::Dense);
}

//===--- embedding ---===//

LogicalResult defineEmbedding(FunctionLowering &fl, nn::EmbeddingOp emb) {
  const LTensor &idx = fl.get(emb.getIndices()), &w = fl.get(emb.getWeight());
  auto type = cast<RankedTensorType>(emb.getType());
  std::vector<Var> v = fl.vars(type.getRank());
  std::vector<Var> lookup(v.begin(), v.end() - 1);
  // Out-of-range indices are rejected by the runtime before the call; the
  // clamp only keeps Halide's bounds inference finite.
  Expr row = clamp(Halide::cast<int32_t>(idx.at(exprs(lookup))), 0, static_cast<int>(w.shape()[0]) - 1);
  Func f = fl.newFunc(emb);
  defineAt(f, v, w.at({row, Expr(v.back())}));
  return fl.define(emb, f, OpFamily::Dense);
}

//===--- embedding_backward ---===//

/// Rows of the gradient accumulate where indices repeat: a scatter.
LogicalResult defineEmbeddingBackward(FunctionLowering &fl, nn::EmbeddingBackwardOp op) {
  const LTensor &g = fl.get(op.getGrad()), &idx = fl.get(op.getIndices());
  auto type = cast<RankedTensorType>(op.getType());
  Halide::Type ht = FunctionLowering::halideType(type.getElementType());
  std::vector<Var> v = fl.vars(2);
  Halide::Region region;
  for (int64_t dim : idx.shape())
    region.push_back(Range(0, static_cast<int>(dim)));
  if (region.empty())
    region.push_back(Range(0, 1));
  RDom r(region, "r");
  std::vector<Expr> at;
  for (int i = 0; i < idx.rank(); ++i)
    at.push_back(r[i]);
  Expr row = clamp(Halide::cast<int32_t>(idx.at(at)), 0, static_cast<int>(op.getNum()) - 1);
  std::vector<Expr> gIdx = at;
  gIdx.push_back(v[1]);
  Func f = fl.newFunc(op);
  defineAt(f, v, make_const(ht, 0));
  f(v[1], row) += g.at(gIdx);
  return fl.define(op, f, OpFamily::Scatter);
}

} // namespace

void registerDenseAlgorithms(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, nn::NNDialect *) {
    attachAlgorithm<nn::LinearOp, defineLinear>(*context);
    attachAlgorithm<nn::MatmulOp, defineMatmul>(*context);
    attachAlgorithm<nn::EmbeddingOp, defineEmbedding>(*context);
    attachAlgorithm<nn::EmbeddingBackwardOp, defineEmbeddingBackward>(*context);
  });
}

} // namespace netc::codegen
