//===- PassesFuzzer.cpp - libFuzzer target of netc's pass pipelines -------===//
//
// Imports arbitrary bytes as FrontendFuzzer.cpp does, then runs every model
// that imports through the pipelines netc builds for its --emit kinds:
//   rf, rf-json, rf-svg  import pipeline + nn-receptive-field, the three reports
//   opt, stats, dot      optimize pipeline (shapes, dropout fusion), the reports
//   (inference form)     inference pipeline
//   grad                 train pipeline (autodiff, optimizer), with and without
//                        the input gradients
// Any model the import accepts must give results or diagnostics, never a
// crash, a sanitizer report, a leak or a hang. Two more checks abort (and so
// count as findings): a pass that leaves IR the verifier rejects, and a
// pipeline that fails without reporting an error.
//
// Run it through `scripts/fuzz.sh SECONDS passes`; the replay driver
// netc-passes-replay (ReplayMain.cpp) runs it in the normal build.
//
//===----------------------------------------------------------------------===//

#include "fuzz/FuzzCommon.h"

#include "passes/Passes.h"
#include "reports/Reports.h"

#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassInstrumentation.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/raw_ostream.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>

using namespace mlir;

namespace {

/// The bound on what `repeat` may unroll to, lower than the frontend target's:
/// autodiff roughly triples the ops, and every pipeline runs on its own copy,
/// so under the sanitizers a model costs about ten times its import.
constexpr int64_t kMaxUnrolled = 1000;

/// Verifies the IR after every pass (the pass manager's own verifier is off)
/// and aborts, naming the pass and printing the verifier's message, when a
/// pass leaves IR that does not verify: a pass must fail with a diagnostic
/// rather than hand on a broken module.
class VerifyAfterEachPass : public PassInstrumentation {
  void runAfterPass(Pass *pass, Operation *op) override {
    ScopedDiagnosticHandler print(op->getContext(), [](Diagnostic &diag) {
      llvm::errs() << diag << "\n";
      return success();
    });
    if (succeeded(verify(op)))
      return;
    llvm::errs() << "fuzz: pass '" << pass->getArgument() << "' left IR that does not verify\n";
    std::abort();
  }
};

/// Runs the pipeline that \p build adds on a copy of \p module, then
/// \p report on the result if it succeeded.
void runPipeline(ModuleOp module, const netc::fuzz::SwallowDiagnostics &diagnostics,
                 llvm::function_ref<void(OpPassManager &)> build,
                 llvm::function_ref<void(ModuleOp)> report) {
  OwningOpRef<ModuleOp> copy = module.clone();
  PassManager pm(module.getContext());
  pm.enableVerifier(false);
  pm.addInstrumentation(std::make_unique<VerifyAfterEachPass>());
  build(pm);
  unsigned errorsBefore = diagnostics.errors();
  if (succeeded(pm.run(*copy))) {
    report(*copy);
    return;
  }
  if (diagnostics.errors() == errorsBefore) {
    llvm::errs() << "fuzz: a pipeline failed without reporting an error\n";
    std::abort();
  }
}

/// Runs every pipeline of netc's --emit kinds on \p module, each on its own
/// copy, and prints the reports into nothing.
void runPipelines(ModuleOp module, const netc::fuzz::SwallowDiagnostics &diagnostics) {
  llvm::raw_ostream &os = llvm::nulls();
  runPipeline(
      module, diagnostics,
      [](OpPassManager &pm) {
        netc::buildImportPipeline(pm);
        pm.addNestedPass<func::FuncOp>(netc::createNNReceptiveField());
      },
      [&](ModuleOp result) {
        (void)netc::printReceptiveFieldTable(result, os);
        (void)netc::printReceptiveFieldJSON(result, os);
        (void)netc::printReceptiveFieldSvg(result, os);
      });
  runPipeline(module, diagnostics, netc::buildOptimizePipeline, [&](ModuleOp result) {
    (void)netc::printStats(result, os);
    (void)netc::printDot(result, os);
  });
  runPipeline(module, diagnostics, netc::buildInferencePipeline, [](ModuleOp) {});
  for (bool gradInputs : {false, true})
    runPipeline(
        module, diagnostics,
        [gradInputs](OpPassManager &pm) { netc::buildTrainPipeline(pm, gradInputs); },
        [](ModuleOp) {});
}

} // namespace

/// libFuzzer's entry point: one input, the bytes of a .net file.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view source(reinterpret_cast<const char *>(data), size);
  MLIRContext &context = netc::fuzz::nextContext();
  netc::fuzz::SwallowDiagnostics diagnostics(context);
  netc::fuzz::importEachModel(source, context, kMaxUnrolled,
                              [&](ModuleOp module) { runPipelines(module, diagnostics); });
  return 0;
}
