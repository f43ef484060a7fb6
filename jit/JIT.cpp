//===- JIT.cpp - compiled functions run in this process -------------------===//

#include "jit/JIT.h"
#include "codegen/Codegen.h"
#include "codegen/Lowering.h"
#include "codegen/Schedules/Schedules.h"
#include "ir/NNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/ScopeExit.h"

using namespace mlir;

namespace netc::codegen {

struct JITFunction::Impl {
  std::unique_ptr<FunctionLowering> lowering;
  Halide::Pipeline pipeline;
  Halide::Target target;
  func::FuncOp func;
};

JITFunction::JITFunction(std::unique_ptr<Impl> impl) : impl(std::move(impl)) {}
JITFunction::~JITFunction() = default;

FailureOr<std::unique_ptr<JITFunction>> JITFunction::compile(func::FuncOp func,
                                                             const CodegenOptions &options) {
  if (func.getNumResults() == 0)
    return func.emitError("a function without results has nothing to compile");
  if (failed(checkIndexable(func)))
    return failure();
  installHalideReporter();
  auto warnings = llvm::make_scope_exit([&] { reportHalideWarnings(func); });
  auto impl = std::make_unique<Impl>();
  impl->func = func;
  try {
    if (!Halide::Target::validate_target_string(options.target))
      return func.emitError() << "'" << options.target << "' is not a Halide target";
    impl->target = resolveTarget(options.target).with_feature(Halide::Target::JIT);
    impl->lowering = std::make_unique<FunctionLowering>(func, impl->target);
    int fmaLanes = fullRateF32Lanes(options.tune, options.target);
    impl->lowering->chooseConvolutionsWith(
        convChooser(options.convAlgo, options.tune, options.target, options.schedule, fmaLanes));
    if (failed(impl->lowering->lower()))
      return failure();
    impl->pipeline = Halide::Pipeline(impl->lowering->outputs());
    if (failed(applySchedule(*impl->lowering, impl->pipeline, options.schedule, fmaLanes)))
      return failure();
    impl->pipeline.compile_jit(impl->target);
  } catch (const Halide::Error &e) {
    return func.emitError() << "Halide: " << e.what();
  }
  return std::unique_ptr<JITFunction>(new JITFunction(std::move(impl)));
}

namespace {

/// A dense Halide buffer of a tensor type (dims reversed), zero-filled.
Halide::Buffer<> makeBuffer(RankedTensorType type) {
  std::vector<int> sizes;
  for (int64_t d : llvm::reverse(type.getShape()))
    sizes.push_back(static_cast<int>(d));
  return Halide::Buffer<>(FunctionLowering::halideType(type.getElementType()), sizes);
}

/// Copies a tensor into a buffer of the same element count.
void copyIn(const interp::Tensor &t, Halide::Buffer<> &b) {
  int64_t n = t.numel();
  Halide::Type ht = b.type();
  for (int64_t i = 0; i < n; ++i) {
    double v = t.get(i);
    if (ht == Halide::Float(32))
      static_cast<float *>(b.data())[i] = static_cast<float>(v);
    else if (ht == Halide::Float(64))
      static_cast<double *>(b.data())[i] = v;
    else if (ht == Halide::Int(32))
      static_cast<int32_t *>(b.data())[i] = static_cast<int32_t>(t.isFloat() ? v : t.ints[i]);
    else
      static_cast<int64_t *>(b.data())[i] = t.isFloat() ? static_cast<int64_t>(v) : t.ints[i];
  }
}

/// The tensor of a result buffer.
interp::Tensor copyOut(const Halide::Buffer<> &b, RankedTensorType type) {
  Type element = type.getElementType();
  interp::ElementType et = element.isF32()          ? interp::ElementType::F32
                           : element.isF64()        ? interp::ElementType::F64
                           : element.isInteger(32) ? interp::ElementType::I32
                                                    : interp::ElementType::I64;
  interp::Tensor t =
      interp::Tensor::zeros(interp::Shape(type.getShape().begin(), type.getShape().end()), et);
  int64_t n = t.numel();
  for (int64_t i = 0; i < n; ++i) {
    if (et == interp::ElementType::F32)
      t.floats[i] = static_cast<const float *>(b.data())[i];
    else if (et == interp::ElementType::F64)
      t.floats[i] = static_cast<const double *>(b.data())[i];
    else if (et == interp::ElementType::I32)
      t.ints[i] = static_cast<const int32_t *>(b.data())[i];
    else
      t.ints[i] = static_cast<const int64_t *>(b.data())[i];
  }
  return t;
}

} // namespace

FailureOr<SmallVector<interp::Tensor>> JITFunction::run(ArrayRef<interp::Tensor> args) {
  func::FuncOp func = impl->func;
  if (args.size() != func.getNumArguments())
    return func.emitError() << "the JIT engine got " << args.size() << " arguments for "
                            << func.getNumArguments();
  Halide::ParamMap params;
  std::vector<Halide::Buffer<>> inputs;
  inputs.reserve(args.size());
  auto images = impl->lowering->imageParams();
  size_t nextImage = 0;
  try {
    for (auto [index, arg] : llvm::enumerate(func.getArguments())) {
      if (auto type = dyn_cast<RankedTensorType>(arg.getType())) {
        inputs.push_back(makeBuffer(type));
        copyIn(args[index], inputs.back());
        params.set(images[nextImage++].first, inputs.back());
      }
    }
    for (auto &[param, index] : impl->lowering->scalarParams()) {
      const interp::Tensor &t = args[index];
      param.set(t.isFloat() ? static_cast<int64_t>(t.floats[0]) : t.ints[0]);
    }
    std::vector<Halide::Buffer<>> outputs;
    for (Type t : func.getResultTypes())
      outputs.push_back(makeBuffer(cast<RankedTensorType>(t)));
    Halide::Realization realization(outputs);
    impl->pipeline.realize(realization, impl->target, params);
    SmallVector<interp::Tensor> results;
    for (auto [index, t] : llvm::enumerate(func.getResultTypes()))
      results.push_back(copyOut(outputs[index], cast<RankedTensorType>(t)));
    return results;
  } catch (const Halide::Error &e) {
    return func.emitError() << "Halide: " << e.what();
  }
}

OwningOpRef<func::FuncOp> widenToF64(func::FuncOp func) {
  OwningOpRef<func::FuncOp> copy = func.clone();
  Builder b(func.getContext());
  auto widen = [&](Type t) -> Type {
    auto tensor = dyn_cast<RankedTensorType>(t);
    if (tensor && tensor.getElementType().isF32())
      return RankedTensorType::get(tensor.getShape(), b.getF64Type());
    return t;
  };
  for (BlockArgument arg : copy->getArguments())
    arg.setType(widen(arg.getType()));
  copy->walk([&](Operation *op) {
    if (auto c = dyn_cast<arith::ConstantOp>(op)) {
      auto dense = dyn_cast<DenseElementsAttr>(c.getValue());
      auto type = dyn_cast<RankedTensorType>(c.getType());
      if (dense && type && type.getElementType().isF32()) {
        auto wide = cast<RankedTensorType>(widen(type));
        SmallVector<double> values;
        for (APFloat v : dense.getValues<APFloat>())
          values.push_back(v.convertToDouble());
        c.setValueAttr(DenseElementsAttr::get(wide, ArrayRef<double>(values)));
      }
    }
    // A cast to f32 (an optimizer's f64 scalar meeting an f32 tensor) casts to f64.
    if (auto c = dyn_cast<nn::CastOp>(op); c && c.getDtype().isF32())
      c.setDtype(b.getF64Type());
    for (Value result : op->getResults())
      result.setType(widen(result.getType()));
  });
  SmallVector<Type> results;
  for (Type t : copy->getResultTypes())
    results.push_back(widen(t));
  copy->setFunctionType(b.getFunctionType(copy->getArgumentTypes(), results));
  return copy;
}

JITEvaluator::JITEvaluator(CodegenOptions options) : options(std::move(options)) {}
JITEvaluator::~JITEvaluator() = default;

FailureOr<SmallVector<interp::Tensor>>
JITEvaluator::operator()(func::FuncOp func, ArrayRef<interp::Tensor> args, bool forceF64) {
  auto key = std::make_pair(func.getOperation(), forceF64);
  auto it = cache.find(key);
  if (it == cache.end()) {
    func::FuncOp target = func;
    if (forceF64) {
      widened.push_back(widenToF64(func));
      target = *widened.back();
    }
    FailureOr<std::unique_ptr<JITFunction>> compiled = JITFunction::compile(target, options);
    if (failed(compiled))
      return failure();
    it = cache.emplace(key, std::move(*compiled)).first;
  }
  return it->second->run(args);
}

} // namespace netc::codegen
