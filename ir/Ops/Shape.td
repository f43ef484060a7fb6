//===- Shape.td - shape manipulation of the nn dialect -----*- tablegen -*-===//
//
// Ops that move elements without computing on them: flatten, reshape,
// transpose and concat, and the slices and broadcasts their gradients use.
// Included from ir/NNOps.td; the ops' methods are in Shape.cpp beside this file.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_IR_OPS_SHAPE_TD
#define NETC_IR_OPS_SHAPE_TD

def NN_FlattenOp : NN_Op<"flatten", [Pure, NN_Differentiable, NN_FieldRule, NN_Costed]> {
  let summary = "merges a range of axes (torch.flatten)";
  let description = [{
    Merges axes `start_dim` to `end_dim` (defaults 1 and -1) into one; any
    element type, integers carrying no gradient.

    Example:

    ```mlir
    %y = nn.flatten %x : (tensor<2x3x4x5xf32>) -> tensor<2x60xf32>
    ```
  }];
  let arguments = (ins NN_AnyTensor:$input,
                       DefaultValuedAttr<I64Attr, "1">:$start_dim,
                       DefaultValuedAttr<I64Attr, "-1">:$end_dim);
  let results = (outs NN_AnyTensor:$result);
  let hasFolder = 1;
}

def NN_ReshapeOp : NN_Op<"reshape", [Pure, NN_Differentiable, NN_FieldRule, NN_Costed]> {
  let summary = "views a tensor with another shape (torch.reshape)";
  let description = [{
    Reinterprets the elements in row-major order with `shape`; at most one
    entry may be -1 and is inferred from the element count. Any element type
    (f32, f64, i32, i64): integer tensors such as class labels reshape too, and
    carry no gradient.

    Example:

    ```mlir
    %y = nn.reshape %x {shape = array<i64: 4, -1>} : (tensor<2x6xf32>) -> tensor<4x3xf32>
    ```
  }];
  let arguments = (ins NN_AnyTensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs NN_AnyTensor:$result);
  let hasFolder = 1;
}

def NN_TransposeOp : NN_Op<"transpose", [Pure, NN_Differentiable, NN_FieldRule, NN_Costed]> {
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

def NN_ConcatOp : NN_Op<"concat", [Pure, NN_Differentiable, NN_FieldRule, NN_Costed]> {
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

def NN_SliceOp : NN_Op<"slice", [Pure, NN_Differentiable, NN_Global, NN_CostOpInterface]> {
  let summary = "a strided range of one axis (x[start:end:step] along dim)";
  let description = [{
    Takes `size` elements of axis `dim` at `start`, `start + step`, ...;
    `step` defaults to 1. The language's `slice` and `split`, and the
    gradient of `nn.concat`.

    Example:

    ```mlir
    %y = nn.slice %x {dim = 1 : i64, start = 2 : i64, size = 3 : i64}
        : (tensor<1x5x4x4xf32>) -> tensor<1x3x4x4xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, I64Attr:$dim, I64Attr:$start, I64Attr:$size,
                       DefaultValuedAttr<I64Attr, "1">:$step);
  let results = (outs NN_FloatTensor:$result);
}

def NN_BroadcastToOp : NN_Op<"broadcast_to", NN_BackwardTraits> {
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

#endif // NETC_IR_OPS_SHAPE_TD
