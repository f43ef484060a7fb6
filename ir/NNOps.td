//===- NNOps.td - operations of the nn dialect --------------*- tablegen -*-===//
//
// Every op of the .net language with PyTorch 1.13 semantics. Each op's result
// types come from ShapeInferenceOpInterface (NNOps.cpp, via ir/ShapeMath).
//
//===----------------------------------------------------------------------===//

#ifndef NETC_IR_NNOPS_TD
#define NETC_IR_NNOPS_TD

include "ir/NNDialect.td"
include "ir/NNInterfaces.td"
include "mlir/IR/OpBase.td"
include "mlir/IR/BuiltinAttributes.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Type constraints and base classes
//===----------------------------------------------------------------------===//

def NN_FloatTensor : TensorOf<[F32, F64]>;
def NN_IndexTensor : TensorOf<[I32, I64]>;

/// Ops that build their own vector-Jacobian product (ir/NNGradients*.cpp).
defvar NN_Differentiable = DeclareOpInterfaceMethods<NN_GradientOpInterface>;

/// Every nn op infers its result types; most are pure.
class NN_Op<string mnemonic, list<Trait> traits = []>
    : Op<NN_Dialect, mnemonic,
         !listconcat(traits, [DeclareOpInterfaceMethods<NN_ShapeInferenceOpInterface>])> {
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

/// An elementwise op of one float tensor.
class NN_UnaryOp<string mnemonic, string torchName, list<Trait> traits = []>
    : NN_Op<mnemonic, !listconcat(traits, [Pure, NN_Differentiable])> {
  let summary = "elementwise " # mnemonic;
  let description = "Applies `" # torchName # "` to every element; the result has the "
                    # "operand's type.\n\nExample:\n\n```mlir\n%y = nn." # mnemonic
                    # " %x : (tensor<4x8xf32>) -> tensor<4x8xf32>\n```";
  let arguments = (ins NN_FloatTensor:$input);
  let results = (outs NN_FloatTensor:$result);
}

/// An elementwise op of two float tensors with NumPy broadcasting.
class NN_BinaryOp<string mnemonic, string torchName>
    : NN_Op<mnemonic, [Pure, NN_Differentiable]> {
  let summary = "elementwise " # mnemonic # " with broadcasting";
  let description = "Computes `" # torchName # "` elementwise. The operands broadcast "
                    # "with NumPy rules (trailing dimensions match or are 1) and share "
                    # "their element type.\n\nExample:\n\n```mlir\n%z = nn." # mnemonic
                    # " %x, %y : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>\n```";
  let arguments = (ins NN_FloatTensor:$lhs, NN_FloatTensor:$rhs);
  let results = (outs NN_FloatTensor:$result);
}

/// A loss: two operands, a scalar (0-d tensor) result, mean reduction.
class NN_LossOp<string mnemonic, string torchName>
    : NN_Op<mnemonic, [Pure, NN_Differentiable]> {
  let summary = torchName # " with mean reduction";
  let results = (outs NN_FloatTensor:$result);
}

//===----------------------------------------------------------------------===//
// Windowed ops: convolution, pooling, padding
//===----------------------------------------------------------------------===//

def NN_Conv2dOp : NN_Op<"conv2d", [Pure, NN_Differentiable,
    DeclareOpInterfaceMethods<NN_ReceptiveFieldOpInterface>]> {
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

def NN_MaxPool2dOp : NN_Op<"maxpool2d", [Pure, NN_Differentiable,
    DeclareOpInterfaceMethods<NN_ReceptiveFieldOpInterface>]> {
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

def NN_AvgPool2dOp : NN_Op<"avgpool2d", [Pure, NN_Differentiable,
    DeclareOpInterfaceMethods<NN_ReceptiveFieldOpInterface>]> {
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

def NN_Pad2dOp : NN_Op<"pad2d", [Pure, NN_Differentiable,
    DeclareOpInterfaceMethods<NN_ReceptiveFieldOpInterface>]> {
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

//===----------------------------------------------------------------------===//
// Layers with weights
//===----------------------------------------------------------------------===//

def NN_LinearOp : NN_Op<"linear", [Pure, NN_Differentiable]> {
  let summary = "affine map of the last axis (torch.nn.functional.linear)";
  let description = [{
    Computes `input @ weight^T + bias` over the last axis: input `[..., in]`,
    weight `[out, in]`, optional bias `[out]`, result `[..., out]`.

    Example:

    ```mlir
    %y = nn.linear %x, %w, %b
        : (tensor<64x42xf32>, tensor<128x42xf32>, tensor<128xf32>) -> tensor<64x128xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$weight,
                       Optional<NN_FloatTensor>:$bias);
  let results = (outs NN_FloatTensor:$result);
}

def NN_EmbeddingOp : NN_Op<"embedding", [Pure, NN_Differentiable]> {
  let summary = "table lookup (torch.nn.functional.embedding)";
  let description = [{
    Gathers rows of `weight` (`[num, dim]`) at integer `indices` of any shape;
    the result has shape `indices.shape + [dim]`. Indices outside `[0, num)`
    are an error at run time.

    Example:

    ```mlir
    %y = nn.embedding %idx, %w : (tensor<5x6xi64>, tensor<42x16xf32>) -> tensor<5x6x16xf32>
    ```
  }];
  let arguments = (ins NN_IndexTensor:$indices, NN_FloatTensor:$weight);
  let results = (outs NN_FloatTensor:$result);
}

def NN_DropoutOp : NN_Op<"dropout", [NN_Differentiable]> {
  let summary = "inverted dropout (torch.nn.functional.dropout)";
  let description = [{
    In training, zeroes each element with probability `p` and scales the kept
    ones by `1 / (1 - p)`; the mask is a pure function of the `seed` operand
    and the element index, so the backward pass can recompute the same mask.
    Without a seed (inference) it is the identity. `p` lies in `[0, 1)`.

    The mask rule, shared by every engine (runtime/DropoutMask.h): element
    `i` (flat, row-major) is kept iff
    `bits(seed, i) >= uint32(p * 2^24)` with
    `bits(seed, i) = mix64(seed + 0x9E3779B97F4A7C15 * (i + 1)) >> 40` (the
    top 24 bits, arithmetic modulo 2^64), where `mix64` is splitmix64's
    finaliser: `z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EB; z ^ (z >> 31)`.
    Not `Pure`: two dropouts of one value draw different masks and must not
    be merged by CSE.

    Example:

    ```mlir
    %y = nn.dropout %x, %seed {p = 1.000000e-01 : f64} : (tensor<8xf32>, i64) -> tensor<8xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, Optional<I64>:$seed, F64Attr:$p);
  let results = (outs NN_FloatTensor:$result);
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Activations and elementwise arithmetic
//===----------------------------------------------------------------------===//

def NN_ReluOp : NN_UnaryOp<"relu", "max(x, 0)"> {
  let hasFolder = 1;
}
def NN_SigmoidOp : NN_UnaryOp<"sigmoid", "1 / (1 + exp(-x))">;
def NN_TanhOp : NN_UnaryOp<"tanh", "tanh(x)">;
def NN_ExpOp : NN_UnaryOp<"exp", "exp(x)">;
def NN_LogOp : NN_UnaryOp<"log", "log(x)">;
def NN_SqrtOp : NN_UnaryOp<"sqrt", "sqrt(x)">;
def NN_NegOp : NN_UnaryOp<"neg", "-x">;

def NN_LeakyReluOp : NN_Op<"leaky_relu", [Pure, NN_Differentiable]> {
  let summary = "leaky rectifier (torch.nn.functional.leaky_relu)";
  let description = [{
    `x` where `x >= 0`, else `slope * x`; the slope defaults to 0.01.

    Example:

    ```mlir
    %y = nn.leaky_relu %x {slope = 2.000000e-01 : f64} : (tensor<4xf32>) -> tensor<4xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, DefaultValuedAttr<F64Attr, "0.01">:$slope);
  let results = (outs NN_FloatTensor:$result);
}

def NN_AddOp : NN_BinaryOp<"add", "lhs + rhs"> {
  let hasFolder = 1;
}
def NN_SubOp : NN_BinaryOp<"sub", "lhs - rhs"> {
  let hasFolder = 1;
}
def NN_MulOp : NN_BinaryOp<"mul", "lhs * rhs"> {
  let hasFolder = 1;
}
def NN_DivOp : NN_BinaryOp<"div", "lhs / rhs"> {
  let hasFolder = 1;
}

class NN_SoftmaxLikeOp<string mnemonic, string torchName>
    : NN_Op<mnemonic, [Pure, NN_Differentiable]> {
  let summary = torchName # " along one axis";
  let description = "Computes `" # torchName # "` along `dim` (default -1, negative counts "
                    # "from the end) in the numerically stable form that subtracts the "
                    # "maximum first.\n\nExample:\n\n```mlir\n%y = nn." # mnemonic
                    # " %x {dim = 1 : i64} : (tensor<2x10xf32>) -> tensor<2x10xf32>\n```";
  let arguments = (ins NN_FloatTensor:$input, DefaultValuedAttr<I64Attr, "-1">:$dim);
  let results = (outs NN_FloatTensor:$result);
}

def NN_SoftmaxOp : NN_SoftmaxLikeOp<"softmax", "torch.softmax">;
def NN_LogSoftmaxOp : NN_SoftmaxLikeOp<"log_softmax", "torch.log_softmax">;

//===----------------------------------------------------------------------===//
// Shape manipulation
//===----------------------------------------------------------------------===//

def NN_FlattenOp : NN_Op<"flatten", [Pure, NN_Differentiable]> {
  let summary = "merges a range of axes (torch.flatten)";
  let description = [{
    Merges axes `start_dim` to `end_dim` (defaults 1 and -1) into one.

    Example:

    ```mlir
    %y = nn.flatten %x : (tensor<2x3x4x5xf32>) -> tensor<2x60xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input,
                       DefaultValuedAttr<I64Attr, "1">:$start_dim,
                       DefaultValuedAttr<I64Attr, "-1">:$end_dim);
  let results = (outs NN_FloatTensor:$result);
  let hasFolder = 1;
}

def NN_ReshapeOp : NN_Op<"reshape", [Pure, NN_Differentiable]> {
  let summary = "views a tensor with another shape (torch.reshape)";
  let description = [{
    Reinterprets the elements in row-major order with `shape`; at most one
    entry may be -1 and is inferred from the element count.

    Example:

    ```mlir
    %y = nn.reshape %x {shape = array<i64: 4, -1>} : (tensor<2x6xf32>) -> tensor<4x3xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs NN_FloatTensor:$result);
  let hasFolder = 1;
}

def NN_TransposeOp : NN_Op<"transpose", [Pure, NN_Differentiable]> {
  let summary = "swaps two axes (torch.transpose)";
  let description = [{
    Swaps axes `dim0` and `dim1`; negative values count from the end.

    Example:

    ```mlir
    %y = nn.transpose %x {dim0 = 0 : i64, dim1 = 1 : i64} : (tensor<2x3xf32>) -> tensor<3x2xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, I64Attr:$dim0, I64Attr:$dim1);
  let results = (outs NN_FloatTensor:$result);
  let hasFolder = 1;
}

def NN_ConcatOp : NN_Op<"concat", [Pure, NN_Differentiable]> {
  let summary = "joins tensors along one axis (torch.cat)";
  let description = [{
    Concatenates one or more tensors of equal rank and element type along
    `dim` (default 1); all other axes must match.

    Example:

    ```mlir
    %y = nn.concat %a, %b {dim = 1 : i64}
        : (tensor<1x2x4x4xf32>, tensor<1x3x4x4xf32>) -> tensor<1x5x4x4xf32>
    ```
  }];
  let arguments = (ins Variadic<NN_FloatTensor>:$inputs, DefaultValuedAttr<I64Attr, "1">:$dim);
  let results = (outs NN_FloatTensor:$result);
}

//===----------------------------------------------------------------------===//
// Linear algebra and reductions
//===----------------------------------------------------------------------===//

def NN_MatmulOp : NN_Op<"matmul", [Pure, NN_Differentiable]> {
  let summary = "matrix product (torch.matmul)";
  let description = [{
    torch.matmul's rules: 1-D by 1-D is a dot product, a 1-D operand gains
    a unit axis that is removed afterwards, and leading batch axes broadcast.

    Example:

    ```mlir
    %y = nn.matmul %a, %b : (tensor<2x1x3x4xf32>, tensor<5x4x6xf32>) -> tensor<2x5x3x6xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$lhs, NN_FloatTensor:$rhs);
  let results = (outs NN_FloatTensor:$result);
}

class NN_ReduceOp<string mnemonic, string torchName>
    : NN_Op<mnemonic, [Pure, NN_Differentiable]> {
  let summary = torchName # " over some or all axes";
  let description = "Reduces with `" # torchName # "` over the axes in `dims` (all axes "
                    # "when absent); `keepdim` keeps them with size 1.\n\nExample:\n\n"
                    # "```mlir\n%y = nn." # mnemonic
                    # " %x {dims = array<i64: 1>} : (tensor<2x3xf32>) -> tensor<2xf32>\n```";
  let arguments = (ins NN_FloatTensor:$input, OptionalAttr<DenseI64ArrayAttr>:$dims,
                       DefaultValuedAttr<BoolAttr, "false">:$keepdim);
  let results = (outs NN_FloatTensor:$result);
}

def NN_SumOp : NN_ReduceOp<"sum", "torch.sum">;
def NN_MeanOp : NN_ReduceOp<"mean", "torch.mean">;

def NN_SqNormOp : NN_Op<"sqnorm", [Pure, NN_Differentiable]> {
  let summary = "sum of squares (squared Frobenius norm)";
  let description = [{
    Sums the squares of all elements into a 0-d tensor; the usual L2 penalty.

    Example:

    ```mlir
    %y = nn.sqnorm %w : (tensor<16x10xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input);
  let results = (outs NN_FloatTensor:$result);
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

def NN_MseOp : NN_LossOp<"mse", "torch.nn.functional.mse_loss"> {
  let description = [{
    Mean of `(input - target)^2` over all elements; the operands broadcast.

    Example:

    ```mlir
    %l = nn.mse %y, %t : (tensor<64x1xf32>, tensor<64x1xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$target);
}

def NN_BceOp : NN_LossOp<"bce", "torch.nn.functional.binary_cross_entropy"> {
  let description = [{
    Mean of `-(y log p + (1 - y) log(1 - p))` with each log clamped at -100,
    as PyTorch does; `input` holds probabilities, `target` has its shape.

    Example:

    ```mlir
    %l = nn.bce %p, %y : (tensor<32x1xf32>, tensor<32x1xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$target);
}

def NN_BceLogitsOp : NN_LossOp<"bce_logits",
    "torch.nn.functional.binary_cross_entropy_with_logits"> {
  let description = [{
    `bce(sigmoid(z), y)` computed stably from the logits `z` as
    `max(z, 0) - z y + log(1 + exp(-|z|))`; `target` has the input's shape.

    Example:

    ```mlir
    %l = nn.bce_logits %z, %y : (tensor<32x1xf32>, tensor<32x1xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$target);
}

def NN_CrossEntropyOp : NN_LossOp<"cross_entropy",
    "torch.nn.functional.cross_entropy"> {
  let description = [{
    Mean over the batch of `-log_softmax(logits)[target]` with class indices
    as targets: logits `[N, C]` with target `[N]`, `[N, C, d...]` with
    `[N, d...]`, or `[C]` with a 0-d target.

    Example:

    ```mlir
    %l = nn.cross_entropy %z, %t : (tensor<64x10xf32>, tensor<64xi64>) -> tensor<f32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_IndexTensor:$target);
}

//===----------------------------------------------------------------------===//
// gelu, silu and layer_norm (the primitives, their backward op and the
// composites that nn-decompose rewrites; methods in NNNewOps.cpp)
//===----------------------------------------------------------------------===//

def NN_GeluOp : NN_UnaryOp<"gelu", "x * Phi(x)"> {
  let summary = "Gaussian error linear unit (torch.nn.functional.gelu)";
  let description = [{
    The exact form, `0.5 * x * (1 + erf(x / sqrt(2)))`, elementwise; the
    result has the operand's type. As in PyTorch, `gelu(-inf)` is NaN
    (`-inf * 0`) and `gelu(inf)` is `inf`. The tanh approximation is the
    composite `nn.gelu_tanh`.

    Example:

    ```mlir
    %y = nn.gelu %x : (tensor<4x8xf32>) -> tensor<4x8xf32>
    ```
  }];
}

def NN_SiluOp : NN_UnaryOp<"silu", "x * sigmoid(x)"> {
  let summary = "sigmoid linear unit (torch.nn.functional.silu)";
  let description = [{
    `x / (1 + exp(-x))` elementwise, as PyTorch computes `x * sigmoid(x)`;
    the result has the operand's type.

    Example:

    ```mlir
    %y = nn.silu %x : (tensor<4x8xf32>) -> tensor<4x8xf32>
    ```
  }];
}

def NN_GeluBackwardOp : NN_Op<"gelu_backward", [Pure]> {
  let summary = "gradient of the exact gelu";
  let description = [{
    `grad * (Phi(x) + x * phi(x))` with `Phi(x) = 0.5 * (1 + erf(x / sqrt(2)))`
    and `phi(x) = exp(-x^2 / 2) / sqrt(2 pi)`, PyTorch's `gelu_backward`;
    `input` is the forward op's operand, of `grad`'s shape.

    Example:

    ```mlir
    %gx = nn.gelu_backward %g, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad, NN_FloatTensor:$input);
  let results = (outs NN_FloatTensor:$result);
}

def NN_GeluTanhOp : NN_Op<"gelu_tanh", [Pure, NN_Composite]> {
  let summary = "gelu's tanh approximation (gelu(x, approximate=\"tanh\"))";
  let description = [{
    `0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3)))` elementwise.
    A composite op: `nn-decompose` rewrites it into `nn.mul`, `nn.add` and
    `nn.tanh` with constants, whose gradients give PyTorch's.

    Example:

    ```mlir
    %y = nn.gelu_tanh %x : (tensor<4x8xf32>) -> tensor<4x8xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input);
  let results = (outs NN_FloatTensor:$result);
}

def NN_LayerNormOp : NN_Op<"layer_norm", [Pure, NN_Composite]> {
  let summary = "layer normalisation (torch.nn.functional.layer_norm)";
  let description = [{
    Normalises over the trailing axes named by `normalized_shape`, which must
    equal the input's trailing dimensions: `(x - mean) / sqrt(var + eps)`
    with the biased variance, then, when the two optional `affine` operands
    `weight` and `bias` (both of shape `normalized_shape`) are present,
    `* weight + bias`. A composite op: `nn-decompose` rewrites it into
    `nn.mean`, `nn.sub`, `nn.mul`, `nn.add`, `nn.sqrt` and `nn.div`.

    Example:

    ```mlir
    %y = nn.layer_norm %x, %w, %b {normalized_shape = array<i64: 8>}
        : (tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, Variadic<NN_FloatTensor>:$affine,
                       DenseI64ArrayAttr:$normalized_shape,
                       DefaultValuedAttr<F64Attr, "1e-5">:$eps);
  let results = (outs NN_FloatTensor:$result);
  let extraClassDeclaration = [{
    /// The scale, or null without the affine operands.
    ::mlir::Value getWeight() { return getAffine().empty() ? nullptr : getAffine()[0]; }
    /// The shift, or null without the affine operands.
    ::mlir::Value getBias() { return getAffine().size() < 2 ? nullptr : getAffine()[1]; }
  }];
}

include "ir/NNBackwardOps.td"

#endif // NETC_IR_NNOPS_TD
