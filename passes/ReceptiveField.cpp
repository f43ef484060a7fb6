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
#include "ir/OpShapes.h"
#include "ir/Signature.h"
#include "passes/Passes.h"
#include "passes/RFMath.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"

#include <numeric>
#include <optional>
#include <string>

namespace netc {
#define GEN_PASS_DEF_NNRECEPTIVEFIELD
#include "passes/Passes.h.inc"
} // namespace netc

using namespace mlir;
using namespace netc;
using namespace netc::nn;
using netc::nn::detail::spatialSizes;

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
  /// The geometry along H and W; meaningful for Local only. Its numbers are
  /// in units of 1 / den[axis] input pixels (1 until a resampling op).
  rf::AxisGeometry axes[2];
  int64_t den[2] = {1, 1};
  /// Whether every path from the input to this value is aligned.
  bool aligned = true;
  /// Whether every element reads the same number of input pixels; when not,
  /// the geometry is the smallest interval holding each element's inputs.
  bool uniform = true;

  /// The geometry of one axis with its unit.
  rf::ScaledGeometry scaled(int axis) const { return {axes[axis], den[axis]}; }
  /// Sets the geometry of one axis.
  void setScaled(int axis, const rf::ScaledGeometry &g) {
    axes[axis] = g.axis;
    den[axis] = g.den;
  }

  /// Returns true unless the value is independent of the image inputs.
  bool depends() const { return kind != Kind::None; }
  /// The same value seen as global (its input and alignment kept).
  ValueField asGlobal() const {
    ValueField g = *this;
    g.kind = Kind::Global;
    return g;
  }
};

/// Formats a number of 1/den pixels: an integer or a fraction n/d.
std::string formatScaled(int64_t v, int64_t den) {
  int64_t g = std::gcd(v, den);
  if (g > 1) {
    v /= g;
    den /= g;
  }
  return den == 1 ? std::to_string(v) : std::to_string(v) + "/" + std::to_string(den);
}

/// Formats a centre (r - 1) / 2 - p exactly: an integer or a half, or a
/// fraction for a geometry in units of 1/den.
std::string formatCentre(const rf::ScaledGeometry &scaled) {
  const rf::AxisGeometry &g = scaled.axis;
  if (scaled.den != 1)
    return formatScaled(g.size - scaled.den - 2 * g.padding, 2 * scaled.den);
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
      if (!nn::argName(fn, arg.getArgNumber(), nn::ArgRole::Input) || !type ||
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
      // Geometry needs the two spatial axes; a value without them is global
      // (batch_norm's running statistics, beside its image result).
      for (Value r : op->getResults())
        fields[r] = field->kind == ValueField::Kind::Local && !spatialSizes(r)
                        ? field->asGlobal()
                        : *field;
      // The op's row describes its first result.
      ValueField shown = op->getNumResults() ? fields[op->getResult(0)] : *field;
      if (shown.depends())
        op->setAttr(kRFAttr, toAttr(shown));
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
    // An op without a rule mixes all positions (linear, matmul, the losses).
    ReceptiveFieldRule rule = ReceptiveFieldRule::global();
    if (auto behaviour = dyn_cast<ReceptiveFieldOpInterface>(op))
      rule = behaviour.getReceptiveFieldRule();
    switch (rule.kind) {
    case ReceptiveFieldRule::Kind::PassThrough:
      return passFirst();
    case ReceptiveFieldRule::Kind::Join:
      return join(op, in);
    case ReceptiveFieldRule::Kind::Window:
      return slide(op, rule.window, passFirst());
    case ReceptiveFieldRule::Kind::SwapSpatial: {
      ValueField v = passFirst();
      std::swap(v.axes[0], v.axes[1]);
      return v;
    }
    case ReceptiveFieldRule::Kind::Resample:
      return resample(op, rule, passFirst());
    case ReceptiveFieldRule::Kind::Global:
      break;
    }
    return first.asGlobal();
  }

  /// Composes a sliding window onto the geometry of its input.
  FailureOr<ValueField> slide(Operation *op, const SpatialWindow &window, ValueField in) {
    if (in.kind != ValueField::Kind::Local)
      return in;
    const AxisWindow *w[2] = {&window.h, &window.w};
    for (int axis = 0; axis < 2; ++axis) {
      std::optional<rf::ScaledGeometry> out;
      if (in.den[axis] == 1) {
        if (auto g = rf::compose(in.axes[axis],
                                 {w[axis]->kernel, w[axis]->stride, w[axis]->padding}))
          out = rf::ScaledGeometry{*g, 1};
      } else {
        out = rf::composeScaled(in.scaled(axis), rf::RationalLayer{w[axis]->kernel, 1, w[axis]->stride,
                                                             1, w[axis]->padding, 1});
      }
      if (!out)
        return overflow(op, axis);
      in.setScaled(axis, *out);
    }
    return in;
  }

  /// Composes a resampling window (rational numbers) onto its input's geometry.
  FailureOr<ValueField> resample(Operation *op, const ReceptiveFieldRule &rule, ValueField in) {
    if (in.kind != ValueField::Kind::Local)
      return in;
    for (int axis = 0; axis < 2; ++axis) {
      const AxisResample &r = rule.resample[axis];
      std::optional<rf::ScaledGeometry> out =
          rf::composeScaled(in.scaled(axis), {r.kernel.num, r.kernel.den, r.stride.num, r.stride.den,
                                        r.padding.num, r.padding.den});
      if (!out)
        return overflow(op, axis);
      in.setScaled(axis, *out);
    }
    in.uniform &= rule.uniform;
    return in;
  }

  /// The error of a geometry that does not fit 64-bit integers.
  LogicalResult overflow(Operation *op, int axis) {
    return op->emitError() << "the receptive field along " << kAxisNames[axis]
                           << " overflows 64-bit integers";
  }

  /// Joins paths elementwise: per axis the largest receptive field wins, and
  /// paths that disagree on stride or centre are reported with a warning.
  ValueField join(Operation *op, ArrayRef<ValueField> in) {
    SmallVector<unsigned> local;
    bool aligned = true;
    std::optional<ValueField> global;
    auto outDims = spatialSizes(op->getResult(0));
    for (auto [i, f] : llvm::enumerate(in)) {
      if (!f.depends())
        continue;
      aligned &= f.aligned;
      // A path broadcast across the spatial axes no longer slides with the output.
      if (f.kind == ValueField::Kind::Global || spatialSizes(op->getOperand(i)) != outDims)
        global = f.asGlobal();
      else
        local.push_back(i);
    }
    if (global) {
      global->aligned = aligned;
      return *global;
    }
    ValueField result = in[local.front()];
    for (unsigned i : local)
      result.uniform &= in[i].uniform;
    std::string report;
    llvm::raw_string_ostream os(report);
    for (int axis = 0; axis < 2; ++axis) {
      unsigned best = local.front();
      for (unsigned i : local)
        if (rf::largerScaled(in[i].scaled(axis), in[best].scaled(axis)))
          best = i;
      result.setScaled(axis, in[best].scaled(axis));
      for (unsigned i : local) {
        rf::ScaledGeometry a = in[best].scaled(axis), b = in[i].scaled(axis);
        if (rf::alignedScaled(a, b))
          continue;
        aligned = false;
        os << (report.empty() ? "" : "; ") << "along " << kAxisNames[axis] << ", "
           << operandLabel(op, best) << " has stride " << formatScaled(a.axis.stride, a.den)
           << " and centre " << formatCentre(a) << " but " << operandLabel(op, i)
           << " has stride " << formatScaled(b.axis.stride, b.den) << " and centre "
           << formatCentre(b);
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
    attrs.push_back(b.getNamedAttr("input", nn::argName(fn, f.input, nn::ArgRole::Input)));
    if (f.kind == ValueField::Kind::Global) {
      attrs.push_back(b.getNamedAttr("global", b.getBoolAttr(true)));
    } else {
      auto pair = [&](int64_t rf::AxisGeometry::*member) {
        return b.getDenseI64ArrayAttr({f.axes[0].*member, f.axes[1].*member});
      };
      attrs.push_back(b.getNamedAttr("size", pair(&rf::AxisGeometry::size)));
      attrs.push_back(b.getNamedAttr("stride", pair(&rf::AxisGeometry::stride)));
      attrs.push_back(b.getNamedAttr("padding", pair(&rf::AxisGeometry::padding)));
      // Only fractional or non-uniform fields carry these, so integer
      // geometries read as before.
      if (f.den[0] != 1 || f.den[1] != 1)
        attrs.push_back(b.getNamedAttr("den", b.getDenseI64ArrayAttr({f.den[0], f.den[1]})));
      if (!f.uniform)
        attrs.push_back(b.getNamedAttr("uniform", b.getBoolAttr(false)));
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
