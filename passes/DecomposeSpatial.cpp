//===- DecomposeSpatial.cpp - resampling ops into primitive nn ops -------===//
//
// The decompositions of the composite ops of ir/Ops/Spatial.td, added to
// nn-decompose by populateDecompositionPatterns:
//
// - conv_transpose2d is conv2d_backward_input (the adjoint of a conv2d),
//   whose input shape is the transposed convolution's output, plus the bias;
// - resizing and averaging over bins are linear along each spatial axis: a
//   product with a constant [out, in] matrix along H and one along W, whose
//   entries PyTorch's index and weight rules give (in the element type's
//   arithmetic, as PyTorch's CPU kernels compute them); an axis whose output
//   size divides its input size averages with nn.avgpool2d instead;
// - adaptive max pooling takes a stride-1 nn.maxpool2d per bin size and picks
//   each bin's window with a 0/1 matrix;
// - group_norm normalises the groups of a [N, groups, rest] view.
//
//===----------------------------------------------------------------------===//

#include "ir/GradientBuilder.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/PatternMatch.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <vector>

using namespace mlir;
using namespace netc::nn;
using netc::nn::detail::GradientBuilder;
using netc::nn::detail::staticShape;

namespace {

/// An [out, in] matrix that maps an axis of size `in` to one of size `out`.
struct AxisMatrix {
  int64_t in = 0, out = 0;
  std::vector<double> values; // row-major, out x in
  double &at(int64_t o, int64_t i) { return values[o * in + i]; }
  /// Whether the matrix is the identity (the axis is left as it is).
  bool identity() const {
    if (in != out)
      return false;
    for (int64_t o = 0; o < out; ++o)
      for (int64_t i = 0; i < in; ++i)
        if (values[o * in + i] != (o == i ? 1.0 : 0.0))
          return false;
    return true;
  }
};

/// A zero matrix.
AxisMatrix zeros(int64_t in, int64_t out) {
  return AxisMatrix{in, out, std::vector<double>(static_cast<size_t>(in * out), 0.0)};
}

/// PyTorch's nearest rule: index o reads min(floor(o * scale), in - 1), the
/// product in float whatever the element type (as PyTorch's kernel computes
/// it); the same size and twice the size are special cases.
AxisMatrix nearestMatrix(int64_t in, int64_t out, double scale) {
  using T = float;
  AxisMatrix m = zeros(in, out);
  T s = static_cast<T>(scale);
  for (int64_t o = 0; o < out; ++o) {
    int64_t i = in == out ? o
                : out == 2 * in
                    ? o >> 1
                    : std::min(static_cast<int64_t>(std::floor(static_cast<T>(o) * s)), in - 1);
    m.at(o, i) = 1.0;
  }
  return m;
}

/// PyTorch's linear rule: the source coordinate o * t (align_corners) or
/// max((o + 0.5) t - 0.5, 0), its floor and the next index with weights
/// 1 - lambda and lambda, computed in T.
template <typename T>
AxisMatrix linearMatrix(int64_t in, int64_t out, double scale, bool alignCorners) {
  AxisMatrix m = zeros(in, out);
  T t = alignCorners ? (out > 1 ? static_cast<T>(in - 1) / static_cast<T>(out - 1) : T(0))
                     : static_cast<T>(scale);
  for (int64_t o = 0; o < out; ++o) {
    if (in == out) {
      m.at(o, o) = 1.0;
      continue;
    }
    T real = alignCorners ? t * static_cast<T>(o)
                          : std::max(t * (static_cast<T>(o) + T(0.5)) - T(0.5), T(0));
    int64_t i0 = static_cast<int64_t>(real);
    int64_t i1 = i0 + (i0 < in - 1 ? 1 : 0);
    T lambda1 = std::min(std::max(real - static_cast<T>(i0), T(0)), T(1));
    T lambda0 = T(1) - lambda1;
    m.at(o, i0) += static_cast<double>(lambda0);
    m.at(o, i1) += static_cast<double>(lambda1);
  }
  return m;
}

/// The first and one-past-last input index of adaptive bin o.
std::pair<int64_t, int64_t> bin(int64_t o, int64_t in, int64_t out) {
  return {(o * in) / out, ((o + 1) * in + out - 1) / out};
}

/// Averages over the adaptive bins.
AxisMatrix binMatrix(int64_t in, int64_t out) {
  AxisMatrix m = zeros(in, out);
  for (int64_t o = 0; o < out; ++o) {
    auto [start, end] = bin(o, in, out);
    for (int64_t i = start; i < end; ++i)
      m.at(o, i) = 1.0 / static_cast<double>(end - start);
  }
  return m;
}

/// Builds the nn ops of one decomposition at the composite op's location.
class Spatial {
public:
  Spatial(PatternRewriter &rewriter, Operation *op) : rewriter(rewriter), gb(rewriter, op), op(op) {}

  GradientBuilder &builder() { return gb; }

  /// `x` with `m` applied along spatial axis `axis` (0: H, 1: W).
  Value apply(Value x, int axis, const AxisMatrix &m) {
    if (!x || m.identity())
      return x;
    if (axis == 1)
      return gb.create<MatmulOp>({x, constant(x, m, /*transposed=*/true)});
    return gb.create<MatmulOp>({constant(x, m, /*transposed=*/false), x});
  }

  /// A pool along one spatial axis: kernel `k` and stride `s` along it, 1 across.
  Value pool(StringRef name, Value x, int axis, int64_t k, int64_t s) {
    SmallVector<int64_t> kernel = {1, 1}, stride = {1, 1};
    kernel[axis] = k;
    stride[axis] = s;
    if (!x || (k == 1 && s == 1))
      return x;
    return gb.create(name, {x}, {gb.i64Array("kernel", kernel), gb.i64Array("stride", stride)});
  }

  /// Replaces the op by `value`, or fails when a step could not be built.
  LogicalResult finish(Value value) {
    FailureOr<SmallVector<Value>> built = gb.finish({value});
    if (failed(built) || !(*built)[0])
      return rewriter.notifyMatchFailure(op, "the decomposition could not be built");
    rewriter.replaceOp(op, (*built)[0]);
    return success();
  }

private:
  /// The matrix as a constant of x's element type: [out, in], or [in, out]
  /// when `transposed`.
  Value constant(Value x, const AxisMatrix &m, bool transposed) {
    Type element = cast<RankedTensorType>(x.getType()).getElementType();
    SmallVector<int64_t> shape = transposed ? SmallVector<int64_t>{m.in, m.out}
                                            : SmallVector<int64_t>{m.out, m.in};
    auto type = RankedTensorType::get(shape, element);
    std::vector<double> data(m.values.size());
    for (int64_t o = 0; o < m.out; ++o)
      for (int64_t i = 0; i < m.in; ++i)
        data[transposed ? i * m.out + o : o * m.in + i] = m.values[o * m.in + i];
    DenseElementsAttr attr;
    if (element.isF32()) {
      std::vector<float> narrow(data.begin(), data.end());
      attr = DenseElementsAttr::get(type, ArrayRef<float>(narrow));
    } else {
      attr = DenseElementsAttr::get(type, ArrayRef<double>(data));
    }
    return rewriter.create<arith::ConstantOp>(op->getLoc(), attr);
  }

  PatternRewriter &rewriter;
  GradientBuilder gb;
  Operation *op;
};

/// The two trailing sizes of a value.
std::array<int64_t, 2> spatial(Value v) {
  ArrayRef<int64_t> s = staticShape(v);
  return {s[s.size() - 2], s[s.size() - 1]};
}

/// conv_transpose2d(x, w, b) = conv2d_backward_input(x, w) [+ b per channel].
struct DecomposeConvTranspose2d : OpRewritePattern<ConvTranspose2dOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ConvTranspose2dOp op, PatternRewriter &rewriter) const override {
    Spatial s(rewriter, op);
    GradientBuilder &gb = s.builder();
    ArrayRef<int64_t> pad = op.getPadding();
    ArrayRef<int64_t> result = staticShape(op.getResult());
    Value y = gb.create<Conv2dBackwardInputOp>(
        {op.getInput(), op.getWeight()},
        {gb.i64Array("input_shape", result), gb.i64Array("stride", op.getStride()),
         gb.i64Array("padding", {pad[0], pad[0], pad[1], pad[1]}),
         gb.i64Array("dilation", op.getDilation()),
         gb.i64("groups", static_cast<int64_t>(op.getGroups()))});
    if (Value bias = op.getBias())
      y = gb.add(y, gb.reshape(bias, {staticShape(bias)[0], 1, 1}));
    return s.finish(y);
  }
};

/// adaptive_avg_pool2d: per axis an avgpool when the output size divides
/// the input size, else the averaging matrix.
struct DecomposeAdaptiveAvgPool : OpRewritePattern<AdaptiveAvgPool2dOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AdaptiveAvgPool2dOp op, PatternRewriter &rewriter) const override {
    Spatial s(rewriter, op);
    Value y = op.getInput();
    std::array<int64_t, 2> in = spatial(y);
    for (int axis = 0; axis < 2; ++axis) {
      int64_t out = op.getSize()[axis];
      y = in[axis] % out == 0
              ? s.pool(AvgPool2dOp::getOperationName(), y, axis, in[axis] / out, in[axis] / out)
              : s.apply(y, axis, binMatrix(in[axis], out));
    }
    return s.finish(y);
  }
};

/// adaptive_max_pool2d: per axis a maxpool when the output size divides the
/// input size; else, for each bin size L, a stride-1 maxpool of kernel L
/// whose windows at the bins' starts a 0/1 matrix picks.
struct DecomposeAdaptiveMaxPool : OpRewritePattern<AdaptiveMaxPool2dOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AdaptiveMaxPool2dOp op, PatternRewriter &rewriter) const override {
    Spatial s(rewriter, op);
    GradientBuilder &gb = s.builder();
    StringRef maxpool = MaxPool2dOp::getOperationName();
    Value y = op.getInput();
    std::array<int64_t, 2> in = spatial(y);
    for (int axis = 0; axis < 2; ++axis) {
      int64_t n = in[axis], out = op.getSize()[axis];
      if (n % out == 0) {
        y = s.pool(maxpool, y, axis, n / out, n / out);
        continue;
      }
      std::map<int64_t, AxisMatrix> picks; // by bin size
      for (int64_t o = 0; o < out; ++o) {
        auto [start, end] = bin(o, n, out);
        auto it = picks.try_emplace(end - start, zeros(n - (end - start) + 1, out)).first;
        it->second.at(o, start) = 1.0;
      }
      Value sum;
      for (auto &[size, pick] : picks) {
        Value part = s.apply(s.pool(maxpool, y, axis, size, 1), axis, pick);
        sum = sum ? gb.add(sum, part) : part;
      }
      y = sum;
    }
    return s.finish(y);
  }
};

/// upsample: the nearest or linear interpolation matrix along H, then W.
struct DecomposeUpsample : OpRewritePattern<UpsampleOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(UpsampleOp op, PatternRewriter &rewriter) const override {
    Spatial s(rewriter, op);
    Value y = op.getInput();
    std::array<int64_t, 2> in = spatial(y);
    bool f32 = cast<RankedTensorType>(y.getType()).getElementType().isF32();
    bool nearest = op.getMode() == "nearest";
    for (int axis = 0; axis < 2; ++axis) {
      int64_t out = op.getSize()[axis];
      double scale = op.getScale()[axis];
      AxisMatrix m =
          nearest ? nearestMatrix(in[axis], out, scale)
                  : (f32 ? linearMatrix<float>(in[axis], out, scale, op.getAlignCorners())
                         : linearMatrix<double>(in[axis], out, scale, op.getAlignCorners()));
      y = s.apply(y, axis, m);
    }
    return s.finish(y);
  }
};

/// group_norm: (x - mean) / sqrt(var + eps) over each group of a
/// [N, groups, C / groups * rest] view, then the per-channel affine map.
struct DecomposeGroupNorm : OpRewritePattern<GroupNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(GroupNormOp op, PatternRewriter &rewriter) const override {
    Spatial s(rewriter, op);
    GradientBuilder &gb = s.builder();
    Value x = op.getInput();
    SmallVector<int64_t> shape(staticShape(x));
    int64_t groups = static_cast<int64_t>(op.getGroups()), numel = 1;
    for (int64_t d : ArrayRef<int64_t>(shape).drop_front())
      numel *= d;
    Value v = gb.reshape(x, {shape[0], groups, numel / groups});
    auto mean = [&](Value t) {
      return gb.create<MeanOp>({t}, {gb.i64Array("dims", {2}), gb.boolean("keepdim", true)});
    };
    Value centered = gb.sub(v, mean(v));
    Value var = mean(gb.mul(centered, centered));
    Value std = gb.create<SqrtOp>({gb.add(var, gb.scalar(x, op.getEps().convertToDouble()))});
    Value y = gb.reshape(gb.div(centered, std), shape);
    if (op.getWeight()) {
      // [C] as [C, 1, ...] to broadcast over the trailing axes.
      SmallVector<int64_t> channel(shape.size() - 1, 1);
      channel[0] = shape[1];
      y = gb.add(gb.mul(y, gb.reshape(op.getWeight(), channel)),
                 gb.reshape(op.getBias(), channel));
    }
    return s.finish(y);
  }
};

} // namespace

void netc::populateSpatialDecompositionPatterns(RewritePatternSet &patterns) {
  patterns.add<DecomposeConvTranspose2d, DecomposeAdaptiveAvgPool, DecomposeAdaptiveMaxPool,
               DecomposeUpsample, DecomposeGroupNorm>(patterns.getContext());
}
