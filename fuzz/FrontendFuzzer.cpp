//===- FrontendFuzzer.cpp - libFuzzer target of the .net frontend ---------===//
//
// Feeds arbitrary bytes to the whole frontend as `netc` runs it: the parser,
// the AST dump of `--emit=ast`, and the import into the nn dialect, which ends
// with MLIR's module verifier. Any input must give diagnostics or a module,
// never a crash, a sanitizer report, a leak or a hang. Diagnostics are
// swallowed so that printing does not slow the fuzzer down.
//
// Run it through scripts/fuzz.sh, which builds it (NETC_FUZZ=ON, clang-19) and
// passes the seed corpus, the dictionary and the limits.
//
//===----------------------------------------------------------------------===//

#include "frontend/AST.h"
#include "frontend/Import.h"
#include "frontend/Parser.h"
#include "ir/NNDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

using namespace mlir;

namespace {

/// Inputs run in one context before it is replaced. A context interns every
/// name and location it sees, so one kept for the whole run would grow without
/// bound; building a new one for every input would cost more than the import.
constexpr unsigned kInputsPerContext = 512;

/// At most this many models of a file with several are imported one by one.
constexpr size_t kMaxModelsPerInput = 3;

/// The bound on what `repeat` may unroll to, lower than netc's: under the
/// sanitizers an op costs up to 0.2 ms to build, and a few bytes of input can
/// ask for the most the bound allows, so netc's bound would let one input run
/// past the 10 s hang limit. The limit's own path is exercised either way.
constexpr int64_t kMaxUnrolled = 5000;

/// A context set up as `netc` sets it up, but single-threaded: the import
/// uses no threads, and a thread pool per context would only cost time.
std::unique_ptr<MLIRContext> makeContext() {
  DialectRegistry registry;
  registry.insert<netc::nn::NNDialect, func::FuncDialect, arith::ArithDialect>();
  auto context = std::make_unique<MLIRContext>(registry, MLIRContext::Threading::DISABLED);
  context->loadAllAvailableDialects();
  context->printOpOnDiagnostic(false);
  return context;
}

/// Returns the context for the next input, renewing it every
/// kInputsPerContext inputs.
MLIRContext &nextContext() {
  static std::unique_ptr<MLIRContext> context;
  static unsigned uses = 0;
  if (!context || ++uses >= kInputsPerContext) {
    context.reset();
    context = makeContext();
    uses = 0;
  }
  return *context;
}

/// The names of the models of \p source, in order, or none when it does not
/// parse.
std::vector<std::string> modelNames(std::string_view source) {
  std::vector<std::string> names;
  netc::frontend::ParseResult parsed = netc::frontend::parse(source);
  if (!parsed.errors.empty() || !parsed.file)
    return names;
  for (const netc::frontend::StmtPtr &item : parsed.file->items)
    if (auto *model = netc::frontend::dynCast<netc::frontend::ModelDecl>(item.get()))
      names.push_back(model->name);
  return names;
}

/// Imports the model \p modelName of \p source (empty: the only one) from a
/// fresh source manager, as `netc --emit=nn` does before its passes.
void importOnce(std::string_view source, MLIRContext &context, const std::string &modelName) {
  netc::frontend::ImportOptions options;
  options.modelName = modelName;
  options.maxUnrolled = kMaxUnrolled;
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(llvm::MemoryBuffer::getMemBufferCopy(
                                   llvm::StringRef(source.data(), source.size()), "fuzz.net"),
                               llvm::SMLoc());
  // Returns null on errors, which the handler has swallowed; a module that
  // comes back has passed the verifier inside the import.
  OwningOpRef<ModuleOp> module = netc::frontend::importNetFile(sourceMgr, context, options);
  (void)module;
}

} // namespace

/// libFuzzer's entry point: one input, the bytes of a .net file.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view source(reinterpret_cast<const char *>(data), size);
  MLIRContext &context = nextContext();
  ScopedDiagnosticHandler swallow(&context, [](Diagnostic &) { return success(); });

  // The `--emit=ast` path: parse and print the tree.
  {
    llvm::SourceMgr sourceMgr;
    sourceMgr.AddNewSourceBuffer(llvm::MemoryBuffer::getMemBufferCopy(
                                     llvm::StringRef(source.data(), source.size()), "fuzz.net"),
                                 llvm::SMLoc());
    (void)netc::frontend::emitAST(sourceMgr, context, llvm::nulls());
  }

  // The `--emit=nn` path with no --model; a file with several models fails
  // there, so each of them is then imported by name as well.
  importOnce(source, context, "");
  std::vector<std::string> names = modelNames(source);
  if (names.size() > 1)
    for (size_t i = 0; i < names.size() && i < kMaxModelsPerInput; ++i)
      importOnce(source, context, names[i]);
  // An unknown model name takes the "no model named" path.
  if (!names.empty())
    importOnce(source, context, "no_such_model");
  return 0;
}
