//===- NNInterfaces.h - interfaces of nn ops --------------------*- C++ -*-===//
//
// Shape inference, receptive-field geometry and gradient interfaces.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_IR_NNINTERFACES_H
#define NETC_IR_NNINTERFACES_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpDefinition.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>

namespace netc::nn {

/// The window an op slides along one spatial axis.
struct AxisWindow {
  /// Effective kernel size d(k - 1) + 1.
  int64_t kernel = 1;
  int64_t stride = 1;
  /// Padding before the first element (top or left); negative when cropping.
  int64_t padding = 0;
};

/// The windows along H and W.
struct SpatialWindow {
  AxisWindow h, w;
};

namespace traits {
/// Marks an op that has no vector-Jacobian product (NNInterfaces.td).
template <typename ConcreteType>
class NotDifferentiable : public mlir::OpTrait::TraitBase<ConcreteType, NotDifferentiable> {};

/// Marks an op that nn-decompose rewrites into primitive ops (NNInterfaces.td).
template <typename ConcreteType>
class Composite : public mlir::OpTrait::TraitBase<ConcreteType, Composite> {};
} // namespace traits

namespace detail {
/// Checks an op's ranked result types against the types its shape rules infer.
mlir::LogicalResult verifyInferredShapes(mlir::Operation *op);
} // namespace detail

} // namespace netc::nn

#include "ir/NNInterfaces.h.inc"

#endif // NETC_IR_NNINTERFACES_H
