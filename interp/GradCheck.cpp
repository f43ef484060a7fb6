//===- GradCheck.cpp - gradients against central finite differences -------===//
//
// The whole train step runs in f64 (the interpreter's forceF64) whatever the
// model's declared types. For element j of parameter p the analytic gradient
// g is the train step's nn.grad result; the numeric one is
//
//   fd = (L(p + h e_j) - L(p - h e_j)) / ((p_j + h) - (p_j - h)),
//   h  = 1e-6 * max(1, |p_j|),
//
// where L is the train step's loss with the same %seed, so dropout masks
// stay fixed. The error of an element is
//
//   |g - fd| / max(|g|, |fd|, 1e-2 * max(1, |L|))
//
// a relative error, with a floor for gradients near zero. With h = 1e-6 the
// rounding error of fd is about 1e-16 S / h = 1e-10 S, S being the size of
// the terms summed on the way to L (a few times |L| in small models, up to
// some hundred times in the 112x112 CNN test, where it reaches 6e-10). The
// floor, proportional to |L|, keeps that well below the tolerance, while a
// gradient wrong by more than 1e-6 of its size (or of the floor) still
// fails. A parameter passes when the largest error over its checked elements
// is at most the tolerance (1e-6).
//
// Kinks. Where the loss is not differentiable (relu at 0, ties of max-pool,
// abs at 0) within h of p_j, fd averages two different slopes and no
// gradient matches it. Such an element shows itself by its one-sided
// differences r = (L(p + h e_j) - L(p)) / h and l = (L(p) - L(p - h e_j)) / h:
// fd is their mean, and at a kink they differ by the jump of the slope.
// An element that fails is skipped, and counted apart, when that jump is
// large (above 1e-3 of the error's denominator, where smooth curvature gives
// about h |L''|) and g lies between l and r, as the gradient of either side
// or a subgradient does (give or take 1% of the jump, for the curvature of
// each side). A wrong gradient at a smooth point has l = r = fd and still
// fails.
//
//===----------------------------------------------------------------------===//

#include "interp/Driver.h"
#include "interp/Interpreter.h"
#include "interp/Model.h"
#include "interp/WeightFiles.h"

#include "runtime/Init.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/Format.h"

#include <cmath>
#include <numeric>

using namespace mlir;

namespace netc::interp {

/// The flat indices checked for a tensor of `count` elements: all of them
/// when there are at most `limit`, else `limit` distinct ones drawn by a
/// seeded partial Fisher-Yates shuffle, in increasing order.
static std::vector<int64_t> sampleIndices(int64_t count, unsigned limit, uint64_t seed,
                                          uint64_t stream) {
  std::vector<int64_t> all(count);
  std::iota(all.begin(), all.end(), 0);
  if (count <= limit)
    return all;
  runtime::CounterRng rng(seed, stream);
  for (unsigned i = 0; i < limit; ++i) {
    auto j = i + static_cast<int64_t>(rng.uniform(i) * double(count - i));
    std::swap(all[i], all[std::min<int64_t>(j, count - 1)]);
  }
  all.resize(limit);
  std::sort(all.begin(), all.end());
  return all;
}

/// Whether an element whose central difference disagrees with its gradient
/// `g` sits within h of a kink: its one-sided differences `right` and `left`
/// differ by far more than smooth curvature explains and `g` lies between
/// them (see the file comment).
static bool atKink(double g, double right, double left, double scale, double tolerance) {
  // The margin allows for the curvature on either side (each one-sided
  // difference is off by about h |L''| / 2).
  double jump = std::abs(right - left), margin = tolerance * scale + 1e-2 * jump;
  return std::isfinite(jump) && jump > 1e-3 * scale &&
         g >= std::min(left, right) - margin && g <= std::max(left, right) + margin;
}

namespace {
/// One row of the table.
struct Row {
  std::string name, shape;
  size_t checked = 0;
  /// Elements whose probe crossed a kink: not compared.
  size_t kinks = 0;
  double maxAbs = 0, maxRel = 0;
  /// A NaN gradient or difference fails the parameter whatever the others.
  bool sawNaN = false;
  bool pass = true;
};
} // namespace

FailureOr<bool> gradCheck(ModuleOp module, const GradCheckOptions &options, llvm::raw_ostream &os) {
  func::FuncOp step = findTrainStep(module, options.model);
  if (!step)
    return emitError(module.getLoc())
           << "--gradcheck needs a train step; does the model have a 'loss'?";
  std::optional<TensorSet> loaded;
  if (!options.loadPath.empty()) {
    FailureOr<TensorSet> set = readTensorJSON(options.loadPath, module.getLoc());
    if (failed(set))
      return failure();
    loaded = std::move(*set);
  }
  auto args =
      makeArguments(step, options.seed, loaded ? &*loaded : nullptr, stepSeed(options.seed, 0));
  if (failed(args) || (options.defaultWeights && !loaded &&
                       failed(loadDefaultWeights(step, *options.defaultWeights, *args))))
    return failure();
  for (Tensor &t : *args)
    if (t.isFloat())
      t = t.convertedTo(ElementType::F64);

  std::optional<unsigned> lossIndex;
  std::map<std::string, unsigned> gradIndex;
  for (const ResultInfo &r : describeResults(step)) {
    if (r.role == ResultRole::Loss)
      lossIndex = r.index;
    if (r.role == ResultRole::Grad)
      gradIndex[r.name] = r.index;
  }
  if (!lossIndex)
    return step.emitError() << "the train step has no nn.loss result";
  if (llvm::none_of(describeArguments(step),
                    [](const ArgInfo &a) { return a.role == ArgRole::Param; }))
    return step.emitError() << "--gradcheck: the model has no parameters to check";
  Evaluator run = evaluatorOr(options.evaluator);
  auto results = run(step, *args, /*forceF64=*/true);
  if (failed(results))
    return failure();
  unsigned loss = *lossIndex;
  double lossHere = (*results)[loss].floats[0];
  double errorFloor = 1e-2 * std::max(1.0, std::abs((*results)[loss].floats[0]));
  auto lossAt = [&]() -> FailureOr<double> {
    // The interpreter can skip what the loss does not need; compiled code
    // computes the whole step.
    auto r = options.evaluator ? run(step, *args, /*forceF64=*/true)
                               : evaluate(step, *args, /*forceF64=*/true, {loss});
    if (failed(r))
      return failure();
    return (*r)[options.evaluator ? loss : 0].floats[0];
  };

  std::vector<Row> rows;
  uint64_t paramNumber = 0;
  for (const ArgInfo &a : describeArguments(step)) {
    if (a.role != ArgRole::Param)
      continue;
    Tensor &param = (*args)[a.index];
    Row row{a.name, shapeString(param.shape)};
    // A parameter without a gradient result is one the loss does not use:
    // its gradient is zero, which the differences then confirm.
    Tensor grad = gradIndex.count(a.name) ? (*results)[gradIndex[a.name]]
                                          : Tensor::zeros(param.shape, ElementType::F64);
    if (grad.shape != param.shape)
      return step.emitError() << "gradient of '" << a.name << "' has shape "
                              << shapeString(grad.shape) << ", the parameter "
                              << shapeString(param.shape);
    for (int64_t j : sampleIndices(param.numel(), options.maxElements, options.seed,
                                   runtime::paramStream(paramNumber))) {
      double x = param.floats[j], h = 1e-6 * std::max(1.0, std::abs(x));
      param.floats[j] = x + h;
      FailureOr<double> plus = lossAt();
      param.floats[j] = x - h;
      FailureOr<double> minus = lossAt();
      param.floats[j] = x;
      if (failed(plus) || failed(minus))
        return failure();
      double fd = (*plus - *minus) / ((x + h) - (x - h));
      double g = grad.floats[j], abs = std::abs(g - fd);
      double scale = std::max({std::abs(g), std::abs(fd), errorFloor});
      double rel = abs / scale;
      if (rel > options.tolerance &&
          atKink(g, (*plus - lossHere) / ((x + h) - x), (lossHere - *minus) / (x - (x - h)),
                 scale, options.tolerance)) {
        ++row.kinks;
        continue;
      }
      if (std::isnan(rel)) {
        row.sawNaN = true;
      } else {
        row.maxAbs = std::max(row.maxAbs, abs);
        row.maxRel = std::max(row.maxRel, rel);
      }
      ++row.checked;
    }
    row.pass = !row.sawNaN && row.maxRel <= options.tolerance;
    rows.push_back(row);
    ++paramNumber;
  }

  os << "gradcheck '" << step.getSymName() << "'"
     << (options.engineName == "interpreter" ? "" : " on " + options.engineName)
     << " in f64, seed " << options.seed
     << ": fd = central difference, h = 1e-6 * max(1, |x|)\n"
     << "error = |g - fd| / max(|g|, |fd|, 1e-2 * max(1, |loss|)), tolerance "
     << llvm::format("%g", options.tolerance) << "\n";
  size_t nameWidth = 9, shapeWidth = 5;
  for (const Row &r : rows) {
    nameWidth = std::max(nameWidth, r.name.size());
    shapeWidth = std::max(shapeWidth, r.shape.size());
  }
  auto pad = [](const std::string &s, size_t width) {
    return s + std::string(width - s.size(), ' ');
  };
  os << pad("parameter", nameWidth) << "  " << pad("shape", shapeWidth)
     << "  checked  max abs err  max error  result\n";
  bool allPass = true;
  size_t kinks = 0;
  for (const Row &r : rows) {
    kinks += r.kinks;
    os << pad(r.name, nameWidth) << "  " << pad(r.shape, shapeWidth) << "  "
       << llvm::format("%7zu  %11.3e  %9.3e  ", r.checked, r.maxAbs, r.maxRel)
       << (r.pass     ? "PASS"
           : r.sawNaN ? "FAIL (NaN)"
                      : "FAIL");
    if (r.kinks)
      os << " (" << r.kinks << " at kinks)";
    os << "\n";
    allPass &= r.pass;
  }
  if (kinks)
    os << "skipped " << kinks << (kinks == 1 ? " element" : " elements")
       << " within h of a kink (relu at 0, max-pool ties): the one-sided differences "
          "disagree there, so no gradient matches fd\n";
  os << (allPass ? "all " + std::to_string(rows.size()) + " parameters pass\n"
                 : std::string("some parameters FAIL\n"));
  return allPass;
}

} // namespace netc::interp
