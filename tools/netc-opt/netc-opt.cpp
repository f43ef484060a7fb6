//===- netc-opt.cpp - MLIR driver with the nn dialect and netc's passes ---===//
//
// Runs any netc pass or pipeline over .mlir files, for lit tests and for
// looking at one pass at a time. All logic lives in the libraries.
//
//===----------------------------------------------------------------------===//

#include "interp/Kernels.h"
#include "ir/NNDialect.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
  mlir::registerSymbolDCEPass();
  mlir::registerInlinerPass();
  netc::registerAllPassesAndPipelines();

  mlir::DialectRegistry registry;
  registry.insert<netc::nn::NNDialect, mlir::func::FuncDialect, mlir::arith::ArithDialect>();
  netc::interp::registerInterpKernels(registry);
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "netc optimizer driver\n", registry));
}
