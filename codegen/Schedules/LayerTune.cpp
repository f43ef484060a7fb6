//===- LayerTune.cpp - schedule variants chosen by measurement ------------===//

#include "codegen/Schedules/LayerTune.h"

#include "codegen/CacheDir.h"
#include "codegen/Codegen.h"
#include "codegen/HalideInfo.h"
#include "codegen/Lowering.h"
#include "codegen/Schedules/HandScheduler.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <unistd.h>

using namespace mlir;

namespace netc::codegen {

namespace {

/// What identifies an op's measurement: its name, attributes and types.
std::string describeOp(Operation *op) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << op->getName() << " " << op->getAttrDictionary() << " : (";
  llvm::interleaveComma(op->getOperandTypes(), os);
  os << ") -> ";
  llvm::interleaveComma(op->getResultTypes(), os);
  return text;
}

/// Seconds per run of the pipeline of `op` alone under `variant`, the best
/// of a few runs after a first; infinity when it cannot be built or run.
double timeVariant(Operation *op, int variant, const Halide::Target &target, int fmaLanes) {
  OpBuilder b(op->getContext());
  Location loc = op->getLoc();
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  b.setInsertionPointToEnd(module->getBody());
  auto fn = b.create<func::FuncOp>(
      loc, "tune", b.getFunctionType(op->getOperandTypes(), op->getResultTypes()));
  Block *entry = fn.addEntryBlock();
  b.setInsertionPointToStart(entry);
  IRMapping map;
  for (auto [operand, arg] : llvm::zip_equal(op->getOperands(), entry->getArguments()))
    map.map(operand, arg);
  Operation *clone = b.clone(*op, map);
  b.create<func::ReturnOp>(loc, clone->getResults());
  try {
    FunctionLowering fl(fn, target);
    if (failed(fl.lower()))
      return INFINITY;
    Halide::Pipeline pipeline(fl.outputs());
    ScheduleVariants forced{{clone, variant}};
    hand::HandScheduler(fl, fmaLanes, &forced).run();
    pipeline.compile_jit(target);
    // Inputs of small values that neither overflow nor underflow.
    std::vector<Halide::Buffer<float>> inputs;
    for (auto &[param, type] : fl.imageParams()) {
      std::vector<int> extents(type.getShape().rbegin(), type.getShape().rend());
      Halide::Buffer<float> buffer(extents);
      int k = 0;
      buffer.for_each_value([&](float &v) { v = static_cast<float>((k++ % 17) - 8) / 16.0f; });
      param.set(buffer);
      inputs.push_back(buffer);
    }
    auto resultType = cast<RankedTensorType>(op->getResultTypes()[0]);
    std::vector<int> extents(resultType.getShape().rbegin(), resultType.getShape().rend());
    Halide::Buffer<float> out(extents);
    pipeline.realize(out);
    double best = INFINITY, spent = 0;
    for (int run = 0; run < 7 && (run < 3 || spent < 0.2); ++run) {
      auto start = std::chrono::steady_clock::now();
      pipeline.realize(out);
      double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      best = std::min(best, s);
      spent += s;
    }
    return best;
  } catch (const Halide::Error &) {
    return INFINITY;
  }
}

/// The cache file of `key`: a hash of it (the file holds the key itself).
std::string choicePath(const std::string &key) {
  std::string dir = cacheSubdir("tune/layers");
  if (dir.empty())
    return "";
  char name[32];
  std::snprintf(name, sizeof name, "%016llx.txt",
                static_cast<unsigned long long>(llvm::xxh3_64bits(key)));
  return dir + "/" + name;
}

bool verbose() {
  const char *v = std::getenv("NETC_CACHE_VERBOSE");
  return v && std::string(v) == "1";
}

/// The choice for one op: remembered in this process, else cached, else measured.
int chooseFor(Operation *op, int count, bool remeasure, const Halide::Target &target,
              int fmaLanes) {
  std::string key = std::string("netc ") + NETC_VERSION + "\nhost " + halideHostTarget() +
                    "\ntarget " + target.to_string() + "\nfma-lanes " +
                    std::to_string(fmaLanes) + "\nop " + describeOp(op);
  static std::mutex mutex;
  static std::map<std::string, int> known;
  std::lock_guard<std::mutex> lock(mutex);
  if (auto it = known.find(key); it != known.end())
    return it->second;
  std::string path = choicePath(key);
  std::optional<LayerChoice> choice;
  if (!remeasure && !path.empty())
    choice = readLayerChoice(path, key);
  if (!choice) {
    LayerChoice measured;
    for (int v = 0; v < count; ++v) {
      measured.ms.push_back(timeVariant(op, v, target, fmaLanes) * 1e3);
      if (measured.ms[v] < measured.ms[measured.variant])
        measured.variant = v;
    }
    if (remeasure && !path.empty())
      std::remove(path.c_str());
    // Another process may have measured the same shape meanwhile: its
    // choice stands, so that every compile on this host agrees.
    if (path.empty() || writeLayerChoice(path, key, measured))
      choice = measured;
    else
      choice = readLayerChoice(path, key).value_or(measured);
    if (verbose()) {
      llvm::errs() << "netc: tune: " << describeOp(op) << ": variant " << choice->variant
                   << " of";
      for (double ms : measured.ms)
        llvm::errs() << " " << llvm::format("%.3f", ms) << " ms";
      llvm::errs() << "\n";
    }
  }
  known[key] = choice->variant;
  return choice->variant;
}

} // namespace

bool writeLayerChoice(const std::string &path, const std::string &key, const LayerChoice &choice) {
  std::string temp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(temp, std::ios::trunc);
    out << "# netc's measured choice of a schedule variant for one op on this host (netc --tune)\n"
        << key << "\nvariant " << choice.variant << "\nms";
    for (double ms : choice.ms)
      out << " " << ms;
    out << "\n";
    out.flush();
    if (!out) {
      std::remove(temp.c_str());
      return false;
    }
  }
  // link() fails when the file exists: the first writer wins, and readers
  // never see a half-written file.
  bool written = ::link(temp.c_str(), path.c_str()) == 0;
  std::remove(temp.c_str());
  return written;
}

std::optional<LayerChoice> readLayerChoice(const std::string &path, const std::string &key) {
  std::ifstream in(path);
  if (!in)
    return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  std::string all = text.str();
  std::string header = "\n" + key + "\nvariant ";
  size_t at = all.find(header);
  if (at == std::string::npos)
    return std::nullopt;
  std::istringstream rest(all.substr(at + header.size()));
  LayerChoice choice;
  std::string word;
  if (!(rest >> choice.variant) || choice.variant < 0 || !(rest >> word) || word != "ms")
    return std::nullopt;
  for (double ms; rest >> ms;)
    choice.ms.push_back(ms);
  if (choice.variant >= static_cast<int>(choice.ms.size()))
    return std::nullopt;
  return choice;
}

ScheduleVariants chooseScheduleVariants(func::FuncOp func, TuneMode mode,
                                        const std::string &targetName,
                                        const Halide::Target &target, int fullRateF32Lanes) {
  ScheduleVariants chosen;
  if (mode == TuneMode::Off || targetName.rfind("host", 0) != 0 || target.has_gpu_feature())
    return chosen;
  func.walk([&](Operation *op) {
    int count = hand::HandScheduler::variantCount(op, target);
    if (count > 1)
      chosen[op] = chooseFor(op, count, mode == TuneMode::Full, target, fullRateF32Lanes);
  });
  return chosen;
}

} // namespace netc::codegen
