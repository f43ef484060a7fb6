//===- NNBackwardOps.td - ops of the backward pass ----------*- tablegen -*-===//
//
// The ops that vector-Jacobian products need beyond the forward ops: the
// gradients of convolution, pooling and embedding, the stable forms of the
// loss gradients, and the shape plumbing of broadcasting. They are ordinary
// nn ops: printed, verified, interpreted and lowered like the rest.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_IR_NNBACKWARDOPS_TD
#define NETC_IR_NNBACKWARDOPS_TD

def NN_Conv2dBackwardInputOp : NN_Op<"conv2d_backward_input", [Pure]> {
  let summary = "gradient of conv2d with respect to its input";
  let description = [{
    The transposed convolution of `grad` (the gradient of a conv2d result,
    `[N, O, OH, OW]`) with the conv's `weight` `[O, C / groups, kH, kW]`,
    giving the gradient of the conv's input, whose shape `input_shape` names
    (the output size alone does not determine it when the stride does not
    divide). Attributes are the forward conv's.

    Example:

    ```mlir
    %gx = nn.conv2d_backward_input %g, %w {input_shape = array<i64: 1, 3, 8, 8>}
        : (tensor<1x4x6x6xf32>, tensor<4x3x3x3xf32>) -> tensor<1x3x8x8xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad, NN_FloatTensor:$weight,
                       DenseI64ArrayAttr:$input_shape,
                       DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$stride,
                       DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$padding,
                       DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilation,
                       DefaultValuedAttr<I64Attr, "1">:$groups);
  let results = (outs NN_FloatTensor:$result);
}

def NN_Conv2dBackwardFilterOp : NN_Op<"conv2d_backward_filter", [Pure]> {
  let summary = "gradient of conv2d with respect to its weight";
  let description = [{
    Correlates the conv's `input` with `grad`, the gradient of its result,
    summing over the batch: the result is the gradient of the weight,
    `[O, C / groups, kernel[0], kernel[1]]`. Attributes are the forward conv's.

    Example:

    ```mlir
    %gw = nn.conv2d_backward_filter %x, %g {kernel = array<i64: 3, 3>}
        : (tensor<1x3x8x8xf32>, tensor<1x4x6x6xf32>) -> tensor<4x3x3x3xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$grad,
                       DenseI64ArrayAttr:$kernel,
                       DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$stride,
                       DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$padding,
                       DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilation,
                       DefaultValuedAttr<I64Attr, "1">:$groups);
  let results = (outs NN_FloatTensor:$result);
}

def NN_MaxPool2dBackwardOp : NN_Op<"maxpool2d_backward", [Pure]> {
  let summary = "gradient of maxpool2d";
  let description = [{
    Routes each element of `grad` (the gradient of a maxpool2d result) to the
    position of its window's maximum in `input`, the pool's input, summing
    where windows overlap. Ties go to the first maximum in row-major window
    order, as PyTorch's CPU kernel does. Attributes are the forward pool's.

    Example:

    ```mlir
    %gx = nn.maxpool2d_backward %g, %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>}
        : (tensor<1x4x4x4xf32>, tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad, NN_FloatTensor:$input,
                       DenseI64ArrayAttr:$kernel,
                       DenseI64ArrayAttr:$stride,
                       DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$padding,
                       DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilation,
                       DefaultValuedAttr<BoolAttr, "false">:$ceil_mode);
  let results = (outs NN_FloatTensor:$result);
}

def NN_AvgPool2dBackwardOp : NN_Op<"avgpool2d_backward", [Pure]> {
  let summary = "gradient of avgpool2d";
  let description = [{
    Spreads each element of `grad` evenly over its window, divided by the
    same divisor the forward pool used; `input` is the pool's input (only its
    shape matters). Attributes are the forward pool's.

    Example:

    ```mlir
    %gx = nn.avgpool2d_backward %g, %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>}
        : (tensor<1x4x4x4xf32>, tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad, NN_FloatTensor:$input,
                       DenseI64ArrayAttr:$kernel,
                       DenseI64ArrayAttr:$stride,
                       DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$padding,
                       DefaultValuedAttr<BoolAttr, "false">:$ceil_mode,
                       DefaultValuedAttr<BoolAttr, "true">:$count_include_pad);
  let results = (outs NN_FloatTensor:$result);
}

def NN_EmbeddingBackwardOp : NN_Op<"embedding_backward", [Pure]> {
  let summary = "gradient of embedding with respect to its table";
  let description = [{
    Scatters the rows of `grad` (`indices.shape + [dim]`) into a zero table
    of `num` rows, accumulating rows whose indices repeat.

    Example:

    ```mlir
    %gw = nn.embedding_backward %g, %idx {num = 42 : i64}
        : (tensor<5x6x16xf32>, tensor<5x6xi64>) -> tensor<42x16xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad, NN_IndexTensor:$indices, I64Attr:$num);
  let results = (outs NN_FloatTensor:$result);
}

def NN_LeakyReluBackwardOp : NN_Op<"leaky_relu_backward", [Pure]> {
  let summary = "gradient of relu and leaky_relu";
  let description = [{
    `grad` where `input > 0`, else `slope * grad` (PyTorch's convention at 0);
    with slope 0 this is the gradient of relu.

    Example:

    ```mlir
    %gx = nn.leaky_relu_backward %g, %x {slope = 0.0 : f64}
        : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad, NN_FloatTensor:$input,
                       DefaultValuedAttr<F64Attr, "0.0">:$slope);
  let results = (outs NN_FloatTensor:$result);
}

def NN_BceBackwardOp : NN_Op<"bce_backward", [Pure]> {
  let summary = "gradient of bce with respect to its input";
  let description = [{
    `grad * (input - target) / max(input * (1 - input), 1e-12) / numel`, the
    clamped form PyTorch uses; `grad` is the 0-d gradient of the loss.

    Example:

    ```mlir
    %gp = nn.bce_backward %g, %p, %y
        : (tensor<f32>, tensor<32x1xf32>, tensor<32x1xf32>) -> tensor<32x1xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad, NN_FloatTensor:$input, NN_FloatTensor:$target);
  let results = (outs NN_FloatTensor:$result);
}

def NN_CrossEntropyBackwardOp : NN_Op<"cross_entropy_backward", [Pure]> {
  let summary = "gradient of cross_entropy with respect to its logits";
  let description = [{
    `grad * (softmax(input) - one_hot(target)) / count` along the class axis
    (axis 1, or 0 for unbatched logits), `count` being the number of targets;
    `grad` is the 0-d gradient of the loss.

    Example:

    ```mlir
    %gz = nn.cross_entropy_backward %g, %z, %t
        : (tensor<f32>, tensor<64x10xf32>, tensor<64xi64>) -> tensor<64x10xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad, NN_FloatTensor:$input, NN_IndexTensor:$target);
  let results = (outs NN_FloatTensor:$result);
}

def NN_SumToOp : NN_Op<"sum_to", [Pure]> {
  let summary = "sums a broadcast tensor back to a shape";
  let description = [{
    The adjoint of broadcasting: sums `input` over the axes along which
    `shape` was broadcast to give `input`'s shape (leading axes that `shape`
    lacks, and axes where `shape` has 1), giving a tensor of `shape`.

    Example:

    ```mlir
    %gb = nn.sum_to %g {shape = array<i64: 8>} : (tensor<4x8xf32>) -> tensor<8xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs NN_FloatTensor:$result);
}

def NN_BroadcastToOp : NN_Op<"broadcast_to", [Pure]> {
  let summary = "broadcasts a tensor to a shape";
  let description = [{
    Repeats `input` along broadcast axes (NumPy rules) to `shape`; the
    gradient of the reductions.

    Example:

    ```mlir
    %y = nn.broadcast_to %x {shape = array<i64: 4, 8>} : (tensor<1x8xf32>) -> tensor<4x8xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs NN_FloatTensor:$result);
}

def NN_SliceOp : NN_Op<"slice", [Pure]> {
  let summary = "a contiguous range of one axis";
  let description = [{
    Takes `size` elements of axis `dim` starting at `start`; the gradient of
    `nn.concat`.

    Example:

    ```mlir
    %y = nn.slice %x {dim = 1 : i64, start = 2 : i64, size = 3 : i64}
        : (tensor<1x5x4x4xf32>) -> tensor<1x3x4x4xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, I64Attr:$dim, I64Attr:$start, I64Attr:$size);
  let results = (outs NN_FloatTensor:$result);
}

#endif // NETC_IR_NNBACKWARDOPS_TD
