//===- NNGradientsLayers.cpp - vector-Jacobian products of layers ---------===//
//
// The gradient rules of convolution, pooling, padding, linear, embedding,
// dropout, matmul and the shape ops, with PyTorch 1.13's formulas. The
// elementwise ops, reductions and losses are in NNGradients.cpp, which
// explains the conventions.
//
//===----------------------------------------------------------------------===//

#include "ir/GradientBuilder.h"

using namespace mlir;
using namespace netc::nn;
using namespace netc::nn::detail;

//===----------------------------------------------------------------------===//
// Windowed ops
//===----------------------------------------------------------------------===//

FailureOr<SmallVector<Value>> Conv2dOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  Value g = resultGrads[0];
  ArrayRef<int64_t> weight = staticShape(getWeight());
  SmallVector<NamedAttribute> window = {
      gb.i64Array("stride", getStride()), gb.i64Array("padding", getPadding()),
      gb.i64Array("dilation", getDilation()), gb.i64("groups", getGroups())};
  SmallVector<NamedAttribute> inputAttrs(window), filterAttrs(window);
  inputAttrs.push_back(gb.i64Array("input_shape", staticShape(getInput())));
  filterAttrs.push_back(gb.i64Array("kernel", weight.drop_front(2)));
  SmallVector<Value> grads = {gb.create<Conv2dBackwardInputOp>({g, getWeight()}, inputAttrs),
                              gb.create<Conv2dBackwardFilterOp>({getInput(), g}, filterAttrs)};
  // The bias gradient sums over the batch and both spatial axes.
  if (getBias()) {
    SmallVector<int64_t> dims = staticShape(getInput()).size() == 4 ? SmallVector<int64_t>{0, 2, 3}
                                                                    : SmallVector<int64_t>{1, 2};
    grads.push_back(gb.create<SumOp>({g}, {gb.i64Array("dims", dims)}));
  }
  return gb.finish(grads);
}

FailureOr<SmallVector<Value>> MaxPool2dOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  return gb.finish({gb.create<MaxPool2dBackwardOp>(
      {resultGrads[0], getInput()},
      {gb.i64Array("kernel", getKernel()), gb.i64Array("stride", getStride()),
       gb.i64Array("padding", getPadding()), gb.i64Array("dilation", getDilation()),
       gb.boolean("ceil_mode", getCeilMode())})});
}

FailureOr<SmallVector<Value>> AvgPool2dOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  return gb.finish({gb.create<AvgPool2dBackwardOp>(
      {resultGrads[0], getInput()},
      {gb.i64Array("kernel", getKernel()), gb.i64Array("stride", getStride()),
       gb.i64Array("padding", getPadding()), gb.boolean("ceil_mode", getCeilMode()),
       gb.boolean("count_include_pad", getCountIncludePad())})});
}

FailureOr<SmallVector<Value>> Pad2dOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  // Padding by the negated amounts crops what was padded and pads with zeros
  // what was cropped; the padding value's gradient goes nowhere.
  SmallVector<int64_t> pads;
  for (int64_t p : getPads())
    pads.push_back(-p);
  return gb.finish({gb.create<Pad2dOp>({resultGrads[0]}, {gb.i64Array("pads", pads)})});
}

//===----------------------------------------------------------------------===//
// Layers with weights
//===----------------------------------------------------------------------===//

FailureOr<SmallVector<Value>> LinearOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  Value g = resultGrads[0], x = getInput();
  ArrayRef<int64_t> weight = staticShape(getWeight());
  int64_t out = weight[0], in = weight[1];
  // dx = g @ W over any leading batch axes (a 1-D input is a vector-matrix
  // product). dW = g^T @ x with the batch axes flattened into one of size m
  // (m = 1 for a 1-D input: the outer product).
  int64_t m = 1;
  for (int64_t d : staticShape(x).drop_back())
    m *= d;
  Value rows = gb.transposeLast(gb.reshape(g, {m, out}));
  SmallVector<Value> grads = {gb.create<MatmulOp>({g, getWeight()}),
                              gb.create<MatmulOp>({rows, gb.reshape(x, {m, in})})};
  if (getBias())
    grads.push_back(gb.sumTo(g, getBias()));
  return gb.finish(grads);
}

FailureOr<SmallVector<Value>> EmbeddingOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  // Indices are not differentiable; rows of repeated indices accumulate.
  Value table = gb.create<EmbeddingBackwardOp>({resultGrads[0], getIndices()},
                                               {gb.i64("num", staticShape(getWeight())[0])});
  return gb.finish({Value(), table});
}

FailureOr<SmallVector<Value>> DropoutOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  Value g = resultGrads[0];
  // Without a seed dropout is the identity. With one, the same seed and p
  // draw the same mask and scale, which is the whole derivative.
  if (!getSeed())
    return gb.finish({g});
  Value grad = gb.create<DropoutOp>({g, getSeed()}, {gb.f64("p", getP().convertToDouble())});
  return gb.finish({grad, Value()});
}

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

FailureOr<SmallVector<Value>> MatmulOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  Value g = resultGrads[0], a = getLhs(), b = getRhs();
  // torch.matmul's 1-D cases as matrices: a 1-D lhs is a row [1, k], a 1-D
  // rhs a column [k, 1]; the result then has the removed unit axes back.
  bool aVector = staticShape(a).size() == 1, bVector = staticShape(b).size() == 1;
  SmallVector<int64_t> aShape(staticShape(a)), bShape(staticShape(b));
  SmallVector<int64_t> gShape(staticShape(getResult()));
  if (aVector) {
    aShape.insert(aShape.begin(), 1);
    gShape.insert(gShape.end() - (bVector ? 0 : 1), 1);
  }
  if (bVector) {
    bShape.push_back(1);
    gShape.push_back(1);
  }
  Value a2 = gb.reshape(a, aShape), b2 = gb.reshape(b, bShape), g2 = gb.reshape(g, gShape);
  // da = g @ b^T and db = a^T @ g over the broadcast batch axes, summed back
  // to each operand's own batch axes.
  Value da = gb.sumTo(gb.create<MatmulOp>({g2, gb.transposeLast(b2)}), a2);
  Value db = gb.sumTo(gb.create<MatmulOp>({gb.transposeLast(a2), g2}), b2);
  return gb.finish({gb.reshape(da, staticShape(a)), gb.reshape(db, staticShape(b))});
}

//===----------------------------------------------------------------------===//
// Shape manipulation
//===----------------------------------------------------------------------===//

FailureOr<SmallVector<Value>> FlattenOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  return gb.finish({gb.reshape(resultGrads[0], staticShape(getInput()))});
}

FailureOr<SmallVector<Value>> ReshapeOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  return gb.finish({gb.reshape(resultGrads[0], staticShape(getInput()))});
}

FailureOr<SmallVector<Value>> TransposeOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  // A swap is its own inverse.
  return gb.finish({gb.create<TransposeOp>(
      {resultGrads[0]}, {gb.i64("dim0", getDim0()), gb.i64("dim1", getDim1())})});
}

FailureOr<SmallVector<Value>> ConcatOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  Value g = resultGrads[0];
  if (getInputs().size() == 1)
    return gb.finish({g});
  // Each input's gradient is its slice of g along the concatenation axis.
  int64_t rank = static_cast<int64_t>(staticShape(getResult()).size());
  // I64Attr getters return uint64_t: read the dim back as signed.
  int64_t dim = static_cast<int64_t>(getDim());
  if (dim < 0)
    dim += rank;
  SmallVector<Value> grads;
  int64_t start = 0;
  for (Value input : getInputs()) {
    int64_t size = staticShape(input)[dim];
    grads.push_back(gb.create<SliceOp>(
        {g}, {gb.i64("dim", dim), gb.i64("start", start), gb.i64("size", size)}));
    start += size;
  }
  return gb.finish(grads);
}
