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
    argument attributes.

    Results may be written as unranked tensors (`tensor<*xf32>`) before the
    `nn-infer-shapes` pass fills them in; after import every value has a static
    shape.
  }];
  let cppNamespace = "::netc::nn";
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::func::FuncDialect"];
  // The names in nn.param, nn.input, nn.output, ... follow ir/Names.h.
  let hasRegionArgAttrVerify = 1;
  let hasRegionResultAttrVerify = 1;
  let hasOperationAttrVerify = 1;
}

#endif // NETC_IR_NNDIALECT_TD
