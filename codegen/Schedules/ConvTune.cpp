//===- ConvTune.cpp - direct or Winograd convolution, by measurement ------===//

#include "codegen/Schedules/ConvTune.h"

#include "codegen/CacheDir.h"
#include "codegen/Codegen.h"
#include "codegen/Lowering.h"
#include "codegen/Schedules/LayerTune.h"
#include "codegen/Schedules/Schedules.h"

#include "llvm/Support/raw_ostream.h"

#include <cstdlib>
#include <fstream>
#include <limits>
#include <mutex>
#include <set>
#include <sstream>

using namespace mlir;

namespace netc::codegen {

namespace {

/// The Winograd tile a forced choice uses for `op`: F(4x4) but where the
/// output is smaller than a 4x4 tile in a dimension.
int forcedTile(Operation *op, int preferred) {
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  int rank = type.getRank();
  bool small = type.getShape()[rank - 2] < 4 || type.getShape()[rank - 1] < 4;
  return small ? 2 : preferred;
}

/// A key naming the layer's shape: the op, its operand and result types and
/// its padding (all that the timing depends on), without spaces.
std::string layerKey(Operation *op) {
  std::string key;
  llvm::raw_string_ostream os(key);
  os << op->getName().stripDialect();
  for (Value v : op->getOperands())
    os << "," << v.getType();
  os << "->" << op->getResult(0).getType() << ",pad";
  ArrayRef<int64_t> pad;
  if (auto conv = dyn_cast<nn::Conv2dOp>(op))
    pad = conv.getPadding();
  else
    pad = cast<nn::Conv2dBackwardInputOp>(op).getPadding();
  for (int64_t p : pad)
    os << "_" << p;
  return os.str();
}

/// Seconds `op` alone takes with F(tile x tile, 3 x 3) (0: direct) on this host.
double timeLayer(Operation *op, const Halide::Target &target, int fmaLanes, int tile) {
  return timeOpAlone(op, target, fmaLanes, [tile](FunctionLowering &fl, Operation *, ScheduleVariants &) {
    fl.chooseConvolutionsWith([tile](Operation *) { return tile; });
  });
}

/// The multiply-adds of a 3x3 convolution or of its input gradient: each
/// result element sums over 9 taps of every channel it reads.
int64_t convWork(Operation *op) {
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  int64_t reduced = 0;
  if (auto conv = dyn_cast<nn::Conv2dOp>(op))
    reduced = cast<RankedTensorType>(conv.getWeight().getType()).getShape()[1];
  else
    reduced = cast<RankedTensorType>(cast<nn::Conv2dBackwardInputOp>(op).getWeight().getType())
                  .getShape()[0];
  return type.getNumElements() * reduced * 9;
}

/// The version the tune file must name: netc's and its schedules' revision.
std::string tuneVersion() {
  return std::string(NETC_VERSION) + "-r" + std::to_string(kScheduleRevision);
}

/// "direct", "winograd2" or "winograd4": the names of choices in tune files.
std::string choiceName(int tile) { return tile ? "winograd" + std::to_string(tile) : "direct"; }

bool verbose() {
  const char *v = std::getenv("NETC_TUNE_VERBOSE");
  return v && std::string(v) == "1";
}

/// The choices of this process: read from the tune file once, measured
/// where it has none (or again under --tune=full), written back.
class ConvTuner {
public:
  int choose(Operation *op, TuneMode mode, const std::string &targetName, int fmaLanes) {
    std::lock_guard<std::mutex> lock(mutex);
    std::string path = convTuneFilePath();
    if (!loaded) {
      loaded = true;
      if (!path.empty())
        stored = readConvTuneFile(path, tuneVersion()).value_or(ConvChoices{});
    }
    std::string key = (targetName == "host" ? "" : targetName + ":") + layerKey(op);
    // --tune=full measures every shape again, once a process.
    for (const ConvChoices *known : {&measured, mode == TuneMode::Full ? nullptr : &stored}) {
      auto it = known ? known->find(key) : measured.end();
      if (!known || it == known->end())
        continue;
      // Once a process per shape: a network repeats its layers.
      if (verbose() && reported.insert(key).second)
        llvm::errs() << "netc: " << key << ": " << choiceName(it->second) << " (cached)\n";
      return it->second;
    }
    Halide::Target target = resolveTarget(targetName).with_feature(Halide::Target::JIT);
    int best = 0;
    double bestTime = std::numeric_limits<double>::infinity();
    std::string report;
    // F(4x4, 3x3) is not a candidate: its transforms (coefficients up to 8
    // and 1/24) round about four times as much as F(2x2, 3x3), within 1e-4 of
    // the output's scale but enough to move the Adam steps of near-zero
    // gradients past what parity tests allow (tests/lit/e2e/residual.test).
    // --conv-algo=winograd asks for it.
    for (int tile : {0, 2}) {
      double seconds = timeLayer(op, target, fmaLanes, tile);
      report += " " + choiceName(tile) + " " + std::to_string(seconds * 1e3) + " ms";
      if (seconds < bestTime) {
        bestTime = seconds;
        best = tile;
      }
    }
    measured[key] = stored[key] = best;
    reported.insert(key);
    if (verbose())
      llvm::errs() << "netc: " << key << ": " << choiceName(best) << " (measured:" << report
                   << ")\n";
    // A cache that cannot be written costs the next compilation the measurement.
    if (!path.empty())
      (void)writeConvTuneFile(path, tuneVersion(), stored);
    return best;
  }

private:
  std::mutex mutex;
  bool loaded = false;
  /// What the tune file holds (with this process's measurements), and what
  /// this process measured.
  ConvChoices stored, measured;
  /// The shapes whose choice was reported (NETC_TUNE_VERBOSE).
  std::set<std::string> reported;
};

} // namespace

std::optional<ConvChoices> readConvTuneFile(const std::string &path, const std::string &version) {
  std::ifstream in(path);
  if (!in)
    return std::nullopt;
  ConvChoices choices;
  bool versionMatches = false;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#')
      continue;
    std::istringstream words(line);
    std::string key, value;
    words >> key >> value;
    if (key == "version") {
      versionMatches = value == version;
      continue;
    }
    for (int tile : {0, 2, 4})
      if (value == choiceName(tile))
        choices[key] = tile;
  }
  if (!versionMatches)
    return std::nullopt;
  return choices;
}

bool writeConvTuneFile(const std::string &path, const std::string &version,
                       const ConvChoices &choices) {
  std::ostringstream out;
  out << "# netc's fastest convolution per layer shape on this host (netc --conv-algo=auto)\n"
      << "version " << version << "\n";
  for (const auto &[key, tile] : choices)
    out << key << " " << choiceName(tile) << "\n";
  return writeFileAtomically(path, out.str());
}

std::string convTuneFilePath() {
  std::string dir = cacheSubdir("tune");
  return dir.empty() ? "" : dir + "/conv-" + hostTuneFileName();
}

/// Whether auto measures (rather than taking the direct convolution).
static bool measures(ConvAlgo algo, TuneMode mode, const std::string &target,
                     const std::string &schedule) {
  return algo == ConvAlgo::Auto && mode != TuneMode::Off && target.rfind("host", 0) == 0 &&
         !isGpuTarget(target) && schedule == "hand";
}

std::string convTuningKey(ConvAlgo algo, TuneMode mode, const std::string &target) {
  if (!measures(algo, mode, target, "hand"))
    return "";
  std::string path = convTuneFilePath();
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::function<int(Operation *)> convChooser(ConvAlgo algo, TuneMode mode,
                                            const std::string &target,
                                            const std::string &schedule, int fmaLanes) {
  switch (algo) {
  case ConvAlgo::Direct:
    return [](Operation *) { return 0; };
  case ConvAlgo::Winograd:
  case ConvAlgo::Winograd4:
    return [](Operation *op) { return forcedTile(op, 4); };
  case ConvAlgo::Winograd2:
    return [](Operation *) { return 2; };
  case ConvAlgo::Auto:
    break;
  }
  if (!measures(algo, mode, target, schedule))
    return [](Operation *) { return 0; };
  return [mode, target, fmaLanes](Operation *op) {
    // Measured in f32 only: f64 pipelines (gradient checks) stay direct; so
    // do layers too small to be worth timing (kTunedWork multiply-adds).
    auto type = cast<RankedTensorType>(op->getResult(0).getType());
    if (!type.getElementType().isF32() || convWork(op) < kTunedWork)
      return 0;
    static ConvTuner tuner;
    return tuner.choose(op, mode, target, fmaLanes);
  };
}

} // namespace netc::codegen
