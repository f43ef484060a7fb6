//===- LayerTune.cpp - schedule variants chosen by measurement ------------===//

#include "codegen/Schedules/LayerTune.h"

#include "codegen/CacheDir.h"
#include "codegen/Codegen.h"
#include "codegen/HalideInfo.h"
#include "codegen/Lowering.h"
#include "codegen/Schedules/HandScheduler.h"
#include "codegen/Schedules/Schedules.h"

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
#include <random>
#include <mutex>
#include <sstream>
#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

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
  std::string key = std::string("netc ") + NETC_VERSION + "\nschedules " +
                    std::to_string(kScheduleRevision) + "\nhost " + halideHostTarget() +
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
      double seconds = timeOpAlone(
          op, target, fmaLanes,
          [v](FunctionLowering &, Operation *clone, ScheduleVariants &forced) { forced[clone] = v; });
      measured.ms.push_back(seconds * 1e3);
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

/// Fills `b` with values in [-1, 1) from a fixed seed.
void fillRandom(Halide::Buffer<> &b) {
  std::mt19937 gen(7);
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  size_t n = b.number_of_elements();
  for (size_t i = 0; i < n; ++i) {
    if (b.type() == Halide::Float(32))
      static_cast<float *>(b.data())[i] = static_cast<float>(dist(gen));
    else
      static_cast<double *>(b.data())[i] = dist(gen);
  }
}

} // namespace

double timeOpAlone(
    Operation *op, const Halide::Target &target, int fmaLanes,
    llvm::function_ref<void(FunctionLowering &, Operation *, ScheduleVariants &)> configure) {
  OpBuilder b(op->getContext());
  Location loc = op->getLoc();
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  b.setInsertionPointToEnd(module->getBody());
  auto fn = b.create<func::FuncOp>(
      loc, "layer", b.getFunctionType(op->getOperandTypes(), op->getResultTypes()));
  Block *block = fn.addEntryBlock();
  b.setInsertionPointToStart(block);
  IRMapping map;
  for (auto [operand, arg] : llvm::zip_equal(op->getOperands(), block->getArguments()))
    map.map(operand, arg);
  Operation *clone = b.clone(*op, map);
  b.create<func::ReturnOp>(loc, clone->getResults());
#if defined(__GLIBC__)
  // Timed as executables run (runtime/Driver.cpp): buffers up to 32 MiB come
  // from the heap and stay mapped between calls. Otherwise glibc maps every
  // block of the same size afresh, and on virtual machines that hand freed
  // pages back to their host the page faults cost more than the layer.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
  try {
    FunctionLowering fl(fn, target);
    ScheduleVariants variants;
    configure(fl, clone, variants);
    if (failed(fl.lower()))
      return INFINITY;
    Halide::Pipeline pipeline(fl.outputs());
    if (failed(applySchedule(fl, pipeline, "hand", fmaLanes, &variants)))
      return INFINITY;
    pipeline.compile_jit(target.with_feature(Halide::Target::JIT));
    std::vector<Halide::Buffer<>> inputs;
    for (auto &[param, type] : fl.imageParams()) {
      std::vector<int> sizes(type.getShape().rbegin(), type.getShape().rend());
      inputs.emplace_back(param.type(), sizes);
      fillRandom(inputs.back());
      param.set(inputs.back());
    }
    auto type = cast<RankedTensorType>(op->getResult(0).getType());
    std::vector<int> sizes(type.getShape().rbegin(), type.getShape().rend());
    Halide::Buffer<> out(FunctionLowering::halideType(type.getElementType()), sizes);
    pipeline.realize(out);
    double best = INFINITY, total = 0;
    for (int run = 0; run < 50 && (run < 3 || total < 0.02); ++run) {
      auto start = std::chrono::steady_clock::now();
      pipeline.realize(out);
      double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      best = std::min(best, seconds);
      total += seconds;
    }
    return best;
  } catch (const Halide::Error &) {
    return INFINITY;
  }
}

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
