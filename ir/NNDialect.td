//===- NNDialect.td - the nn dialect ------------------------*- tablegen -*-===//
//
// The nn dialect: neural-network operations on builtin ranked tensors, with
// the semantics of PyTorch 1.13's torch.nn.functional.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_IR_NNDIALECT_TD
#define NETC_IR_NNDIALECT_TD

include "mlir/IR/OpBase.td"

def NN_Dialect : Dialect {
  let name = "nn";
  let summary = "Neural-network operations with PyTorch semantics";
  let description = [{
    The `nn` dialect is netc's graph IR. Every op works on builtin tensor types
    (`tensor<1x3x224x224xf32>`) and follows the semantics of the PyTorch 1.13
    function of the same name: shapes, defaults, padding, floor and ceil modes,
    broadcasting and reductions. Images are NCHW. Parameters and inputs of a
    model are arguments of a `func.func`, marked with `nn.param` and `nn.input`
    argument attributes; ir/Signature.h lists every role.

    Results may be written as unranked tensors (`tensor<*xf32>`) before the
    `nn-infer-shapes` pass fills them in; after import every value has a static
    shape.
  }];
  let cppNamespace = "::netc::nn";
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::func::FuncDialect"];
  // The roles of a model function's arguments and results, and the marks
  // passes leave on functions. ir/Signature.h reads them; the names they hold
  // follow ir/Names.h. Printed IR spells them `{nn.param = "conv2d0.weight"}`.
  let discardableAttrs = (ins
    // Arguments: what the caller supplies.
    "::mlir::StringAttr":$input,
    "::mlir::StringAttr":$param,
    // How a parameter starts: {dist = "uniform", low = .., high = ..}.
    "::mlir::DictionaryAttr":$init,
    // The i64 dropout seed of a train step.
    "::mlir::UnitAttr":$seed,
    // Optimizer state: an argument of the train step and its updated result.
    "::mlir::StringAttr":$state,
    // Non-trainable state kept with the weights (running statistics): an
    // argument of forward and train step; the train step may return its
    // next value as nn.buffer_update.
    "::mlir::StringAttr":$buffer,
    // Results.
    "::mlir::StringAttr":$output,
    "::mlir::StringAttr":$loss,
    "::mlir::StringAttr":$grad,
    "::mlir::StringAttr":$grad_input,
    "::mlir::StringAttr":$param_update,
    "::mlir::StringAttr":$buffer_update,
    // Functions: the forward function a train step was derived from, the
    // forward function's optimizer, and the parts codegen splits out.
    "::mlir::StringAttr":$train_step_of,
    "::mlir::DictionaryAttr":$optimizer,
    "::mlir::UnitAttr":$part
  );
  let hasRegionArgAttrVerify = 1;
  let hasRegionResultAttrVerify = 1;
  let hasOperationAttrVerify = 1;
}

#endif // NETC_IR_NNDIALECT_TD
