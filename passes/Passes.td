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
    For every value with spatial axes that depends on the model's image input,
    computes per axis (H and W) the receptive-field size, the effective stride
    and the effective padding relative to that input, with the closed forms of
    Araujo, Norris and Sim, "Computing Receptive Fields of Convolutional Neural
    Networks" (Distill, 2019): r_out = r_in + (k' - 1) * j_in, j_out = j_in * s,
    p_out = p_in + pad * j_in, with k' = d(k - 1) + 1. Elementwise ops and
    activations pass the geometry through; where paths join (`nn.add` of two
    branches, `nn.concat`) the largest receptive field wins and a warning at
    the joining op reports misaligned paths (different strides or centres).
    Values after `nn.flatten`, `nn.linear` or a global reduction are global.

    Results are attached to each op as an `nn.rf` dictionary attribute:
    `{size = [h, w], stride = [h, w], padding = [h, w], aligned = true}` or
    `{global = true}`.
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
