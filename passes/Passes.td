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

#endif // NETC_PASSES_PASSES_TD
