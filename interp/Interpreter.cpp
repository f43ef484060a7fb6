//===- Interpreter.cpp - evaluating a function op by op -------------------===//
//
// Walks the function's single block in order, handing each op to the kernel
// attached to it (nn::InterpKernelOpInterface, interp/Kernels/). Values live
// in a map from SSA value to tensor; nothing is freed early, since the
// models it runs are small.
//
//===----------------------------------------------------------------------===//

#include "interp/KernelContext.h"
#include "ir/NNInterfaces.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectRegistry.h"
#include "llvm/ADT/SetVector.h"

using namespace mlir;

namespace netc::interp {

FailureOr<ElementType> elementTypeOf(Type type, bool forceF64) {
  if (auto shaped = dyn_cast<ShapedType>(type))
    type = shaped.getElementType();
  if (type.isF32())
    return forceF64 ? ElementType::F64 : ElementType::F32;
  if (type.isF64())
    return ElementType::F64;
  if (type.isInteger(32))
    return ElementType::I32;
  if (type.isInteger(64))
    return ElementType::I64;
  return failure();
}

Shape shapeOf(Type type) {
  if (auto ranked = dyn_cast<RankedTensorType>(type))
    return Shape(ranked.getShape().begin(), ranked.getShape().end());
  return {};
}

//===----------------------------------------------------------------------===//
// KernelContext
//===----------------------------------------------------------------------===//

const Tensor &KernelContext::get(Value v) const {
  auto it = values.find(v);
  assert(it != values.end() && "value used before it was computed");
  return it->second;
}

Tensor KernelContext::zerosLike(Value v) const {
  // Types were checked when the function was entered, so this cannot fail.
  return Tensor::zeros(shapeOf(v.getType()), *elementTypeOf(v.getType(), forceF64));
}

void KernelContext::set(Value v, Tensor t) {
  t.type = *elementTypeOf(v.getType(), forceF64);
  t.roundToType();
  values[v] = std::move(t);
}

//===----------------------------------------------------------------------===//
// evaluate
//===----------------------------------------------------------------------===//

/// Whether every value of `types` is a static tensor or scalar the
/// interpreter can hold; reports the first that is not at `loc`.
static LogicalResult checkTypes(Location loc, TypeRange types, StringRef what) {
  for (Type type : types) {
    auto ranked = dyn_cast<RankedTensorType>(type);
    bool shapeOk = isa<IntegerType, FloatType>(type) || (ranked && ranked.hasStaticShape());
    if (!shapeOk || failed(elementTypeOf(type, false)))
      return emitError(loc) << "the interpreter cannot hold " << what << " of type " << type;
  }
  return success();
}

/// Evaluates one op with the kernel attached to it.
static LogicalResult evalOp(Operation *op, KernelContext &context) {
  if (failed(checkTypes(op->getLoc(), op->getResultTypes(), "a result")))
    return failure();
  using Kernel = nn::InterpKernelOpInterface;
  std::optional<RegisteredOperationName> info = op->getName().getRegisteredInfo();
  if (info && info->hasInterface<Kernel>())
    return cast<Kernel>(op).interpret(context);
  // A primitive op whose kernel is still only promised means the tool never
  // called registerInterpKernels: stop with MLIR's error, in release builds
  // too, rather than blame the op. A composite op has no kernel by design
  // (nn-decompose rewrites it first) and is a user error like any other.
  if (info && !op->hasTrait<nn::traits::Composite>())
    dialect_extension_detail::handleUseOfUndefinedPromisedInterface(
        info->getDialect(), info->getTypeID(), Kernel::getInterfaceID(),
        llvm::getTypeName<Kernel>());
  return op->emitError() << "the interpreter does not support '" << op->getName() << "'";
}

/// The ops of `block` that the operands of `terminator` numbered `wanted`
/// depend on, in block order.
static llvm::SetVector<Operation *> liveOps(Block &block, Operation *terminator,
                                            ArrayRef<unsigned> wanted) {
  llvm::DenseSet<Operation *> live;
  SmallVector<Value> work;
  for (unsigned i : wanted)
    work.push_back(terminator->getOperand(i));
  while (!work.empty()) {
    Operation *def = work.pop_back_val().getDefiningOp();
    if (!def || !live.insert(def).second)
      continue;
    for (Value operand : def->getOperands())
      work.push_back(operand);
  }
  llvm::SetVector<Operation *> ordered;
  for (Operation &op : block.without_terminator())
    if (live.contains(&op))
      ordered.insert(&op);
  return ordered;
}

FailureOr<SmallVector<Tensor>> evaluate(func::FuncOp fn, ArrayRef<Tensor> args, bool forceF64,
                                        ArrayRef<unsigned> resultIndices) {
  if (fn.isExternal() || !llvm::hasSingleElement(fn.getBody()))
    return fn.emitError() << "the interpreter needs a function with one block";
  Block &block = fn.getBody().front();
  if (args.size() != block.getNumArguments())
    return fn.emitError() << "'" << fn.getSymName() << "' takes " << block.getNumArguments()
                          << " arguments, the interpreter was given " << args.size();
  if (failed(checkTypes(fn.getLoc(), fn.getArgumentTypes(), "an argument")))
    return failure();

  KernelContext context(forceF64);
  for (auto [arg, tensor] : llvm::zip(block.getArguments(), args)) {
    Shape expected = shapeOf(arg.getType());
    ElementType type = *elementTypeOf(arg.getType(), forceF64);
    if (tensor.shape != expected || tensor.isFloat() != isFloatType(type))
      return fn.emitError() << "argument #" << arg.getArgNumber() << " of '" << fn.getSymName()
                            << "' expects " << elementTypeName(type) << shapeString(expected)
                            << ", got " << tensor.typeString();
    context.set(arg, tensor.convertedTo(type));
  }

  Operation *terminator = block.getTerminator();
  if (!isa<func::ReturnOp>(terminator))
    return terminator->emitError() << "the interpreter expects the block to end in func.return";
  for (Operation *op : liveOps(block, terminator, resultIndices))
    if (failed(evalOp(op, context)))
      return failure();

  SmallVector<Tensor> results;
  for (unsigned i : resultIndices)
    results.push_back(context.get(terminator->getOperand(i)));
  return results;
}

FailureOr<SmallVector<Tensor>> evaluate(func::FuncOp fn, ArrayRef<Tensor> args, bool forceF64) {
  SmallVector<unsigned> all;
  for (unsigned i = 0, e = fn.getNumResults(); i < e; ++i)
    all.push_back(i);
  return evaluate(fn, args, forceF64, all);
}

} // namespace netc::interp
