//===- Register.h - attaching the Halide algorithms to the nn ops -*- C++ -*-===//
//
// The one entry tools and tests call to make the nn ops compilable, free of
// Halide's header. The nn dialect promises nn::HalideAlgorithmOpInterface for
// every op; the models registered here keep that promise.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_CODEGEN_REGISTER_H
#define NETC_CODEGEN_REGISTER_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace netc::codegen {

/// Adds the Halide algorithm of every nn op (codegen/Algorithms/) to
/// `registry`, attached when the nn dialect loads in a context built from it.
void registerHalideAlgorithms(mlir::DialectRegistry &registry);

} // namespace netc::codegen

#endif // NETC_CODEGEN_REGISTER_H
