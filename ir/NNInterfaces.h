//===- NNInterfaces.h - interfaces of nn ops --------------------*- C++ -*-===//
//
// Shape inference, receptive-field, cost and gradient interfaces, and the
// traits that give their defaults.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_IR_NNINTERFACES_H
#define NETC_IR_NNINTERFACES_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpDefinition.h"
#include "llvm/ADT/STLFunctionalExtras.h"
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

/// A rational number `num / den`, `den > 0`: the geometry of resampling
/// ops (a transposed convolution of stride 2 moves half an input pixel per
/// output pixel).
struct Ratio {
  int64_t num = 0;
  int64_t den = 1;
};

/// The window of a resampling op along one axis, in input coordinates:
/// output index `i` sees the real interval
/// `[i * stride - padding, i * stride - padding + kernel - 1]`, which holds
/// every input index it reads. With unit denominators it is an AxisWindow.
struct AxisResample {
  Ratio kernel{1, 1};
  Ratio stride{1, 1};
  Ratio padding{0, 1};
};

/// How a receptive field passes through an op (ReceptiveFieldOpInterface).
struct ReceptiveFieldRule {
  enum class Kind {
    /// The results see what operand 0 sees.
    PassThrough,
    /// Elementwise over all operands.
    Join,
    /// A window slides over H and W: `window`.
    Window,
    /// Operand 0's field with H and W exchanged.
    SwapSpatial,
    /// Every result element may see every input position.
    Global,
    /// A window with rational kernel, stride and padding along H and W:
    /// `resample` (transposed convolution, upsampling, adaptive pooling).
    Resample,
  };
  Kind kind = Kind::Global;
  /// The window of a Window rule.
  SpatialWindow window;
  /// The windows of a Resample rule along H and W.
  AxisResample resample[2];
  /// For Resample: whether every output element sees the same window at its
  /// own position. When not (fractional numbers: the window depends on the
  /// output's phase, or bins vary in size), the window is the smallest one
  /// at each output's position that holds what any output element reads.
  bool uniform = true;

  /// The rule of each kind; `windowed` takes the window it slides.
  static ReceptiveFieldRule passThrough() { return {Kind::PassThrough, {}}; }
  static ReceptiveFieldRule join() { return {Kind::Join, {}}; }
  static ReceptiveFieldRule windowed(const SpatialWindow &w) { return {Kind::Window, w}; }
  static ReceptiveFieldRule swapSpatial() { return {Kind::SwapSpatial, {}}; }
  static ReceptiveFieldRule global() { return {Kind::Global, {}}; }
  /// A Resample rule of windows `h` and `w`; uniform when all their numbers
  /// are integers (then it slides like a Window).
  static ReceptiveFieldRule resampled(const AxisResample &h, const AxisResample &w) {
    ReceptiveFieldRule rule{Kind::Resample, {}};
    rule.resample[0] = h;
    rule.resample[1] = w;
    for (const AxisResample &r : rule.resample)
      rule.uniform &= r.kernel.den == 1 && r.stride.den == 1 && r.padding.den == 1;
    return rule;
  }
  /// PassThrough when `keeps`, else Global.
  static ReceptiveFieldRule passThroughIf(bool keeps) { return keeps ? passThrough() : global(); }
};

/// The work of one op (CostOpInterface): FLOPs of the forward and the
/// backward pass, and the tensors the backward pass reads.
struct OpCost {
  int64_t forwardFlops = 0;
  int64_t backwardFlops = 0;
  llvm::SmallVector<mlir::Value> kept;
};

namespace cost {
/// `flops` per element of the op's first result forward, twice that backward,
/// keeping nothing: the cost of ops without a rule of their own.
OpCost perResultElement(mlir::Operation *op, int64_t flops);
} // namespace cost

namespace traits {
/// Marks an op that has no vector-Jacobian product (NNInterfaces.td).
template <typename ConcreteType>
class NotDifferentiable : public mlir::OpTrait::TraitBase<ConcreteType, NotDifferentiable> {};

/// Marks an op whose value involves every data-parallel replica (NNInterfaces.td).
template <typename ConcreteType>
class Collective : public mlir::OpTrait::TraitBase<ConcreteType, Collective> {};

/// Marks an op that nn-decompose rewrites into primitive ops (NNInterfaces.td).
template <typename ConcreteType>
class Composite : public mlir::OpTrait::TraitBase<ConcreteType, Composite> {};

/// Marks an elementwise op: a receptive field joins over its operands (NNInterfaces.td).
template <typename ConcreteType>
class Elementwise : public mlir::OpTrait::TraitBase<ConcreteType, Elementwise> {};

/// Marks an op whose results may depend on every operand position (NNInterfaces.td).
template <typename ConcreteType>
class Global : public mlir::OpTrait::TraitBase<ConcreteType, Global> {};
} // namespace traits

namespace detail {
/// Checks an op's ranked result types against the types its shape rules infer.
mlir::LogicalResult verifyInferredShapes(mlir::Operation *op);

/// The receptive-field rule an op's traits give: Join for Elementwise,
/// Global otherwise.
ReceptiveFieldRule receptiveFieldRuleOfTraits(mlir::Operation *op);
} // namespace detail

} // namespace netc::nn

#include "ir/NNInterfaces.h.inc"

#endif // NETC_IR_NNINTERFACES_H
