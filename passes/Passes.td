//===- Passes.td - passes over the nn dialect ---------------*- tablegen -*-===//

#ifndef NETC_PASSES_PASSES_TD
#define NETC_PASSES_PASSES_TD

include "mlir/Pass/PassBase.td"

def NNInferShapes : Pass<"nn-infer-shapes", "mlir::func::FuncOp"> {
  let summary = "Fill in the static result shapes of nn ops";
  let description = [{
    Walks a function in program order and gives every nn op whose results are
    still unranked (`tensor<*xf32>`) the static type that PyTorch's shape
    rules derive from its operands and attributes, then updates the function
    signature to match what it returns. When no shape exists (channels that
    do not match, shapes that do not broadcast), the error names the op, its
    source location and the shapes involved, and the pass fails.

    Example:

    ```mlir
    %y = nn.relu %x : (tensor<2x3xf32>) -> tensor<*xf32>
    // becomes
    %y = nn.relu %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
    ```
  }];
  let dependentDialects = ["::netc::nn::NNDialect"];
}

def NNReceptiveField : Pass<"nn-receptive-field", "mlir::func::FuncOp"> {
  let summary = "Compute the receptive field of every spatial value";
  let description = [{
    For every value that depends on the model's image input, computes per
    spatial axis (H and W, the two trailing axes) the receptive-field size r,
    the effective stride j and the effective padding p relative to that input,
    with the closed forms of Araujo, Norris and Sim, "Computing Receptive
    Fields of Convolutional Neural Networks" (Distill, 2019). An op with the
    receptive-field interface (`nn.conv2d`, `nn.maxpool2d`, `nn.avgpool2d`,
    `nn.pad2d`) of effective kernel k' = d(k - 1) + 1, stride s and top/left
    padding q (negative for a crop) gives r_out = r_in + (k' - 1) j_in,
    j_out = j_in s, p_out = p_in + q j_in. Output index i then sees input
    indices [i j - p, i j - p + r - 1]; p is how far the first window starts
    before input index 0.

    The image inputs are the float arguments of rank 3 or 4 marked `nn.input`;
    a value is measured against the first of them (in argument order) that it
    depends on. Activations, dropout, softmax over a non-spatial axis,
    reductions over non-spatial axes, flatten/reshape/transpose that keep the
    two trailing axes pass the geometry through (a transpose of H and W swaps
    it). Where paths join (`nn.add`, `nn.sub`, `nn.mul`, `nn.div` of two
    dependent values, `nn.concat` along a non-spatial axis) each axis takes
    the path with the largest receptive field; when the paths disagree on the
    effective stride or on the centre (r - 1) / 2 - p of their first window
    (compared exactly), the join is misaligned and the pass warns at the
    joining op. Values after `nn.flatten` or `nn.reshape` of the spatial axes,
    `nn.linear`, `nn.matmul`, a reduction or softmax over a spatial axis,
    `nn.sqnorm`, a loss, or a join with a global value or a value broadcast
    across the spatial axes are global: their receptive field is taken to be
    the whole input.

    Each op whose result depends on an image input gets an `nn.rf` dictionary
    attribute (values independent of every image input get none):

    ```mlir
    // A local value: sizes, strides and paddings as [H, W].
    nn.rf = {aligned = true, input = "x", padding = array<i64: 1, 1>,
             size = array<i64: 3, 3>, stride = array<i64: 1, 1>}
    // A global value.
    nn.rf = {aligned = true, global = true, input = "x"}
    ```

    `input` names the image input (its `nn.input`); `aligned` is false when a
    misaligned join lies on some path from the input to the value. The pass
    fails with an error at the op if a number overflows 64-bit integers.
  }];
}

def NNFuseDropout : Pass<"nn-fuse-dropout", "mlir::func::FuncOp"> {
  let summary = "Fuse chains of dropouts into one";
  let description = [{
    A chain `dropout(p1) -> dropout(p2)` whose intermediate value has no other
    use becomes one `dropout(q)` with q = 1 - (1 - p1)(1 - p2), repeatedly for
    longer chains; dropouts with p = 0 vanish. The fused op's location is a
    `FusedLoc` of the locations it replaced, so errors and dumps still point
    at every source line. In the training step the fused dropout draws one
    mask.
  }];
}

def NNInference : Pass<"nn-inference", "mlir::func::FuncOp"> {
  let summary = "Lower a model to its inference form";
  let description = [{
    Dropout becomes the identity and everything the outputs do not need is
    removed: the loss result (`nn.loss`), the ops that only fed it, and the
    inputs used only by the loss (targets) stay as unused arguments.
  }];
}

#endif // NETC_PASSES_PASSES_TD
