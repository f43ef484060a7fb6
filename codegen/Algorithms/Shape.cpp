//===- Shape.cpp - reshapes, transposes, concatenation, slices ------------===//
//
// Ops that only move elements. A reshape maps each result position to its
// row-major flat index and back to the input's position.
//
//===----------------------------------------------------------------------===//

#include "codegen/Algorithms/Common.h"

using namespace mlir;
using namespace Halide;

namespace netc::codegen {

/// The input position of a row-major reinterpretation: result Vars `v` of
/// shape `out` read the input of shape `in`.
static std::vector<Expr> reshapedIndex(const std::vector<Var> &v, ArrayRef<int64_t> out,
                                       ArrayRef<int64_t> in) {
  int64_t count = 1;
  for (int64_t d : in)
    count *= d;
  // 32-bit index arithmetic where it cannot overflow: it vectorizes better.
  bool narrow = count < (int64_t(1) << 31);
  Expr flat = narrow ? Expr(0) : Halide::cast<int64_t>(Expr(0));
  for (size_t i = 0; i < v.size(); ++i)
    flat = narrow ? flat * static_cast<int>(out[i]) + v[i]
                  : flat * Expr(int64_t(out[i])) + Halide::cast<int64_t>(v[i]);
  std::vector<Expr> idx(in.size());
  for (int i = static_cast<int>(in.size()) - 1; i >= 0; --i) {
    Expr dim = narrow ? Expr(static_cast<int>(in[i])) : Expr(int64_t(in[i]));
    idx[i] = Halide::cast<int32_t>(flat % dim);
    flat = flat / dim;
  }
  return idx;
}

std::optional<AlgorithmResult> lowerShape(FunctionLowering &fl, Operation *op) {
  if (!isa<nn::FlattenOp, nn::ReshapeOp, nn::TransposeOp, nn::ConcatOp, nn::SliceOp>(op))
    return std::nullopt;
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  std::vector<Var> v = fl.vars(type.getRank());
  const LTensor &x = fl.get(op->getOperand(0));
  Expr value;
  if (isa<nn::FlattenOp, nn::ReshapeOp>(op)) {
    value = x.at(reshapedIndex(v, type.getShape(), x.shape()));
  } else if (auto t = dyn_cast<nn::TransposeOp>(op)) {
    int64_t rank = type.getRank();
    // I64Attr getters return uint64_t: read signed values through int64_t.
    int64_t d0 = static_cast<int64_t>(t.getDim0()), d1 = static_cast<int64_t>(t.getDim1());
    d0 = d0 < 0 ? d0 + rank : d0;
    d1 = d1 < 0 ? d1 + rank : d1;
    std::vector<Expr> idx = exprs(v);
    std::swap(idx[d0], idx[d1]);
    value = x.at(idx);
  } else if (auto s = dyn_cast<nn::SliceOp>(op)) {
    int64_t dim = static_cast<int64_t>(s.getDim());
    dim = dim < 0 ? dim + type.getRank() : dim;
    value = x.at(replaced(v, dim, v[dim] + static_cast<int>(s.getStart())));
  } else {
    auto c = cast<nn::ConcatOp>(op);
    int64_t dim = static_cast<int64_t>(c.getDim());
    dim = dim < 0 ? dim + type.getRank() : dim;
    // Later inputs first, so that each select tests one boundary.
    std::vector<std::pair<int64_t, const LTensor *>> parts;
    int64_t start = 0;
    for (Value in : c.getInputs()) {
      parts.push_back({start, &fl.get(in)});
      start += cast<RankedTensorType>(in.getType()).getShape()[dim];
    }
    // Every part is read at a clamped index: Halide infers the bounds of
    // both sides of a select, and no part may be asked for rows it lacks.
    auto read = [&](size_t i) {
      return parts[i].second->at(replaced(
          v, dim,
          clamp(v[dim] - static_cast<int>(parts[i].first), 0,
                static_cast<int>(parts[i].second->shape()[dim]) - 1)));
    };
    value = read(parts.size() - 1);
    for (int i = static_cast<int>(parts.size()) - 2; i >= 0; --i)
      value = select(v[dim] < static_cast<int>(parts[i + 1].first), read(i), value);
  }
  Func f = fl.newFunc(op);
  defineAt(f, v, value);
  return AlgorithmResult{f, OpFamily::Shape, {}};
}

} // namespace netc::codegen
