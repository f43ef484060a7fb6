//===- Dense.td - dense linear algebra of the nn dialect ---*- tablegen -*-===//
//
// Ops that contract or gather over a whole axis: affine layers, the matrix
// product and table lookups, and the gradient of the lookup.
// Included from ir/NNOps.td; the ops' methods are in Dense.cpp beside this file.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_IR_OPS_DENSE_TD
#define NETC_IR_OPS_DENSE_TD

def NN_LinearOp : NN_Op<"linear", [Pure, NN_Differentiable, NN_Global, NN_Costed]> {
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

def NN_MatmulOp : NN_Op<"matmul", [Pure, NN_Differentiable, NN_Global, NN_Costed]> {
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

def NN_EmbeddingOp : NN_Op<"embedding", [Pure, NN_Differentiable, NN_Global, NN_Costed]> {
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

def NN_EmbeddingBackwardOp : NN_Op<"embedding_backward", NN_BackwardTraits> {
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

#endif // NETC_IR_OPS_DENSE_TD
