//===- Lowering.h - nn functions into Halide pipelines ----------*- C++ -*-===//
//
// Internal to codegen/ (and the JIT, jit/): it includes Halide.h, which is
// large and built with exceptions, so only those files include it.
//
// A tensor of shape [d0, ..., dn-1] becomes a Halide Func whose first (and
// innermost) argument is the last MLIR dimension: Func f(x_{n-1}, ..., x_0).
// Row-major tensors and Halide's dense buffers then share one memory layout.
// Algorithms (codegen/Algorithms/, attached to the ops as external models of
// nn::HalideAlgorithmOpInterface) only define Funcs over Vars and RDoms;
// schedules (codegen/Schedules/) only split, tile, vectorize and place them.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_CODEGEN_LOWERING_H
#define NETC_CODEGEN_LOWERING_H

#include "ir/NNOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <Halide.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace netc::codegen {

/// The kind of schedule an op's algorithm asks for (codegen/Schedules/).
enum class OpFamily {
  /// One element at a time: inlined into elementwise consumers.
  Elementwise,
  /// Sliding windows over the two trailing axes.
  Window,
  /// Contractions and lookups.
  Dense,
  /// Reductions over some axes.
  Reduction,
  /// Data movement.
  Shape,
  /// Updates whose iterations may hit one element: they stay serial.
  Scatter,
  /// Recurrences over time (codegen/Algorithms/Recurrent.cpp): one update
  /// whose RDom is (unit, phase, step), serial but for the unit.
  Recurrent
};

/// A lowered tensor: its Halide Func and its MLIR type.
struct LTensor {
  Halide::Func func;
  mlir::RankedTensorType type;
  int rank() const { return static_cast<int>(type.getRank()); }
  llvm::ArrayRef<int64_t> shape() const { return type.getShape(); }
  /// Calls the Func with indices given in MLIR dimension order.
  Halide::Expr at(const std::vector<Halide::Expr> &indices) const;
};

/// The Funcs of a Winograd convolution (codegen/Algorithms/Winograd.cpp says
/// what each holds) and its tiling of the output.
struct WinogradHandles {
  Halide::Func weightRows, weights, inputRows, inputs, product;
  /// m of F(m x m, 3 x 3), the tiles per row and per column, and the rows of
  /// tiles per block.
  int tile = 0, tilesX = 0, tilesY = 0, blockRows = 1;
};

/// The Funcs an algorithm defines besides its result, named by the role the
/// schedules give them; unset where the algorithm has none.
struct AlgorithmHandles {
  /// Window ops: the input (the gradient, for the input gradient of a
  /// convolution) read with the padding value outside the image.
  std::optional<Halide::Func> paddedInput;
  /// Strided convolution input gradient: the dense convolution of each
  /// phase, phases(qx, phx, qy, phy, c[, n]).
  std::optional<Halide::Func> phases;
  /// Strided convolution input gradient of one group: each output position's
  /// contribution to every kernel offset, columns(ox, oy, kx, ky, c[, n]).
  std::optional<Halide::Func> columns;
  /// maxpool2d_backward: each window's argmax.
  std::optional<Halide::Func> argmax;
  /// Softmax statistics along the reduced axis: the maximum, the sum of
  /// exp(x - maximum) and, for log_softmax, the log of that sum.
  std::optional<Halide::Func> max, sum, logSum;
  /// Recurrence gradients: the nonlinearities of every step, a Tuple over
  /// (unit, b, t) computed before the loop over time, which then only reads
  /// them.
  std::optional<Halide::Func> activations;
  /// Winograd convolutions: their transforms and products.
  std::optional<WinogradHandles> winograd;

  /// Every handle that is set, in the order the algorithm defined them.
  std::vector<Halide::Func> all() const;
  /// The softmax statistics that are set.
  std::vector<Halide::Func> softmaxStats() const;
};

/// A Func an op defined, with what the schedule needs to know about it.
struct LoweredFunc {
  Halide::Func func;
  mlir::RankedTensorType type;
  OpFamily family;
  mlir::Operation *op;
  AlgorithmHandles handles;
};

/// The Halide pipeline of one func.func: arguments in the function's
/// argument order, then its results as outputs.
class FunctionLowering {
public:
  FunctionLowering(mlir::func::FuncOp func, const Halide::Target &target);

  /// Defines a Func for every op; errors are emitted at the op.
  mlir::LogicalResult lower();

  /// The pipeline's input arguments, in the function's argument order.
  std::vector<Halide::Argument> arguments() const;
  /// The output Funcs, one per function result.
  std::vector<Halide::Func> outputs() const { return resultFuncs; }
  const std::vector<LoweredFunc> &loweredFuncs() const { return funcs; }
  mlir::func::FuncOp function() const { return func; }
  /// The tensor arguments as Halide ImageParams with their MLIR types.
  std::vector<std::pair<Halide::ImageParam, mlir::RankedTensorType>> imageParams() const;
  /// The i64 scalar arguments (seeds) as Halide Params with their argument numbers.
  std::vector<std::pair<Halide::Param<int64_t>, unsigned>> scalarParams() const {
    return scalarParamList;
  }
  const Halide::Target &target() const { return tgt; }

  //===--- For algorithms ---===//
  /// Records `f` as the value of `op`'s single result, with the schedule kind
  /// and the helper Funcs the algorithm defined.
  mlir::LogicalResult define(mlir::Operation *op, Halide::Func f, OpFamily family,
                             AlgorithmHandles handles = {});
  /// Runs an algorithm's `body`, turning Halide's errors into an error at `op`.
  static mlir::LogicalResult guarded(mlir::Operation *op,
                                     llvm::function_ref<mlir::LogicalResult()> body);
  /// The lowered form of an operand.
  const LTensor &get(mlir::Value v) const { return values.find(v)->second; }
  /// `rank` fresh Vars in MLIR dimension order, named for readable loop nests.
  std::vector<Halide::Var> vars(int rank) const;
  /// A new Func named after the op's DSL name.
  Halide::Func newFunc(mlir::Operation *op, const std::string &suffix = "") const;
  /// m of the Winograd F(m x m, 3 x 3) that `op` (a convolution) is computed
  /// with, or 0 for the direct convolution: what the chooser given to
  /// chooseConvolutionsWith answers, when `op` is one winogradApplies to.
  int winogradTile(mlir::Operation *op) const;
  /// Sets how winogradTile chooses (by default every convolution is direct).
  void chooseConvolutionsWith(std::function<int(mlir::Operation *)> chooser) {
    convChooser = std::move(chooser);
  }
  /// The Halide type of an element type.
  static Halide::Type halideType(mlir::Type element);
  /// The scalar seed argument (i64) an op's seed operand resolves to.
  Halide::Expr scalar(mlir::Value v) const;

private:
  mlir::LogicalResult lowerOp(mlir::Operation *op);
  Halide::Func constantFunc(mlir::Operation *op, mlir::DenseElementsAttr dense,
                            mlir::RankedTensorType type, Halide::Type ht);

  mlir::func::FuncOp func;
  Halide::Target tgt;
  llvm::DenseMap<mlir::Value, LTensor> values;
  llvm::DenseMap<mlir::Value, Halide::Expr> scalars;
  std::vector<std::pair<Halide::ImageParam, mlir::RankedTensorType>> tensorParams;
  std::vector<std::pair<Halide::Param<int64_t>, unsigned>> scalarParamList;
  std::vector<Halide::Argument> args;
  std::vector<LoweredFunc> funcs;
  std::vector<Halide::Func> resultFuncs;
  std::function<int(mlir::Operation *)> convChooser;
};

/// Whether `op` is a convolution (or a convolution's input gradient) that
/// Winograd's F(m x m, 3 x 3) computes: a 3x3 kernel, stride 1, dilation 1,
/// one group, floating point, on a CPU target.
bool winogradApplies(mlir::Operation *op, const Halide::Target &target);

/// The input axes a sum, mean or sum_to (`op`) adds up, as flags: those its
/// dims name (all when it names none), or for sum_to the leading axes and
/// those the target shape has as 1.
std::vector<bool> summedAxes(mlir::Operation *op);

/// The Halide target a `--target=` string names. For "host" targets the
/// features Halide 14 infers are checked against this CPU: it reads some AVX-512
/// CPUs as Sapphire Rapids and then emits AVX-VNNI instructions they lack.
Halide::Target resolveTarget(const std::string &text);

/// Vars as Exprs, same order.
std::vector<Halide::Expr> exprs(const std::vector<Halide::Var> &vars);

/// Defines f at MLIR-ordered Vars: f(reversed(vars)) = value.
void defineAt(Halide::Func &f, const std::vector<Halide::Var> &mlirVars, const Halide::Expr &value);

} // namespace netc::codegen

#endif // NETC_CODEGEN_LOWERING_H
