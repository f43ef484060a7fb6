//===- Window.td - windowed ops of the nn dialect ----------*- tablegen -*-===//
//
// Ops that slide a window over the two trailing spatial axes (convolution,
// pooling, padding) and their gradients.
// Included from ir/NNOps.td; the ops' methods are in Window.cpp beside this file.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_IR_OPS_WINDOW_TD
#define NETC_IR_OPS_WINDOW_TD

def NN_Conv2dOp : NN_Op<"conv2d", [Pure, NN_Differentiable, NN_FieldRule, NN_Costed]> {
  let summary = "2-D convolution (torch.nn.functional.conv2d)";
  let description = [{
    Cross-correlates an `[N, C, H, W]` (or unbatched `[C, H, W]`) input with a
    weight of shape `[O, C / groups, kH, kW]` and adds the optional bias `[O]`.
    `padding` is `[top, bottom, left, right]` (the importer resolves `"same"`
    and symmetric forms). The output size per axis is
    `floor((in + before + after - dilation * (k - 1) - 1) / stride) + 1`.

    Example:

    ```mlir
    %y = nn.conv2d %x, %w, %b {padding = array<i64: 1, 1, 1, 1>}
        : (tensor<1x3x32x32xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<1x8x32x32xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$weight,
                       Optional<NN_FloatTensor>:$bias,
                       DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$stride,
                       DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$padding,
                       DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilation,
                       DefaultValuedAttr<I64Attr, "1">:$groups);
  let results = (outs NN_FloatTensor:$result);
}

def NN_MaxPool2dOp : NN_Op<"maxpool2d", [Pure, NN_Differentiable, NN_FieldRule, NN_Costed]> {
  let summary = "2-D max pooling (torch.nn.functional.max_pool2d)";
  let description = [{
    Takes the maximum over each `kernel` window of the two trailing axes.
    Padding is `[top, bottom, left, right]`, each side at most half the kernel
    (PyTorch's rule), and padded positions never win. With `ceil_mode` the
    output rounds up, but a last window that would start in the bottom or
    right padding is dropped, as in PyTorch.

    Example:

    ```mlir
    %y = nn.maxpool2d %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>}
        : (tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input,
                       DenseI64ArrayAttr:$kernel,
                       DenseI64ArrayAttr:$stride,
                       DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$padding,
                       DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilation,
                       DefaultValuedAttr<BoolAttr, "false">:$ceil_mode);
  let results = (outs NN_FloatTensor:$result);
}

def NN_AvgPool2dOp : NN_Op<"avgpool2d", [Pure, NN_Differentiable, NN_FieldRule, NN_Costed]> {
  let summary = "2-D average pooling (torch.nn.functional.avg_pool2d)";
  let description = [{
    Averages each `kernel` window of the two trailing axes. With
    `count_include_pad` (the default) the divisor is the window size clipped to
    the padded input; without it, only real elements count. `ceil_mode` as in
    `nn.maxpool2d`.

    Example:

    ```mlir
    %y = nn.avgpool2d %x {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>,
                          padding = array<i64: 1, 1, 1, 1>}
        : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input,
                       DenseI64ArrayAttr:$kernel,
                       DenseI64ArrayAttr:$stride,
                       DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$padding,
                       DefaultValuedAttr<BoolAttr, "false">:$ceil_mode,
                       DefaultValuedAttr<BoolAttr, "true">:$count_include_pad);
  let results = (outs NN_FloatTensor:$result);
}

def NN_Pad2dOp : NN_Op<"pad2d", [Pure, NN_Differentiable, NN_FieldRule, NN_Costed]> {
  let summary = "constant padding of the two trailing axes (torch.nn.functional.pad)";
  let description = [{
    Pads the two trailing axes by `pads = [top, bottom, left, right]` with
    `value`. Negative amounts crop, as `F.pad` does.

    Example:

    ```mlir
    %y = nn.pad2d %x {pads = array<i64: 1, 1, 2, -1>}
        : (tensor<1x1x4x4xf32>) -> tensor<1x1x6x5xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, DenseI64ArrayAttr:$pads,
                       DefaultValuedAttr<F64Attr, "0.0">:$value);
  let results = (outs NN_FloatTensor:$result);
}

def NN_Conv2dBackwardInputOp : NN_Op<"conv2d_backward_input",
    [Pure, NN_Differentiable, NN_Global, NN_CostOpInterface]> {
  let summary = "gradient of conv2d with respect to its input";
  let description = [{
    The transposed convolution of `grad` (the gradient of a conv2d result,
    `[N, O, OH, OW]`) with the conv's `weight` `[O, C / groups, kH, kW]`,
    giving the gradient of the conv's input, whose shape `input_shape` names
    (the output size alone does not determine it when the stride does not
    divide). Attributes are the forward conv's. It is also the transposed
    convolution `nn.conv_transpose2d` decomposes into, so it has a VJP of
    its own: a conv2d of the result's gradient for `grad`, a
    conv2d_backward_filter for `weight`.

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

def NN_Conv2dBackwardFilterOp : NN_Op<"conv2d_backward_filter", NN_BackwardTraits> {
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

def NN_MaxPool2dBackwardOp : NN_Op<"maxpool2d_backward", NN_BackwardTraits> {
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

def NN_AvgPool2dBackwardOp : NN_Op<"avgpool2d_backward", NN_BackwardTraits> {
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

#endif // NETC_IR_OPS_WINDOW_TD
