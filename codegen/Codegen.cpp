//===- Codegen.cpp - nn functions into native code ------------------------===//
//
// Lowers each func.func of a module to a Halide pipeline, schedules it, and
// hands it to Halide for loop nests, objects and headers. Halide reports
// errors by throwing; they stop here and become diagnostics.
//
//===----------------------------------------------------------------------===//

#include "codegen/Codegen.h"
#include "codegen/Lowering.h"
#include "codegen/Schedules/Schedules.h"
#include "codegen/Split.h"
#include "ir/Signature.h"


#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>
#include <numeric>
#include <stdexcept>
#include <thread>

using namespace mlir;

namespace netc::codegen {

namespace {

/// One function, lowered and scheduled.
struct Compiled {
  std::unique_ptr<FunctionLowering> lowering;
  Halide::Pipeline pipeline;
  std::string name;
};

LogicalResult parseTarget(ModuleOp module, const std::string &text, Halide::Target &target) {
  if (!Halide::Target::validate_target_string(text)) {
    return module.emitError() << "'" << text
                              << "' is not a Halide target; try host, host-cuda or "
                                 "x86-64-linux-avx2";
  }
  target = resolveTarget(text);
  return success();
}

/// Halide's warnings since the last reportHalideWarnings(). Compilation may
/// run on worker threads, hence the lock.
std::mutex warningsMutex;
std::vector<std::string> pendingWarnings;

/// Halide's compile-time messages: a pipeline Halide proves will fail an
/// assertion or a require() at runtime is an error (an executable that can
/// only fail is no success), other warnings wait for reportHalideWarnings()
/// to become diagnostics; errors throw, as Halide's default reporter does.
class HalideReporter : public Halide::CompileTimeErrorReporter {
public:
  void warning(const char *message) override {
    if (std::strstr(message, "is guaranteed to fail"))
      throw Halide::CompileError(message);
    std::string text(message);
    while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
      text.pop_back();
    std::lock_guard<std::mutex> lock(warningsMutex);
    pendingWarnings.push_back(std::move(text));
  }
  void error(const char *message) override { throw Halide::CompileError(message); }
};

/// The bytes of a static tensor type, saturating at INT64_MAX.
int64_t tensorBytes(RankedTensorType type) {
  int64_t n = std::max<int64_t>(1, (type.getElementTypeBitWidth() + 7) / 8);
  for (int64_t d : type.getShape())
    if (llvm::MulOverflow(n, d, n))
      return INT64_MAX;
  return n;
}

/// Reports a value of `func` too large for Halide's 32-bit indexing at `loc`.
LogicalResult checkIndexableValue(Value v, Location loc, const Twine &what) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || !type.hasStaticShape())
    return success();
  int64_t bytes = tensorBytes(type);
  if (bytes <= kMaxBufferBytes)
    return success();
  InFlightDiagnostic diag = emitError(loc) << what << " of type " << type << " holds ";
  if (bytes == INT64_MAX)
    diag << "more than 2^63 bytes";
  else
    diag << bytes << " bytes";
  diag << "; compiled code indexes a buffer with 32 bits, so at most " << kMaxBufferBytes
       << " bytes (use --run for the interpreter)";
  return failure();
}

} // namespace

void installHalideReporter() {
  static HalideReporter reporter;
  static std::once_flag once;
  std::call_once(once, [] { Halide::set_custom_compile_time_error_reporter(&reporter); });
}

void reportHalideWarnings(Operation *at) {
  std::vector<std::string> warnings;
  {
    std::lock_guard<std::mutex> lock(warningsMutex);
    warnings.swap(pendingWarnings);
  }
  for (const std::string &w : warnings)
    at->emitWarning() << "Halide: " << w;
}

LogicalResult checkIndexable(func::FuncOp func) {
  bool ok = true;
  for (BlockArgument arg : func.getArguments())
    ok &= succeeded(
        checkIndexableValue(arg, arg.getLoc(), "argument " + Twine(arg.getArgNumber())));
  func.walk([&](Operation *op) {
    for (Value result : op->getResults())
      ok &= succeeded(checkIndexableValue(
          result, op->getLoc(), "the result of '" + op->getName().getStringRef() + "'"));
  });
  return success(ok);
}

namespace {

/// Lowers and schedules every function with a body.
LogicalResult lowerModule(ModuleOp module, const CodegenOptions &options,
                          const Halide::Target &target, std::vector<Compiled> &out) {
  installHalideReporter();
  int fmaLanes = fullRateF32Lanes(options.tune, options.target);
  for (auto func : module.getOps<func::FuncOp>()) {
    // A model with only a loss has no inference function to speak of.
    if (func.isExternal() || func.getNumResults() == 0)
      continue;
    if (failed(checkIndexable(func)))
      return failure();
    Compiled c{std::make_unique<FunctionLowering>(func, target), Halide::Pipeline(),
               entryPointName(func)};
    c.lowering->chooseConvolutionsWith(
        convChooser(options.convAlgo, options.tune, options.target, options.schedule, fmaLanes));
    if (failed(c.lowering->lower()))
      return failure();
    c.pipeline = Halide::Pipeline(c.lowering->outputs());
    ScheduleVariants variants;
    if (options.schedule == "hand")
      variants = chooseScheduleVariants(func, options.tune, options.target, target, fmaLanes);
    if (failed(applySchedule(*c.lowering, c.pipeline, options.schedule, fmaLanes, &variants)))
      return failure();
    out.push_back(std::move(c));
  }
  if (out.empty())
    return module.emitError("there is no function to compile");
  return success();
}

/// A Halide error while compiling one function: reported at the function.
struct FunctionError : std::runtime_error {
  FunctionError(func::FuncOp func, const std::string &message)
      : std::runtime_error(message), func(func) {}
  func::FuncOp func;
};

/// Halide's module of one function; its errors (a pipeline guaranteed to
/// fail at runtime among them) become a FunctionError.
Halide::Module compileFunction(Compiled &c, const Halide::Target &target) {
  try {
    return c.pipeline.compile_to_module(c.lowering->arguments(), c.name, target);
  } catch (const Halide::Error &e) {
    throw FunctionError(c.lowering->function(), e.what());
  }
}

/// Runs `body`, turning Halide's exceptions into an error at the function
/// they concern, or else at the module.
LogicalResult guarded(ModuleOp module, const std::function<LogicalResult()> &body) {
  auto warnings = llvm::make_scope_exit([&] { reportHalideWarnings(module); });
  try {
    return body();
  } catch (const FunctionError &e) {
    func::FuncOp func = e.func;
    return func.emitError() << "Halide: " << e.what();
  } catch (const Halide::Error &e) {
    return module.emitError() << "Halide: " << e.what();
  } catch (const std::exception &e) {
    return module.emitError() << "code generation failed: " << e.what();
  }
}

/// Parses the target, lowers and schedules every function, and hands them to
/// `body`; Halide's exceptions anywhere become an error at the module.
LogicalResult
withCompiled(ModuleOp module, const CodegenOptions &options,
             const std::function<LogicalResult(const Halide::Target &, std::vector<Compiled> &)>
                 &body) {
  return guarded(module, [&]() -> LogicalResult {
    Halide::Target target;
    std::vector<Compiled> compiled;
    if (failed(parseTarget(module, options.target, target)) ||
        failed(lowerModule(module, options, target, compiled)))
      return failure();
    return body(target, compiled);
  });
}

} // namespace

LogicalResult emitHalideStatements(ModuleOp module, const CodegenOptions &options,
                                   llvm::raw_ostream &os) {
  // The pipelines libraries and executables are made of: large functions as
  // their parts.
  if (!isGpuTarget(options.target) && failed(splitLargeFunctions(module)))
    return failure();
  return withCompiled(module, options, [&](const Halide::Target &target,
                                           std::vector<Compiled> &compiled) -> LogicalResult {
    for (Compiled &c : compiled) {
      llvm::SmallString<128> path;
      if (llvm::sys::fs::createTemporaryFile("netc", "stmt", path))
        return module.emitError("cannot create a temporary file");
      try {
        c.pipeline.compile_to_lowered_stmt(path.str().str(), c.lowering->arguments(),
                                           Halide::Text, target);
      } catch (const Halide::Error &e) {
        llvm::sys::fs::remove(path);
        return c.lowering->function().emitError() << "Halide: " << e.what();
      }
      auto buffer = llvm::MemoryBuffer::getFile(path);
      llvm::sys::fs::remove(path);
      if (!buffer)
        return module.emitError("cannot read Halide's statement back");
      os << "// ===== " << c.name << " (" << options.schedule << " schedule, " << target.to_string()
         << ")\n";
      // The loop nests are what a reader wants; the unpacking of buffer
      // descriptors and the argument checks before them are left out.
      llvm::SmallVector<StringRef> lines;
      (*buffer)->getBuffer().split(lines, '\n');
      for (StringRef line : lines)
        if (!line.contains("_halide_buffer_get_") && !line.trim().starts_with("assert("))
          os << line << "\n";
    }
    return success();
  });
}

/// Each function's module, for the object it goes into: Halide's runtime
/// in the first only.
std::vector<Halide::Module> modulesOf(std::vector<Compiled> &compiled,
                                      const Halide::Target &target, bool runtimeInFirstOnly) {
  std::vector<Halide::Module> modules;
  for (auto [k, c] : llvm::enumerate(compiled)) {
    Halide::Target t = runtimeInFirstOnly && k > 0
                           ? target.with_feature(Halide::Target::NoRuntime)
                           : target;
    modules.push_back(compileFunction(c, t));
  }
  return modules;
}

/// One object per module: GPU pipelines each embed their kernels in a
/// buffer of the same name (cuda_gpu_source_kernels), which link_modules
/// would make one, so that every pipeline but one would load another's
/// kernels.
void compileEachToObject(std::vector<Halide::Module> &modules, const std::string &objectBase,
                         std::vector<std::string> &objects) {
  objects.clear();
  for (auto [k, m] : llvm::enumerate(modules)) {
    objects.push_back(objectBase + "." + std::to_string(k) + ".o");
    m.compile({{Halide::OutputFileType::object, objects.back()}});
  }
}

LogicalResult compileToObject(ModuleOp module, const CodegenOptions &options,
                              const std::string &objectPath, const std::string &headerPath) {
  return withCompiled(module, options, [&](const Halide::Target &target,
                                           std::vector<Compiled> &compiled) -> LogicalResult {
    bool separate = target.has_gpu_feature() && compiled.size() > 1;
    std::vector<Halide::Module> modules = modulesOf(compiled, target, false);
    // Module::append(Module) would make the others submodules, which
    // Module::compile leaves out of the object; link_modules merges them.
    Halide::Module result = Halide::link_modules(compiled.front().name, modules);
    if (!separate) {
      result.compile({{Halide::OutputFileType::object, objectPath},
                      {Halide::OutputFileType::c_header, headerPath}});
      return success();
    }
    // GPU: an object per function, merged by the linker (ld -r keeps each
    // object's private kernel buffer its own). link_modules wants one target,
    // so the header comes from the linked modules and the objects from
    // modules without the runtime but in the first.
    result.compile({{Halide::OutputFileType::c_header, headerPath}});
    modules = modulesOf(compiled, target, true);
    llvm::ErrorOr<std::string> ld = llvm::sys::findProgramByName("ld");
    if (!ld)
      return module.emitError("cannot find 'ld' to merge the GPU objects");
    std::vector<std::string> parts;
    compileEachToObject(modules, objectPath, parts);
    std::vector<llvm::StringRef> argv{*ld, "-r", "-o", objectPath};
    argv.insert(argv.end(), parts.begin(), parts.end());
    std::string message;
    int rc = llvm::sys::ExecuteAndWait(*ld, argv, std::nullopt, {}, 0, 0, &message);
    for (const std::string &p : parts)
      llvm::sys::fs::remove(p);
    if (rc != 0)
      return module.emitError() << "'ld -r' could not merge the GPU objects: " << message;
    return success();
  });
}

LogicalResult compileToObjects(ModuleOp module, const CodegenOptions &options,
                               const std::string &objectBase, std::vector<std::string> &objects) {
  return withCompiled(module, options, [&](const Halide::Target &target,
                                           std::vector<Compiled> &compiled) -> LogicalResult {
    // Workers take functions in turn (largest first, by op count) and each
    // writes one object; only the first object carries Halide's runtime.
    unsigned jobs = std::min<unsigned>(std::max(1u, std::thread::hardware_concurrency()),
                                       static_cast<unsigned>(compiled.size()));
    if (target.has_gpu_feature()) {
      std::vector<Halide::Module> modules = modulesOf(compiled, target, true);
      compileEachToObject(modules, objectBase, objects);
      return success();
    }
    std::vector<size_t> order(compiled.size());
    std::iota(order.begin(), order.end(), 0);
    auto size = [&](size_t i) { return compiled[i].lowering->loweredFuncs().size(); };
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return size(a) > size(b); });
    // Libraries and executables call their pipelines from the runtime alone,
    // with buffers it made from the model's descriptor (the C API checks
    // what a caller passes first): Halide's argument checks could never
    // fail there, and leaving them out cuts the compile time by a third to a
    // half. Objects (--emit=obj) that a user calls directly keep them.
    // (Halide's no_bounds_query, which would halve it again, changed the
    // results of tests/e2e's attention model: it stays off.)
    Halide::Target cpu = target.with_feature(Halide::Target::NoAsserts);
    std::atomic<size_t> next{0};
    std::vector<std::string> errors(jobs);
    std::vector<func::FuncOp> failedFunctions(jobs);
    objects.clear();
    for (unsigned w = 0; w < jobs; ++w)
      objects.push_back(objectBase + "." + std::to_string(w) + ".o");
    auto work = [&](unsigned w) {
      try {
        Halide::Target t = w == 0 ? cpu : cpu.with_feature(Halide::Target::NoRuntime);
        std::vector<Halide::Module> modules;
        for (size_t i; (i = next.fetch_add(1)) < order.size();) {
          Compiled &c = compiled[order[i]];
          modules.push_back(compileFunction(c, t));
        }
        if (modules.empty()) {
          // Nothing left for this worker: an object with the runtime alone
          // (worker 0) or an empty module.
          modules.push_back(Halide::Module("netc_kernels_" + std::to_string(w) + "_empty", t));
        }
        Halide::Module result = Halide::link_modules("netc_kernels_" + std::to_string(w), modules);
        result.compile({{Halide::OutputFileType::object, objects[w]}});
      } catch (const FunctionError &e) {
        errors[w] = e.what();
        failedFunctions[w] = e.func;
      } catch (const std::exception &e) {
        errors[w] = e.what();
      }
    };
    std::vector<std::thread> threads;
    for (unsigned w = 1; w < jobs; ++w)
      threads.emplace_back(work, w);
    work(0);
    for (std::thread &t : threads)
      t.join();
    for (unsigned w = 0; w < jobs; ++w)
      if (!errors[w].empty())
        return (failedFunctions[w] ? failedFunctions[w].emitError() : module.emitError())
               << "Halide: " << errors[w];
    return success();
  });
}

bool isGpuTarget(const std::string &target) {
  return Halide::Target::validate_target_string(target) &&
         Halide::Target(target).has_gpu_feature();
}

} // namespace netc::codegen
