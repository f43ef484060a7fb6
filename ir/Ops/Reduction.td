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

#endif // NETC_IR_OPS_REDUCTION_TD
