//===- Stats.cpp - --emit=stats -------------------------------------------===//
//
// Prints the statistics of StatsModel for people: per op a row (line, name,
// op, output shape, parameters, forward and backward FLOPs, bytes kept for
// the backward pass), the totals, the two peaks with their parts, and a
// legend stating the conventions (see StatsModel.cpp). Counts are exact
// integers with thousands separators; totals add human units (3 significant
// digits, FLOP in powers of 1000, bytes in powers of 1024).
//
//===----------------------------------------------------------------------===//

#include "reports/Reports.h"
#include "reports/StatsModel.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

using namespace mlir;
using netc::stats::ModelStats;
using netc::stats::OpStats;

namespace {

/// The value the saturating sums of StatsModel.cpp stop at: the true number
/// is at least this, and is printed as "> 9.2e18".
constexpr int64_t kSaturated = INT64_MAX;

/// An integer with thousands separators: 1234567 -> "1,234,567".
std::string withCommas(int64_t n) {
  if (n == kSaturated)
    return "> 9.2e18";
  std::string digits = std::to_string(n < 0 ? -static_cast<uint64_t>(n) : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0)
      out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

/// A quantity with 3 significant digits in the largest unit that keeps it
/// at least 1: human(1234567, 1000, "FLOP") -> "1.23 MFLOP".
std::string human(int64_t n, double base, const char *const *units, size_t numUnits) {
  double v = static_cast<double>(n);
  size_t unit = 0;
  while (unit + 1 < numUnits && v >= base) {
    v /= base;
    ++unit;
  }
  std::string text;
  llvm::raw_string_ostream os(text);
  if (unit == 0)
    os << n;
  else if (v < 9.995)
    os << llvm::format("%.2f", v);
  else if (v < 99.95)
    os << llvm::format("%.1f", v);
  else
    os << llvm::format("%.0f", v);
  os << " " << units[unit];
  return text;
}

/// FLOPs in decimal units.
std::string humanFlops(int64_t n) {
  static const char *const units[] = {"FLOP", "kFLOP", "MFLOP", "GFLOP", "TFLOP", "PFLOP"};
  return human(n, 1000.0, units, std::size(units));
}

/// Bytes in binary units.
std::string humanBytes(int64_t n) {
  static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  return human(n, 1024.0, units, std::size(units));
}

/// "1,234 B (1.21 KiB)"; no parenthesis below 1 KiB.
std::string bytesText(int64_t n) {
  if (n == kSaturated)
    return withCommas(n) + " B";
  return withCommas(n) + " B" + (n >= 1024 ? " (" + humanBytes(n) + ")" : "");
}

/// "1,234 FLOP (1.23 kFLOP)"; no parenthesis below 1 kFLOP.
std::string flopsText(int64_t n) {
  if (n == kSaturated)
    return withCommas(n) + " FLOP";
  return withCommas(n) + " FLOP" + (n >= 1000 ? " (" + humanFlops(n) + ")" : "");
}

/// Where an op sits, for the peaks: "line 4 'x' (relu)".
std::string whereText(const OpStats &row) {
  std::string text = row.line ? "line " + std::to_string(row.line) + " " : std::string();
  if (!row.name.empty())
    text += "'" + row.name + "' ";
  return text + "(" + row.opName + ")";
}

/// Prints rows of cells in columns; `align` has one letter per column, 'l'
/// for left-aligned text and 'r' for right-aligned numbers.
void printColumns(const std::vector<std::vector<std::string>> &rows, StringRef align,
                  llvm::raw_ostream &os) {
  std::vector<size_t> width;
  for (const auto &row : rows)
    for (auto [i, cell] : llvm::enumerate(row)) {
      if (width.size() <= i)
        width.push_back(0);
      width[i] = std::max(width[i], cell.size());
    }
  for (const auto &row : rows) {
    std::string line;
    for (auto [i, cell] : llvm::enumerate(row)) {
      std::string pad(width[i] - cell.size(), ' ');
      bool left = i < align.size() && align[i] == 'l';
      line += (i ? "  " : "") + (left ? cell + pad : pad + cell);
    }
    os << StringRef(line).rtrim() << "\n";
  }
}

/// The per-op table and its total row.
void printTable(const ModelStats &s, llvm::raw_ostream &os) {
  std::vector<std::vector<std::string>> rows = {
      {"line", "name", "op", "output", "params", "forward FLOP", "backward FLOP", "kept bytes"}};
  auto training = [&](int64_t n) { return s.hasLoss ? withCommas(n) : std::string("-"); };
  for (const OpStats &row : s.ops)
    rows.push_back({row.line ? std::to_string(row.line) : "?", row.name, row.opName, row.shape,
                    withCommas(row.params), withCommas(row.forwardFlops),
                    training(row.backwardFlops), training(row.keptBytes)});
  rows.push_back({"", "total", "", "", withCommas(s.params), withCommas(s.forwardFlops),
                  training(s.backwardFlops), training(s.keptBytes)});
  printColumns(rows, "rlll", os);
}

/// The totals and the two peaks with their parts.
void printSummary(const ModelStats &s, const std::optional<netc::StepPeak> &step,
                  llvm::raw_ostream &os) {
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"parameters", withCommas(s.params) + " elements, " + bytesText(s.paramBytes)});
  rows.push_back({"forward", flopsText(s.forwardFlops)});
  if (s.hasLoss) {
    rows.push_back({"backward", flopsText(s.backwardFlops)});
    rows.push_back({"kept for backward", bytesText(s.keptBytes)});
  } else {
    rows.push_back({"backward", "-"});
    rows.push_back({"kept for backward", "-"});
  }
  rows.push_back({"peak inference", bytesText(s.inferencePeakBytes)});
  rows.push_back({"  parameters", bytesText(s.paramBytes)});
  std::string at = s.inferencePeakOp >= 0 ? " at " + whereText(s.ops[s.inferencePeakOp]) : "";
  rows.push_back({"  live activations", bytesText(s.inferenceActivationBytes) + at});
  if (!s.hasLoss) {
    rows.push_back({"peak training step", "-"});
  } else if (step) {
    rows.push_back({"peak training step", bytesText(step->total) + " (the executable's)"});
    for (const netc::StepPeak::Row &row : step->rows)
      rows.push_back({"  " + row.what, bytesText(row.bytes) + row.remark});
  } else {
    rows.push_back({"peak training step", bytesText(s.trainingPeakBytes)});
    rows.push_back({"  parameters", bytesText(s.paramBytes)});
    rows.push_back({"  gradients", bytesText(s.paramBytes)});
    std::string opt = " (" + s.optimizer + ": " + std::to_string(s.stateBuffers) + " buffer" +
                      (s.stateBuffers == 1 ? "" : "s") + " per parameter)";
    if (s.optimizer.empty())
      opt = " (no optimizer)";
    else if (s.optimizer == "sgd" && s.stateBuffers == 0)
      opt = " (sgd without momentum keeps none)";
    rows.push_back({"  optimizer state", bytesText(s.optimizerStateBytes) + opt});
    rows.push_back({"  kept for backward", bytesText(s.keptBytes)});
    std::string where = s.transientOp >= 0 ? " at " + whereText(s.ops[s.transientOp]) : "";
    rows.push_back({"  largest transient", bytesText(s.transientBytes) + where});
  }
  printColumns(rows, "ll", os);
  if (!s.hasLoss)
    os << "note: model '" << s.model
       << "' has no loss, so it has no backward pass and no training step\n";
  else if (!s.hasOutputs)
    os << "note: model '" << s.model << "' has no output; inference computes its loss\n";
}

/// The conventions, once per report.
void printLegend(llvm::raw_ostream &os) {
  os << R"(conventions:
  FLOP: a multiply-add counts 2 FLOP. conv2d = 2*N*O*OH*OW*(C/groups)*kH*kW (+ N*O*OH*OW for
    the bias); linear = 2*rows*in*out (+ rows*out); matmul = 2*(result elements)*(contracted
    size). Elementwise ops: 1 per element, transcendentals (exp, log, tanh, sigmoid, sqrt) too.
    Pools: 1 per window element. sum, mean: 1 and sqnorm: 2 per input element; softmax,
    log_softmax: 5; mse: 3; bce, bce_logits, cross_entropy: 5 per element. Data movement
    (pad2d, flatten, reshape, transpose, concat, embedding lookup): 0.
  backward: only for ops whose result reaches the loss and that depend on a parameter.
    conv2d, linear, matmul: the forward's multiply-adds once per operand that needs a gradient
    (about 2x forward), + rows*out for a bias; the gradient w.r.t. a model input is NOT
    counted (an input is not a parameter). embedding: 1 per element; other ops: 2x forward.
  kept bytes: what a reverse-mode pass keeps for the backward: the input of conv2d/linear/matmul
    (for the weight gradient), the result of relu/sigmoid/tanh/exp/sqrt/softmax, the input of
    log/leaky_relu/maxpool2d/sqnorm, the operands of mul/div and of losses, embedding indices;
    dropout keeps nothing (its mask is recomputed from the seed). Parameters and constants
    are not counted; a tensor kept by several ops counts once, at the first.
  peak inference: parameters + the most bytes live while one op runs, over the ops that the
    outputs need; every result is its own buffer, live from its definition to its last use;
    inputs count from the start, outputs to the end.
  peak training step (the executable's): the resident memory of `EXE --train`, as its
    runtime lays it out: the program (code, C/C++/Halide runtimes: an estimate) + parameters
    + gradients + optimizer state + model buffers + a second buffer for every parameter, state
    and buffer the step rewrites + inputs, outputs and losses + the temporaries handed between
    the parts of a split step (placed in one block by liveness: temporaries that are never
    live together share bytes) + the most that Halide allocates inside one part (every op
    result neither returned nor fused into elementwise users, live to its last use: an
    estimate). Where no executable can be compiled, the model's tensors alone: parameters +
    gradients + optimizer state (sgd with momentum: 1, adam: 2 buffers per parameter) + kept
    for backward + the largest transient (one op's result and non-parameter operands).
  units: kFLOP, MFLOP, GFLOP = 10^3, 10^6, 10^9 FLOP; KiB, MiB, GiB = 2^10, 2^20, 2^30 bytes.
)";
}

} // namespace

namespace netc {

mlir::LogicalResult printStats(mlir::ModuleOp module, llvm::raw_ostream &os,
                               const StepPeakPredictor &predict) {
  bool any = false;
  for (auto fn : module.getOps<func::FuncOp>()) {
    if (fn.isExternal())
      continue;
    FailureOr<ModelStats> s = stats::computeStats(fn);
    if (failed(s))
      return failure();
    os << (any ? "\n" : "") << "model '" << s->model << "'\n";
    printTable(*s, os);
    os << "\n";
    std::optional<StepPeak> step;
    if (s->hasLoss && predict)
      step = predict(fn);
    printSummary(*s, step, os);
    any = true;
  }
  if (!any)
    return module.emitError("no model to report on");
  os << "\n";
  printLegend(os);
  return success();
}

} // namespace netc
