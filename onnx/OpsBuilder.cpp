//===- OpsBuilder.cpp - building nn ops for one ONNX node -----------------===//

#include "onnx/OpsBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;

namespace netc::onnx {

int64_t product(ArrayRef<int64_t> dims) {
  int64_t n = 1;
  for (int64_t d : dims)
    n *= d;
  return n;
}

OnnxConverter converter(std::function<LogicalResult(OpsBuilder &)> convert) {
  return [convert](OnnxNode &node) {
    OpsBuilder b(node);
    LogicalResult result = convert(b);
    return failure(failed(result) || b.failed() || node.failed());
  };
}

void addOp(OnnxOpRegistry &registry, const std::string &opType,
           std::function<LogicalResult(OpsBuilder &)> convert) {
  registry.add(opType, 1, converter(std::move(convert)));
}

//===--- the node ---===//

StringRef OpsBuilder::opType() const { return node.opType(); }
int64_t OpsBuilder::opset() const { return node.opset(); }
bool OpsBuilder::has(unsigned i) const { return node.hasInput(i); }
unsigned OpsBuilder::numInputs() const { return static_cast<unsigned>(node.numInputs()); }

Value OpsBuilder::in(unsigned i) {
  if (hasFailed)
    return {};
  Value v = node.input(i);
  if (!v)
    hasFailed = true;
  return v;
}

std::optional<SmallVector<int64_t>> OpsBuilder::ints(unsigned i) {
  const HostTensor *t = has(i) ? node.constant(i) : nullptr;
  if (!t || t->isFloat())
    return std::nullopt;
  return SmallVector<int64_t>(t->i.begin(), t->i.end());
}

std::optional<SmallVector<int64_t>> OpsBuilder::constShape(unsigned i) {
  const HostTensor *t = has(i) ? node.constant(i) : nullptr;
  if (!t)
    return std::nullopt;
  return SmallVector<int64_t>(t->shape.begin(), t->shape.end());
}

std::optional<SmallVector<double>> OpsBuilder::floats(unsigned i) {
  const HostTensor *t = has(i) ? node.constant(i) : nullptr;
  if (!t)
    return std::nullopt;
  SmallVector<double> values;
  for (int64_t k = 0, n = t->numel(); k < n; ++k)
    values.push_back(t->asDouble(k));
  return values;
}

std::optional<SmallVector<int64_t>> OpsBuilder::requireInts(unsigned i, StringRef what) {
  const HostTensor *t = node.requireConstant(i, what);
  if (!t) {
    hasFailed = true;
    return std::nullopt;
  }
  std::vector<int64_t> values = t->ints();
  return SmallVector<int64_t>(values.begin(), values.end());
}

bool OpsBuilder::hasAttr(StringRef name) const { return node.hasAttr(name); }
int64_t OpsBuilder::attrInt(StringRef name, int64_t otherwise) const {
  return node.attrInt(name, otherwise);
}
double OpsBuilder::attrFloat(StringRef name, double otherwise) const {
  return node.attrFloat(name, otherwise);
}
std::string OpsBuilder::attrString(StringRef name, StringRef otherwise) const {
  return node.attrString(name, otherwise.str());
}
SmallVector<int64_t> OpsBuilder::attrInts(StringRef name) const {
  std::vector<int64_t> values = node.attrInts(name, {});
  return SmallVector<int64_t>(values.begin(), values.end());
}
SmallVector<double> OpsBuilder::attrFloats(StringRef name) const {
  std::vector<double> values = node.attrFloats(name, {});
  return SmallVector<double>(values.begin(), values.end());
}
SmallVector<std::string> OpsBuilder::attrStrings(StringRef name) const {
  SmallVector<std::string> values;
  if (const ::onnx::AttributeProto *a = node.attribute(name))
    for (const std::string &s : a->strings())
      values.push_back(s);
  return values;
}

unsigned OpsBuilder::numOutputs() const { return static_cast<unsigned>(node.numOutputs()); }
bool OpsBuilder::wants(unsigned i) const { return node.hasOutput(i); }
void OpsBuilder::out(unsigned i, Value value) {
  if (value && !hasFailed && wants(i))
    node.setOutput(i, value);
}

void OpsBuilder::error(const Twine &what) {
  if (!hasFailed)
    node.error() << what.str();
  hasFailed = true;
}

LogicalResult OpsBuilder::fail(const Twine &what) {
  error(what);
  return failure();
}

//===--- building ---===//

OpBuilder &OpsBuilder::builder() { return node.builder(); }
Location OpsBuilder::loc() const { return node.loc(); }

Value OpsBuilder::op(StringRef name, ValueRange operands, ArrayRef<NamedAttribute> attrs) {
  if (hasFailed || llvm::is_contained(operands, Value())) {
    hasFailed = true;
    return {};
  }
  Value v = node.build(name, operands, attrs);
  if (!v)
    hasFailed = true;
  return v;
}

NamedAttribute OpsBuilder::i64(StringRef name, int64_t value) { return node.i64Attr(name, value); }
NamedAttribute OpsBuilder::f64(StringRef name, double value) { return node.f64Attr(name, value); }
NamedAttribute OpsBuilder::flag(StringRef name, bool value) { return node.boolAttr(name, value); }
NamedAttribute OpsBuilder::str(StringRef name, StringRef value) {
  return builder().getNamedAttr(name, builder().getStringAttr(value));
}
NamedAttribute OpsBuilder::array(StringRef name, ArrayRef<int64_t> values) {
  return node.arrayAttr(name, values);
}

Value OpsBuilder::splat(ArrayRef<int64_t> shape, double value, Type element) {
  auto type = RankedTensorType::get(shape, element);
  TypedAttr one = isa<FloatType>(element)
                      ? TypedAttr(builder().getFloatAttr(element, value))
                      : TypedAttr(builder().getIntegerAttr(element, int64_t(value)));
  return builder().create<arith::ConstantOp>(loc(), DenseElementsAttr::get(type, one));
}

Value OpsBuilder::scalar(double value, Value like) {
  return like ? splat({}, value, element(like)) : Value();
}

Value OpsBuilder::reshape(Value v, ArrayRef<int64_t> shape) {
  if (v && dims(v) == shape)
    return v;
  return op("nn.reshape", v, {array("shape", shape)});
}

Value OpsBuilder::permute(Value v, ArrayRef<int64_t> order) {
  bool identity = true;
  for (auto [k, d] : llvm::enumerate(order))
    identity &= int64_t(k) == d;
  return identity ? v : op("nn.permute", v, {array("dims", order)});
}

Value OpsBuilder::transpose(Value v, int64_t d0, int64_t d1) {
  return op("nn.transpose", v, {i64("dim0", d0), i64("dim1", d1)});
}

Value OpsBuilder::slice(Value v, int64_t dim, int64_t start, int64_t size, int64_t step) {
  if (v && start == 0 && step == 1 && dims(v)[dim] == size)
    return v;
  return op("nn.slice", v,
            {i64("dim", dim), i64("start", start), i64("size", size), i64("step", step)});
}

Value OpsBuilder::concat(ArrayRef<Value> parts, int64_t dim) {
  if (parts.size() == 1)
    return parts[0];
  return op("nn.concat", parts, {i64("dim", dim)});
}

Value OpsBuilder::cast(Value v, Type to) {
  if (!v || element(v) == to)
    return v;
  return op("nn.cast", v, {builder().getNamedAttr("dtype", TypeAttr::get(to))});
}

Value OpsBuilder::unary(StringRef name, Value v) { return op(name, v); }
Value OpsBuilder::binary(StringRef name, Value a, Value c) { return op(name, {a, c}); }

//===--- values ---===//

ArrayRef<int64_t> OpsBuilder::dims(Value v) {
  return mlir::cast<RankedTensorType>(v.getType()).getShape();
}
Type OpsBuilder::element(Value v) {
  return mlir::cast<RankedTensorType>(v.getType()).getElementType();
}
bool OpsBuilder::isFloat(Value v) { return isa<FloatType>(element(v)); }

std::optional<int64_t> OpsBuilder::axis(int64_t a, int64_t r, StringRef what) {
  int64_t k = a < 0 ? a + r : a;
  if (k < 0 || k >= r) {
    error(what + " " + std::to_string(a) + " is out of range for rank " + std::to_string(r));
    return std::nullopt;
  }
  return k;
}

} // namespace netc::onnx
