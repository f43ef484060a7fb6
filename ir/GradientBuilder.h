//===- GradientBuilder.h - building vector-Jacobian products ----*- C++ -*-===//
//
// The small vocabulary the ops' gradient rules (ir/Ops/*.cpp) are written
// in: elementwise arithmetic, 0-d constants and the shape plumbing of
// broadcasting, each created as an nn op with its inferred type at the
// forward op's location. A rule never checks for failures between steps: an
// op that cannot be built yields a null value, every op built from a null
// value is skipped, and finish() reports the failure once.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_IR_GRADIENTBUILDER_H
#define NETC_IR_GRADIENTBUILDER_H

#include "ir/NNOps.h"

#include "mlir/IR/Builders.h"

namespace netc::nn::detail {

/// The static shape of a ranked tensor value.
llvm::ArrayRef<int64_t> staticShape(mlir::Value v);

/// Builds the ops of one vector-Jacobian product at one location.
class GradientBuilder {
public:
  /// Builds at `builder`'s insertion point with the location of `forward`.
  GradientBuilder(mlir::OpBuilder &builder, mlir::Operation *forward)
      : builder(builder), loc(forward->getLoc()) {}

  /// Creates the nn op `OpTy` with its inferred result type; null when an
  /// operand is null or the op cannot be built (its error is emitted then).
  template <typename OpTy>
  mlir::Value create(mlir::ValueRange operands, llvm::ArrayRef<mlir::NamedAttribute> attrs = {}) {
    return create(OpTy::getOperationName(), operands, attrs);
  }
  /// The untyped form of create<OpTy>().
  mlir::Value create(llvm::StringRef opName, mlir::ValueRange operands,
                     llvm::ArrayRef<mlir::NamedAttribute> attrs);

  /// Elementwise arithmetic with broadcasting.
  mlir::Value add(mlir::Value a, mlir::Value b) { return create<AddOp>({a, b}); }
  mlir::Value sub(mlir::Value a, mlir::Value b) { return create<SubOp>({a, b}); }
  mlir::Value mul(mlir::Value a, mlir::Value b) { return create<MulOp>({a, b}); }
  mlir::Value div(mlir::Value a, mlir::Value b) { return create<DivOp>({a, b}); }
  mlir::Value neg(mlir::Value a) { return create<NegOp>({a}); }

  /// A 0-d `arith.constant` holding `value` in the element type of `like`.
  mlir::Value scalar(mlir::Value like, double value);

  /// `v` reshaped to `shape`, or `v` itself when it has that shape already.
  mlir::Value reshape(mlir::Value v, llvm::ArrayRef<int64_t> shape);
  /// `v` broadcast to `shape`, or `v` itself when it has that shape already.
  mlir::Value broadcastTo(mlir::Value v, llvm::ArrayRef<int64_t> shape);
  /// The adjoint of broadcasting: `v` summed back to the shape of `like`, or
  /// `v` itself when the shapes agree.
  mlir::Value sumTo(mlir::Value v, mlir::Value like);
  /// `v` with its two trailing axes swapped.
  mlir::Value transposeLast(mlir::Value v);
  /// The gradient of a sum over `dims` (all axes when absent or empty) of a
  /// tensor of shape `inputShape`: `grad` with the reduced axes restored and
  /// broadcast over them, after dividing by the number of reduced elements
  /// when `mean`.
  mlir::Value unreduce(mlir::Value grad, llvm::ArrayRef<int64_t> inputShape,
                       std::optional<llvm::ArrayRef<int64_t>> dims, bool keepdim, bool mean);

  /// Attributes of the ops built.
  mlir::NamedAttribute i64Array(llvm::StringRef name, llvm::ArrayRef<int64_t> values) {
    return builder.getNamedAttr(name, builder.getDenseI64ArrayAttr(values));
  }
  mlir::NamedAttribute i64(llvm::StringRef name, int64_t value) {
    return builder.getNamedAttr(name, builder.getI64IntegerAttr(value));
  }
  mlir::NamedAttribute f64(llvm::StringRef name, double value) {
    return builder.getNamedAttr(name, builder.getF64FloatAttr(value));
  }
  mlir::NamedAttribute boolean(llvm::StringRef name, bool value) {
    return builder.getNamedAttr(name, builder.getBoolAttr(value));
  }

  /// The gradients of the operands, one per operand (null for those that are
  /// not differentiable), or failure when an op could not be built.
  mlir::FailureOr<llvm::SmallVector<mlir::Value>> finish(llvm::ArrayRef<mlir::Value> grads) {
    if (failed)
      return mlir::failure();
    return llvm::SmallVector<mlir::Value>(grads.begin(), grads.end());
  }

private:
  mlir::OpBuilder &builder;
  mlir::Location loc;
  bool failed = false;
};

} // namespace netc::nn::detail

#endif // NETC_IR_GRADIENTBUILDER_H
