//===- Reduction.td - reductions of the nn dialect ---------*- tablegen -*-===//
//
// Ops that reduce along axes (sums, means, the squared norm) or normalise
// along one (softmax), and the sum back to a broadcast shape.
// Included from ir/NNOps.td; the ops' methods are in Reduction.cpp beside this file.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_IR_OPS_REDUCTION_TD
#define NETC_IR_OPS_REDUCTION_TD

class NN_ReduceOp<string mnemonic, string torchName>
    : NN_Op<mnemonic, [Pure, NN_Differentiable, NN_FieldRule, NN_Costed]> {
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

def NN_SqNormOp : NN_Op<"sqnorm", [Pure, NN_Differentiable, NN_Global, NN_Costed]> {
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

class NN_SoftmaxLikeOp<string mnemonic, string torchName>
    : NN_Op<mnemonic, [Pure, NN_Differentiable, NN_FieldRule, NN_Costed]> {
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

def NN_SumToOp : NN_Op<"sum_to", NN_BackwardTraits> {
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

def NN_LayerNormOp : NN_Op<"layer_norm", [Pure, NN_Composite, NN_Global, NN_CostOpInterface]> {
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

#endif // NETC_IR_OPS_REDUCTION_TD
