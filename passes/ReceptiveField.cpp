//===- ReceptiveField.cpp - the nn-receptive-field pass --------------------===//
//
// A forward dataflow analysis over one model: every value that depends on an
// image input gets its receptive-field geometry along H and W (the two
// trailing axes), composed op by op with the closed forms in RFMath.h, and
// the result is attached to the defining op as an `nn.rf` attribute. See the
// pass description in Passes.td for the attribute's form.
//
//===----------------------------------------------------------------------===//

#include "ir/NNOps.h"
#include "passes/Passes.h"
#include "passes/RFMath.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/TypeSwitch.h"

#include <optional>
#include <string>

namespace netc {
#define GEN_PASS_DEF_NNRECEPTIVEFIELD
#include "passes/Passes.h.inc"
} // namespace netc

using namespace mlir;
using namespace netc;
using namespace netc::nn;

namespace {

constexpr llvm::StringLiteral kRFAttr = "nn.rf";
constexpr const char *kAxisNames[2] = {"H", "W"};

/// What the analysis knows about one value.
struct ValueField {
  enum class Kind { None, Local, Global };
  /// None: independent of every image input; Local: a window of the input;
  /// Global: may depend on any input pixel.
  Kind kind = Kind::None;
  /// Argument index of the image input the geometry is relative to.
  unsigned input = 0;
  /// The geometry along H and W; meaningful for Local only.
  rf::AxisGeometry axes[2];
  /// Whether every path from the input to this value is aligned.
  bool aligned = true;

  /// Returns true unless the value is independent of the image inputs.
  bool depends() const { return kind != Kind::None; }
  /// The same value seen as global (its input and alignment kept).
  ValueField asGlobal() const {
    ValueField g = *this;
    g.kind = Kind::Global;
    return g;
  }
};

/// Returns the rank of a ranked tensor value, or -1 for anything else.
int64_t rankOf(Value v) {
  if (auto type = dyn_cast<RankedTensorType>(v.getType()))
    return type.getRank();
  return -1;
}

/// Returns the two trailing (spatial) dims of a value of rank >= 2.
std::optional<std::pair<int64_t, int64_t>> spatialDims(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || type.getRank() < 2)
    return std::nullopt;
  ArrayRef<int64_t> s = type.getShape();
  return std::make_pair(s[s.size() - 2], s.back());
}

/// Wraps a possibly negative dim into [0, rank); -1 when out of range.
int64_t wrapDim(int64_t dim, int64_t rank) {
  if (dim < 0)
    dim += rank;
  return dim >= 0 && dim < rank ? dim : -1;
}

/// Whether `dim` (already wrapped) is one of the two spatial axes of a value of `rank`.
bool isSpatialDim(int64_t dim, int64_t rank) { return dim < 0 || dim >= rank - 2; }

/// Formats a centre (r - 1) / 2 - p exactly: an integer or a half.
std::string formatCentre(const rf::AxisGeometry &g) {
  int64_t doubled = g.size - 1 - 2 * g.padding;
  std::string s = std::to_string(doubled / 2);
  if (doubled % 2 == 0)
    return s;
  if (doubled < 0 && doubled / 2 == 0)
    s = "-0";
  return s + ".5";
}

/// Names operand `i` of `op` for a message: its number and, when its
/// location has one, the DSL name of the value.
std::string operandLabel(Operation *op, unsigned i) {
  std::string label = "operand #" + std::to_string(i);
  Location loc = op->getOperand(i).getLoc();
  std::string name;
  loc->walk([&](Location l) {
    if (auto n = dyn_cast<NameLoc>(l)) {
      name = n.getName().str();
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return name.empty() ? label : label + " ('" + name + "')";
}

/// The analysis of one function.
class Analysis {
public:
  /// Seeds the image inputs of `fn`: float arguments of rank 3 or 4 marked `nn.input`.
  explicit Analysis(func::FuncOp fn) : fn(fn) {
    for (BlockArgument arg : fn.getArguments()) {
      auto type = dyn_cast<RankedTensorType>(arg.getType());
      if (!fn.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "nn.input") || !type ||
          (type.getRank() != 3 && type.getRank() != 4) || !isa<FloatType>(type.getElementType()))
        continue;
      ValueField f;
      f.kind = ValueField::Kind::Local;
      f.input = arg.getArgNumber();
      fields[arg] = f;
    }
  }

  /// Annotates every op of the function; fails (after an error) on overflow.
  LogicalResult run() {
    WalkResult result = fn.walk([&](Operation *op) {
      if (op == fn.getOperation() || op->hasTrait<OpTrait::IsTerminator>())
        return WalkResult::advance();
      op->removeAttr(kRFAttr);
      FailureOr<ValueField> field = visit(op);
      if (failed(field))
        return WalkResult::interrupt();
      // Geometry needs the two spatial axes; a value without them is global.
      if (field->kind == ValueField::Kind::Local &&
          llvm::any_of(op->getResults(), [](Value r) { return !spatialDims(r); }))
        *field = field->asGlobal();
      for (Value r : op->getResults())
        fields[r] = *field;
      if (field->depends())
        op->setAttr(kRFAttr, toAttr(*field));
      return WalkResult::advance();
    });
    return failure(result.wasInterrupted());
  }

private:
  /// The fields of an op's operands, keeping only those relative to the first
  /// image input (in argument order) any of them depends on.
  SmallVector<ValueField> operandFields(Operation *op) {
    SmallVector<ValueField> result;
    std::optional<unsigned> first;
    for (Value v : op->getOperands()) {
      ValueField f = fields.lookup(v);
      if (f.depends() && (!first || f.input < *first))
        first = f.input;
      result.push_back(f);
    }
    for (ValueField &f : result)
      if (f.depends() && f.input != *first)
        f = ValueField();
    return result;
  }

  /// Computes the field of `op`'s results from its operands.
  FailureOr<ValueField> visit(Operation *op) {
    SmallVector<ValueField> in = operandFields(op);
    auto dependent = llvm::make_filter_range(in, [](const ValueField &f) { return f.depends(); });
    if (dependent.empty())
      return ValueField();
    // A value that becomes global keeps the input and the alignment of its paths.
    ValueField first = *dependent.begin();
    first.aligned = llvm::all_of(dependent, [](const ValueField &f) { return f.aligned; });
    // Ops that do not slide, move or join spatial axes pass operand 0 through.
    auto passFirst = [&]() -> ValueField {
      if (!in[0].depends() ||
          llvm::any_of(llvm::drop_begin(in), [](const ValueField &f) { return f.depends(); }))
        return first.asGlobal();
      return in[0];
    };
    int64_t rank = rankOf(op->getOperand(0));

    if (auto window = dyn_cast<ReceptiveFieldOpInterface>(op))
      return slide(op, window.getSpatialWindow(), passFirst());
    return llvm::TypeSwitch<Operation *, FailureOr<ValueField>>(op)
        .Case<ReluOp, SigmoidOp, TanhOp, ExpOp, LogOp, SqrtOp, NegOp, LeakyReluOp, DropoutOp>(
            [&](auto) { return passFirst(); })
        .Case<GeluOp, SiluOp, GeluTanhOp>([&](auto) { return passFirst(); })
        .Case<SoftmaxOp, LogSoftmaxOp>([&](auto s) {
          ValueField f = passFirst();
          return isSpatialDim(wrapDim(s.getDim(), rank), rank) ? f.asGlobal() : f;
        })
        .Case<AddOp, SubOp, MulOp, DivOp>([&](Operation *) { return join(op, in); })
        .Case<ConcatOp>([&](ConcatOp c) -> ValueField {
          int64_t outRank = rankOf(c.getResult());
          if (isSpatialDim(wrapDim(c.getDim(), outRank), outRank))
            return first.asGlobal();
          return join(op, in);
        })
        .Case<FlattenOp>([&](FlattenOp f) {
          int64_t start = wrapDim(f.getStartDim(), rank), end = wrapDim(f.getEndDim(), rank);
          ValueField v = passFirst();
          bool keepsSpatial = start >= 0 && end >= 0 && (start == end || end < rank - 2);
          return keepsSpatial ? v : v.asGlobal();
        })
        .Case<ReshapeOp>([&](ReshapeOp r) {
          // Row-major order keeps each H x W plane intact when the two trailing dims survive.
          ValueField v = passFirst();
          auto before = spatialDims(r.getInput()), after = spatialDims(r.getResult());
          return before && after && *before == *after ? v : v.asGlobal();
        })
        .Case<TransposeOp>([&](TransposeOp t) {
          int64_t d0 = wrapDim(t.getDim0(), rank), d1 = wrapDim(t.getDim1(), rank);
          ValueField v = passFirst();
          if (d0 == d1 || (!isSpatialDim(d0, rank) && !isSpatialDim(d1, rank)))
            return v;
          if (std::min(d0, d1) == rank - 2 && std::max(d0, d1) == rank - 1) {
            std::swap(v.axes[0], v.axes[1]);
            return v;
          }
          return v.asGlobal();
        })
        .Case<SumOp, MeanOp>([&](auto r) {
          ValueField v = passFirst();
          std::optional<ArrayRef<int64_t>> dims = r.getDims();
          if (!dims || dims->empty() ||
              llvm::any_of(*dims, [&](int64_t d) { return isSpatialDim(wrapDim(d, rank), rank); }))
            return v.asGlobal();
          return v;
        })
        // linear, matmul, sqnorm, the losses, layer_norm (whose axes include
        // the last, spatial one) and anything unknown mix all positions.
        .Default([&](Operation *) { return first.asGlobal(); });
  }

  /// Composes a sliding window onto the geometry of its input.
  FailureOr<ValueField> slide(Operation *op, const SpatialWindow &window, ValueField in) {
    if (in.kind != ValueField::Kind::Local)
      return in;
    const AxisWindow *w[2] = {&window.h, &window.w};
    for (int axis = 0; axis < 2; ++axis) {
      std::optional<rf::AxisGeometry> out =
          rf::compose(in.axes[axis], {w[axis]->kernel, w[axis]->stride, w[axis]->padding});
      if (!out)
        return op->emitError() << "the receptive field along " << kAxisNames[axis]
                               << " overflows 64-bit integers";
      in.axes[axis] = *out;
    }
    return in;
  }

  /// Joins paths elementwise: per axis the largest receptive field wins, and
  /// paths that disagree on stride or centre are reported with a warning.
  ValueField join(Operation *op, ArrayRef<ValueField> in) {
    SmallVector<unsigned> local;
    bool aligned = true;
    std::optional<ValueField> global;
    auto outDims = spatialDims(op->getResult(0));
    for (auto [i, f] : llvm::enumerate(in)) {
      if (!f.depends())
        continue;
      aligned &= f.aligned;
      // A path broadcast across the spatial axes no longer slides with the output.
      if (f.kind == ValueField::Kind::Global || spatialDims(op->getOperand(i)) != outDims)
        global = f.asGlobal();
      else
        local.push_back(i);
    }
    if (global) {
      global->aligned = aligned;
      return *global;
    }
    ValueField result = in[local.front()];
    std::string report;
    llvm::raw_string_ostream os(report);
    for (int axis = 0; axis < 2; ++axis) {
      unsigned best = local.front();
      for (unsigned i : local)
        if (in[i].axes[axis].size > in[best].axes[axis].size)
          best = i;
      result.axes[axis] = in[best].axes[axis];
      for (unsigned i : local) {
        const rf::AxisGeometry &a = in[best].axes[axis], &b = in[i].axes[axis];
        if (rf::aligned(a, b))
          continue;
        aligned = false;
        os << (report.empty() ? "" : "; ") << "along " << kAxisNames[axis] << ", "
           << operandLabel(op, best) << " has stride " << a.stride << " and centre "
           << formatCentre(a) << " but " << operandLabel(op, i) << " has stride " << b.stride
           << " and centre " << formatCentre(b);
        break;
      }
    }
    if (!report.empty())
      emitWarning(op->getLoc()) << "'" << op->getName().stripDialect()
                                << "' joins misaligned receptive fields: " << report;
    result.aligned = aligned;
    return result;
  }

  /// The `nn.rf` attribute of a field that depends on an input.
  DictionaryAttr toAttr(const ValueField &f) {
    Builder b(fn.getContext());
    SmallVector<NamedAttribute> attrs;
    attrs.push_back(b.getNamedAttr("aligned", b.getBoolAttr(f.aligned)));
    attrs.push_back(b.getNamedAttr("input", fn.getArgAttrOfType<StringAttr>(f.input, "nn.input")));
    if (f.kind == ValueField::Kind::Global) {
      attrs.push_back(b.getNamedAttr("global", b.getBoolAttr(true)));
    } else {
      auto pair = [&](int64_t rf::AxisGeometry::*member) {
        return b.getDenseI64ArrayAttr({f.axes[0].*member, f.axes[1].*member});
      };
      attrs.push_back(b.getNamedAttr("size", pair(&rf::AxisGeometry::size)));
      attrs.push_back(b.getNamedAttr("stride", pair(&rf::AxisGeometry::stride)));
      attrs.push_back(b.getNamedAttr("padding", pair(&rf::AxisGeometry::padding)));
    }
    return b.getDictionaryAttr(attrs);
  }

  func::FuncOp fn;
  llvm::DenseMap<Value, ValueField> fields;
};

/// The pass: runs the analysis on each model function.
struct ReceptiveFieldPass : public netc::impl::NNReceptiveFieldBase<ReceptiveFieldPass> {
  void runOnOperation() override {
    if (failed(Analysis(getOperation()).run()))
      signalPassFailure();
  }
};

} // namespace
