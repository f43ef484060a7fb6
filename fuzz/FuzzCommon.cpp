//===- FuzzCommon.cpp - what netc's fuzz targets share ---------------------===//

#include "fuzz/FuzzCommon.h"

#include "frontend/AST.h"
#include "frontend/Import.h"
#include "frontend/Parser.h"
#include "interp/Kernels.h"
#include "ir/NNDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

#include <memory>
#include <vector>

using namespace mlir;

namespace netc::fuzz {

namespace {

/// Inputs run in one context before it is replaced.
constexpr unsigned kInputsPerContext = 512;

/// At most this many models of a file with several are imported one by one.
constexpr size_t kMaxModelsPerInput = 3;

/// A context with netc's dialects; the import and the pass pipelines run
/// single-threaded here, and a thread pool per context would only cost time.
std::unique_ptr<MLIRContext> makeContext() {
  DialectRegistry registry;
  registry.insert<netc::nn::NNDialect, func::FuncDialect, arith::ArithDialect>();
  netc::interp::registerInterpKernels(registry);
  auto context = std::make_unique<MLIRContext>(registry, MLIRContext::Threading::DISABLED);
  context->loadAllAvailableDialects();
  context->printOpOnDiagnostic(false);
  return context;
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
/// fresh source manager; null on errors, which the handler has swallowed.
OwningOpRef<ModuleOp> importOnce(std::string_view source, MLIRContext &context,
                                 const std::string &modelName, int64_t maxUnrolled) {
  netc::frontend::ImportOptions options;
  options.modelName = modelName;
  options.maxUnrolled = maxUnrolled;
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(llvm::MemoryBuffer::getMemBufferCopy(
                                   llvm::StringRef(source.data(), source.size()), "fuzz.net"),
                               llvm::SMLoc());
  return netc::frontend::importNetFile(sourceMgr, context, options);
}

} // namespace

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

SwallowDiagnostics::SwallowDiagnostics(MLIRContext &context)
    : handler(&context, [this](Diagnostic &diag) {
        if (diag.getSeverity() == DiagnosticSeverity::Error)
          ++errorCount;
        return success();
      }) {}

void importEachModel(std::string_view source, MLIRContext &context, int64_t maxUnrolled,
                     llvm::function_ref<void(ModuleOp)> onModule) {
  auto importAndVisit = [&](const std::string &name) {
    if (OwningOpRef<ModuleOp> module = importOnce(source, context, name, maxUnrolled))
      onModule(*module);
  };
  importAndVisit("");
  std::vector<std::string> names = modelNames(source);
  if (names.size() > 1)
    for (size_t i = 0; i < names.size() && i < kMaxModelsPerInput; ++i)
      importAndVisit(names[i]);
  if (!names.empty())
    importAndVisit("no_such_model");
}

} // namespace netc::fuzz
