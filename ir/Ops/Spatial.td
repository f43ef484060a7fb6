//===- Spatial.td - resampling and spatial normalisation ops -*- tablegen -*-===//
//
// The transposed convolution, adaptive pooling, upsampling and the group and
// instance normalisations. All are composite: nn-decompose rewrites them into
// primitive ops (passes/DecomposeSpatial.cpp), so they carry a shape rule and
// a receptive-field rule (the analysis runs before decomposition) and
// nothing else. Included from ir/NNOps.td; methods in Spatial.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_IR_OPS_SPATIAL_TD
#define NETC_IR_OPS_SPATIAL_TD

/// A composite op with its own receptive-field rule.
defvar NN_SpatialComposite = [Pure, NN_Composite, NN_FieldRule, NN_CostOpInterface];

def NN_ConvTranspose2dOp : NN_Op<"conv_transpose2d", NN_SpatialComposite> {
  let summary = "2-D transposed convolution (torch.nn.functional.conv_transpose2d)";
  let description = [{
    The adjoint of `nn.conv2d`: an `[N, C, H, W]` (or `[C, H, W]`) input and a
    weight `[C, O / groups, kH, kW]` give `[N, O, OH, OW]` with
    `OH = (H - 1) * stride - 2 * padding + dilation * (kH - 1) + output_padding + 1`,
    plus the optional bias `[O]`. `padding` and `output_padding` are
    `[h, w]` pairs; `output_padding` must be smaller than the stride. A
    composite op: it becomes `nn.conv2d_backward_input` (and an `nn.add` of
    the bias).

    Example:

    ```mlir
    %y = nn.conv_transpose2d %x, %w, %b {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>}
        : (tensor<1x8x4x4xf32>, tensor<8x3x3x3xf32>, tensor<3xf32>) -> tensor<1x3x7x7xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$weight,
                       Optional<NN_FloatTensor>:$bias,
                       DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$stride,
                       DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0}">:$padding,
                       DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0}">:$output_padding,
                       DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilation,
                       DefaultValuedAttr<I64Attr, "1">:$groups);
  let results = (outs NN_FloatTensor:$result);
}

def NN_AdaptiveAvgPool2dOp : NN_Op<"adaptive_avg_pool2d", NN_SpatialComposite> {
  let summary = "2-D adaptive average pooling (torch.nn.functional.adaptive_avg_pool2d)";
  let description = [{
    Averages, for output index `i` of an axis of input size `in` and output
    size `out`, the input bin `[floor(i * in / out), ceil((i + 1) * in / out))`.
    `size` is `[OH, OW]`. A composite op: an `nn.avgpool2d` when each output
    size divides its input size, else products with constant averaging
    matrices.

    Example:

    ```mlir
    %y = nn.adaptive_avg_pool2d %x {size = array<i64: 3, 3>}
        : (tensor<1x4x7x7xf32>) -> tensor<1x4x3x3xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, DenseI64ArrayAttr:$size);
  let results = (outs NN_FloatTensor:$result);
}

def NN_AdaptiveMaxPool2dOp : NN_Op<"adaptive_max_pool2d", NN_SpatialComposite> {
  let summary = "2-D adaptive max pooling (torch.nn.functional.adaptive_max_pool2d)";
  let description = [{
    The maximum over the bins of `nn.adaptive_avg_pool2d`. A composite op:
    an `nn.maxpool2d` when each output size divides its input size, else one
    stride-1 max pool per bin size along each axis and products with
    constant matrices that pick each bin's window.

    Example:

    ```mlir
    %y = nn.adaptive_max_pool2d %x {size = array<i64: 2, 2>}
        : (tensor<1x4x5x5xf32>) -> tensor<1x4x2x2xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, DenseI64ArrayAttr:$size);
  let results = (outs NN_FloatTensor:$result);
}

def NN_UpsampleOp : NN_Op<"upsample", NN_SpatialComposite> {
  let summary = "2-D resizing (torch.nn.functional.interpolate)";
  let description = [{
    Resizes the two trailing axes to `size` with `mode` `"nearest"` (source
    index `min(floor(i * scale), in - 1)`) or `"bilinear"` (with or without
    `align_corners`). `scale` holds the source-per-output step PyTorch uses
    on each axis: `1 / scale_factor` when the call gave a scale factor, else
    `in / out`. A composite op: products with constant interpolation matrices
    along H and along W.

    Example:

    ```mlir
    %y = nn.upsample %x {size = array<i64: 8, 8>, scale = array<f64: 0.5, 0.5>,
                         mode = "bilinear"}
        : (tensor<1x4x4x4xf32>) -> tensor<1x4x8x8xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, DenseI64ArrayAttr:$size,
                       DenseF64ArrayAttr:$scale,
                       DefaultValuedAttr<StrAttr, "\"nearest\"">:$mode,
                       DefaultValuedAttr<BoolAttr, "false">:$align_corners);
  let results = (outs NN_FloatTensor:$result);
}

def NN_GroupNormOp : NN_Op<"group_norm", [Pure, NN_Composite, NN_Global, NN_CostOpInterface]> {
  let summary = "group normalisation (torch.nn.functional.group_norm)";
  let description = [{
    Splits the channels (axis 1 of `[N, C, ...]`) into `groups` groups and
    normalises each group of each sample by its mean and biased variance,
    then, with the two optional `affine` operands `weight` and `bias` (both
    `[C]`), scales and shifts each channel. With `groups = C` and no affine
    operands it is instance normalisation. A composite op.

    Example:

    ```mlir
    %y = nn.group_norm %x, %w, %b {groups = 2 : i64}
        : (tensor<2x4x3x3xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4x3x3xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, Variadic<NN_FloatTensor>:$affine,
                       I64Attr:$groups, DefaultValuedAttr<F64Attr, "1e-5">:$eps);
  let results = (outs NN_FloatTensor:$result);
  let extraClassDeclaration = [{
    /// The scale, or null without the affine operands.
    ::mlir::Value getWeight() { return getAffine().empty() ? nullptr : getAffine()[0]; }
    /// The shift, or null without the affine operands.
    ::mlir::Value getBias() { return getAffine().size() < 2 ? nullptr : getAffine()[1]; }
  }];
}

#endif // NETC_IR_OPS_SPATIAL_TD
