//===- Lowering.cpp - nn functions into Halide pipelines ------------------===//

#include "codegen/Lowering.h"
#include "ir/CodegenInterface.h"
#include "ir/Signature.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

using namespace mlir;

namespace netc::codegen {

Halide::Expr LTensor::at(const std::vector<Halide::Expr> &indices) const {
  std::vector<Halide::Expr> reversed(indices.rbegin(), indices.rend());
  return func(reversed);
}

/// Whether this CPU has AVX-VNNI (CPUID leaf 7, subleaf 1, EAX bit 4).
static bool hasAvxVnni() {
#if defined(__x86_64__) || defined(__i386__)
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (!__get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx))
    return false;
  return (eax >> 4) & 1;
#else
  return false;
#endif
}

Halide::Target resolveTarget(const std::string &text) {
  Halide::Target target(text);
  // Halide 14 takes AVX-512 with VNNI and BF16 for Sapphire Rapids, which
  // implies AVX-VNNI; on CPUs without it (AMD Zen 4) the code dies on SIGILL.
  if (llvm::StringRef(text).starts_with("host") &&
      target.has_feature(Halide::Target::AVX512_SapphireRapids) && !hasAvxVnni())
    target = target.without_feature(Halide::Target::AVX512_SapphireRapids);
  // Schedules decide what is vectorized and unrolled. LLVM 14's own loop
  // vectorizer, which Halide 14 runs by default on the loops left scalar,
  // interleaves small odd-sized loops into vectors (<12 x float>) that its
  // AVX-512 backend aborts on, and it costs compile time on large train
  // steps; `enable_llvm_loop_opt` in --target turns it back on.
  if (!target.has_gpu_feature() && !target.has_feature(Halide::Target::EnableLLVMLoopOpt))
    target = target.with_feature(Halide::Target::DisableLLVMLoopOpt);
  return target;
}

std::vector<Halide::Func> AlgorithmHandles::all() const {
  std::vector<Halide::Func> out;
  for (const std::optional<Halide::Func> *h :
       {&paddedInput, &phases, &columns, &argmax, &max, &sum, &logSum, &activations})
    if (*h)
      out.push_back(**h);
  if (winograd)
    for (const Halide::Func &f : {winograd->weightRows, winograd->weights, winograd->inputRows,
                                  winograd->inputs, winograd->product})
      out.push_back(f);
  return out;
}

std::vector<Halide::Func> AlgorithmHandles::softmaxStats() const {
  std::vector<Halide::Func> out;
  for (const std::optional<Halide::Func> *h : {&max, &sum, &logSum})
    if (*h)
      out.push_back(**h);
  return out;
}

std::vector<Halide::Expr> exprs(const std::vector<Halide::Var> &vars) {
  return std::vector<Halide::Expr>(vars.begin(), vars.end());
}

void defineAt(Halide::Func &f, const std::vector<Halide::Var> &mlirVars, const Halide::Expr &value) {
  std::vector<Halide::Var> reversed(mlirVars.rbegin(), mlirVars.rend());
  f(reversed) = value;
}

/// Fixes a buffer to the tensor's static shape and dense row-major layout:
/// Halide then specializes the loops and checks callers' buffers at entry.
template <typename BufferLike> static void constrainDense(BufferLike b, ArrayRef<int64_t> shape) {
  int rank = static_cast<int>(shape.size());
  int stride = 1;
  for (int i = 0; i < rank; ++i) {
    int extent = static_cast<int>(shape[rank - 1 - i]);
    b.dim(i).set_bounds(0, extent).set_stride(stride);
    stride *= extent;
  }
}

FunctionLowering::FunctionLowering(func::FuncOp func, const Halide::Target &target)
    : func(func), tgt(target) {}

std::vector<Halide::Var> FunctionLowering::vars(int rank) const {
  // Named from the innermost dimension out, as a reader of the loop nest sees them.
  static const char *const names[] = {"x", "y", "c", "n", "d4", "d5", "d6", "d7"};
  std::vector<Halide::Var> out;
  for (int i = 0; i < rank; ++i) {
    int fromInner = rank - 1 - i;
    out.push_back(fromInner < 8 ? Halide::Var(names[fromInner])
                                : Halide::Var("d" + std::to_string(fromInner)));
  }
  return out;
}

Halide::Func FunctionLowering::newFunc(Operation *op, const std::string &suffix) const {
  std::string name;
  if (auto loc = dyn_cast<NameLoc>(op->getLoc()))
    name = loc.getName().str();
  else
    name = op->getName().stripDialect().str();
  for (char &c : name)
    if (!isalnum(static_cast<unsigned char>(c)))
      c = '_';
  return Halide::Func(Halide::Internal::unique_name(name + suffix));
}

Halide::Type FunctionLowering::halideType(Type element) {
  if (element.isF32())
    return Halide::Float(32);
  if (element.isF64())
    return Halide::Float(64);
  if (element.isInteger(32))
    return Halide::Int(32);
  return Halide::Int(64);
}

int FunctionLowering::winogradTile(Operation *op) const {
  if (!convChooser || !winogradApplies(op, tgt))
    return 0;
  return convChooser(op);
}

bool winogradApplies(Operation *op, const Halide::Target &target) {
  if (target.has_gpu_feature())
    return false;
  auto unit = [](ArrayRef<int64_t> a) { return llvm::all_of(a, [](int64_t v) { return v == 1; }); };
  Value weight;
  if (auto conv = dyn_cast<nn::Conv2dOp>(op)) {
    if (!unit(conv.getStride()) || !unit(conv.getDilation()) || conv.getGroups() != 1)
      return false;
    weight = conv.getWeight();
  } else if (auto grad = dyn_cast<nn::Conv2dBackwardInputOp>(op)) {
    if (!unit(grad.getStride()) || !unit(grad.getDilation()) || grad.getGroups() != 1)
      return false;
    weight = grad.getWeight();
  } else {
    return false;
  }
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  ArrayRef<int64_t> ws = cast<RankedTensorType>(weight.getType()).getShape();
  return isa<FloatType>(type.getElementType()) && ws[2] == 3 && ws[3] == 3 &&
         (type.getRank() == 3 || type.getRank() == 4);
}

Halide::Expr FunctionLowering::scalar(Value v) const { return scalars.find(v)->second; }

std::vector<Halide::Argument> FunctionLowering::arguments() const { return args; }

std::vector<std::pair<Halide::ImageParam, RankedTensorType>>
FunctionLowering::imageParams() const {
  return tensorParams;
}

LogicalResult FunctionLowering::lower() {
  for (BlockArgument arg : func.getArguments()) {
    std::string name = "arg" + std::to_string(arg.getArgNumber());
    for (nn::ArgRole role :
         {nn::ArgRole::Input, nn::ArgRole::Param, nn::ArgRole::State, nn::ArgRole::Buffer})
      if (StringAttr s = nn::argName(func, arg.getArgNumber(), role))
        name = s.str();
    // A hyperparameter (0-d f64) is an input buffer too; its own prefix keeps
    // "lr" apart from a parameter of that name.
    if (StringAttr s = nn::argName(func, arg.getArgNumber(), nn::ArgRole::Hyper))
      name = "hyper_" + s.str();
    for (char &c : name)
      if (!isalnum(static_cast<unsigned char>(c)))
        c = '_';
    if (auto t = dyn_cast<RankedTensorType>(arg.getType())) {
      Halide::ImageParam p(halideType(t.getElementType()), t.getRank(), name);
      constrainDense(p, t.getShape());
      tensorParams.push_back({p, t});
      args.push_back(p);
      Halide::Func f(p);
      values[arg] = LTensor{f, t};
    } else if (arg.getType().isInteger(64)) {
      Halide::Param<int64_t> p(name);
      args.push_back(p);
      scalars[arg] = p;
      scalarParamList.push_back({p, arg.getArgNumber()});
    } else {
      return emitError(arg.getLoc()) << "codegen cannot pass an argument of type "
                                     << arg.getType();
    }
  }
  for (Operation &op : func.getBody().front()) {
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      for (auto [index, v] : llvm::enumerate(ret.getOperands())) {
        const LTensor &t = get(v);
        // Each result gets a Func of its own: outputs must be distinct Funcs
        // even when two results, or a result and an argument, are one value.
        Halide::Func out("result" + std::to_string(index));
        std::vector<Halide::Var> vs = vars(t.rank());
        defineAt(out, vs, t.at(exprs(vs)));
        constrainDense(out.output_buffer(), t.shape());
        resultFuncs.push_back(out);
      }
      continue;
    }
    if (failed(lowerOp(&op)))
      return failure();
  }
  return success();
}

/// A Func reading a buffer that holds the elements of a non-splat constant
/// (arange, eye): Halide embeds the buffer in the compiled code.
Halide::Func FunctionLowering::constantFunc(Operation *op, DenseElementsAttr dense,
                                            RankedTensorType type, Halide::Type ht) {
  std::vector<int> sizes(type.getShape().rbegin(), type.getShape().rend());
  Halide::Buffer<> buffer(ht, sizes);
  // A dense buffer of reversed shape is the row-major layout.
  int64_t i = 0;
  if (isa<FloatType>(type.getElementType())) {
    for (APFloat v : dense.getValues<APFloat>()) {
      double d = v.convertToDouble();
      if (ht.bits() == 32)
        reinterpret_cast<float *>(buffer.data())[i++] = static_cast<float>(d);
      else
        reinterpret_cast<double *>(buffer.data())[i++] = d;
    }
  } else {
    for (APInt v : dense.getValues<APInt>()) {
      int64_t n = v.getSExtValue();
      if (ht.bits() == 32)
        reinterpret_cast<int32_t *>(buffer.data())[i++] = static_cast<int32_t>(n);
      else
        reinterpret_cast<int64_t *>(buffer.data())[i++] = n;
    }
  }
  Halide::Func f = newFunc(op);
  std::vector<Halide::Var> vs = vars(type.getRank());
  defineAt(f, vs, buffer(std::vector<Halide::Expr>(vs.rbegin(), vs.rend())));
  return f;
}

LogicalResult FunctionLowering::lowerOp(Operation *op) {
  if (auto c = dyn_cast<arith::ConstantOp>(op)) {
    if (auto i = dyn_cast<IntegerAttr>(c.getValue())) {
      scalars[c.getResult()] = Halide::Expr(int64_t(i.getInt()));
      return success();
    }
    auto dense = dyn_cast<DenseElementsAttr>(c.getValue());
    auto type = dyn_cast<RankedTensorType>(c.getType());
    if (!dense || !type)
      return op->emitError("codegen supports only dense tensor constants");
    Halide::Type ht = halideType(type.getElementType());
    if (!dense.isSplat())
      return define(op, constantFunc(op, dense, type, ht), OpFamily::Elementwise);
    Halide::Expr value = isa<FloatType>(type.getElementType())
                             ? Halide::cast(ht, Halide::Expr(dense.getSplatValue<APFloat>().convertToDouble()))
                             : Halide::cast(ht, Halide::Expr(int64_t(dense.getSplatValue<APInt>().getSExtValue())));
    Halide::Func f = newFunc(op);
    std::vector<Halide::Var> vs = vars(type.getRank());
    defineAt(f, vs, value);
    return define(op, f, OpFamily::Elementwise);
  }
  if (isa<arith::AddIOp, arith::MulIOp>(op)) {
    Halide::Expr a = scalar(op->getOperand(0)), b = scalar(op->getOperand(1));
    scalars[op->getResult(0)] = isa<arith::AddIOp>(op) ? a + b : a * b;
    return success();
  }
  if (op->getNumResults() != 1 || !isa<RankedTensorType>(op->getResult(0).getType()))
    return op->emitError() << "codegen cannot lower '" << op->getName() << "'";
  // Arithmetic on seeds aside, every op lowers through its algorithm: an
  // nn op whose model was not registered stops here with MLIR's error.
  auto algorithm = dyn_cast<nn::HalideAlgorithmOpInterface>(op);
  if (!algorithm)
    return op->emitError() << "codegen does not support '" << op->getName() << "' yet";
  return algorithm.defineAlgorithm(*this);
}

LogicalResult FunctionLowering::define(Operation *op, Halide::Func f, OpFamily family,
                                       AlgorithmHandles handles) {
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  values[op->getResult(0)] = LTensor{f, type};
  funcs.push_back(LoweredFunc{f, type, family, op, std::move(handles)});
  return success();
}

LogicalResult FunctionLowering::guarded(Operation *op, llvm::function_ref<LogicalResult()> body) {
  try {
    return body();
  } catch (const Halide::Error &e) {
    return op->emitError() << "Halide rejected the algorithm of '" << op->getName()
                           << "': " << e.what();
  }
}

} // namespace netc::codegen
