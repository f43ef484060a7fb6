//===- Tensor.td - tensor manipulation of the nn dialect ---*- tablegen -*-===//
//
// Ops that rearrange or select elements of a tensor: permute, the maxima and
// minima along an axis with their indices, logsumexp, the triangular masks
// triu and tril, and the gradients of max/min and of slice.
// Included from ir/NNOps.td; the ops' methods are in Tensor.cpp beside this file.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_IR_OPS_TENSOR_TD
#define NETC_IR_OPS_TENSOR_TD

def NN_PermuteOp : NN_Op<"permute", [Pure, NN_Differentiable, NN_FieldRule, NN_Costed]> {
  let summary = "reorders all axes (torch.permute)";
  let description = [{
    Result axis `i` is input axis `dims[i]`; `dims` is a permutation of the
    axes (negative values count from the end).

    Example:

    ```mlir
    %y = nn.permute %x {dims = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, DenseI64ArrayAttr:$dims);
  let results = (outs NN_FloatTensor:$result);
  let hasFolder = 1;
}

/// max and min along one axis: the values of torch.max(x, dim).
class NN_ExtremumOp<string mnemonic, string torchName>
    : NN_Op<mnemonic, [Pure, NN_Differentiable, NN_FieldRule, NN_Costed]> {
  let summary = "the " # mnemonic # "imum along one axis (values of " # torchName # ")";
  let description = "The " # mnemonic # "imum of `input` along `dim`; `keepdim` keeps the "
                    # "axis with size 1. NaN wins. The gradient goes to the first index "
                    # "of the " # mnemonic # "imum, as PyTorch's.\n\nExample:\n\n"
                    # "```mlir\n%y = nn." # mnemonic
                    # " %x {dim = 1 : i64} : (tensor<2x3xf32>) -> tensor<2xf32>\n```";
  let arguments = (ins NN_FloatTensor:$input, I64Attr:$dim,
                       DefaultValuedAttr<BoolAttr, "false">:$keepdim);
  let results = (outs NN_FloatTensor:$result);
}

def NN_MaxOp : NN_ExtremumOp<"max", "torch.max">;

def NN_MinOp : NN_ExtremumOp<"min", "torch.min">;

/// argmax and argmin along one axis: i64 indices, without a gradient.
class NN_ArgExtremumOp<string mnemonic, string torchName>
    : NN_Op<mnemonic, [Pure, NN_NotDifferentiable, NN_FieldRule, NN_Costed]> {
  let summary = "the index of the first " # torchName # " along one axis";
  let description = "The i64 index of the first extremum of `input` along `dim` (a NaN "
                    # "counts as the extremum); `keepdim` keeps the axis with size 1."
                    # "\n\nExample:\n\n```mlir\n%i = nn." # mnemonic
                    # " %x {dim = 1 : i64} : (tensor<2x3xf32>) -> tensor<2xi64>\n```";
  let arguments = (ins NN_FloatTensor:$input, I64Attr:$dim,
                       DefaultValuedAttr<BoolAttr, "false">:$keepdim);
  let results = (outs TensorOf<[I64]>:$result);
}

def NN_ArgMaxOp : NN_ArgExtremumOp<"argmax", "torch.argmax">;

def NN_ArgMinOp : NN_ArgExtremumOp<"argmin", "torch.argmin">;

def NN_ExtremumBackwardOp : NN_Op<"extremum_backward", NN_BackwardTraits> {
  let summary = "the gradient of max and min along one axis";
  let description = [{
    A tensor of `input`'s shape, zero except at the first maximum (the first
    minimum when `is_min`) of `input` along `dim`, which holds `grad`; `grad`
    has the reduced axis with size 1.

    Example:

    ```mlir
    %gx = nn.extremum_backward %x, %g {dim = 1 : i64}
        : (tensor<2x3xf32>, tensor<2x1xf32>) -> tensor<2x3xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$grad, I64Attr:$dim,
                       DefaultValuedAttr<BoolAttr, "false">:$is_min);
  let results = (outs NN_FloatTensor:$result);
}

def NN_LogSumExpOp : NN_Op<"logsumexp", [Pure, NN_Composite, NN_Global, NN_CostOpInterface]> {
  let summary = "log of the sum of exponentials along one axis (torch.logsumexp)";
  let description = [{
    `log(sum(exp(x), dim))` in the stable form `m + log(sum(exp(x - m)))`
    with `m` the maximum along `dim`; `keepdim` keeps the axis with size 1.
    A composite op: `nn-decompose` rewrites it into `nn.max`, `nn.sub`,
    `nn.exp`, `nn.sum`, `nn.log` and `nn.add`.

    Example:

    ```mlir
    %y = nn.logsumexp %x {dim = 1 : i64} : (tensor<2x3xf32>) -> tensor<2xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, I64Attr:$dim,
                       DefaultValuedAttr<BoolAttr, "false">:$keepdim);
  let results = (outs NN_FloatTensor:$result);
}

/// triu and tril: a tensor with the elements off one triangle of its two
/// trailing axes set to zero.
class NN_TriangleOp<string mnemonic, string torchName, string kept>
    : NN_Op<mnemonic, [Pure, NN_Differentiable, NN_FieldRule, NN_Costed]> {
  let summary = "the " # kept # " triangle of the trailing two axes (" # torchName # ")";
  let description = "Keeps the elements (i, j) of the two trailing axes with j - i "
                    # !if(!eq(mnemonic, "triu"), ">=", "<=")
                    # " `diagonal` and sets the others to zero.\n\nExample:\n\n"
                    # "```mlir\n%y = nn." # mnemonic
                    # " %x {diagonal = 1 : i64} : (tensor<4x4xf32>) -> tensor<4x4xf32>\n```";
  let arguments = (ins NN_FloatTensor:$input, DefaultValuedAttr<I64Attr, "0">:$diagonal);
  let results = (outs NN_FloatTensor:$result);
}

def NN_TriuOp : NN_TriangleOp<"triu", "torch.triu", "upper">;

def NN_TrilOp : NN_TriangleOp<"tril", "torch.tril", "lower">;

def NN_SliceBackwardOp : NN_Op<"slice_backward", NN_BackwardTraits> {
  let summary = "the gradient of a strided slice";
  let description = [{
    A tensor like the slice's input with `length` elements along `dim`:
    `grad`'s elements at positions `start + k * step`, zero elsewhere.

    Example:

    ```mlir
    %gx = nn.slice_backward %g {dim = 1 : i64, start = 1 : i64, step = 2 : i64, length = 5 : i64}
        : (tensor<3x2xf32>) -> tensor<3x5xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad, I64Attr:$dim, I64Attr:$start, I64Attr:$step,
                       I64Attr:$length);
  let results = (outs NN_FloatTensor:$result);
}

#endif // NETC_IR_OPS_TENSOR_TD
