//===- FrontendFuzzer.cpp - libFuzzer target of the .net frontend ---------===//
//
// Feeds arbitrary bytes to the whole frontend as `netc` runs it: the parser,
// the AST dump of `--emit=ast`, and the import into the nn dialect, which ends
// with MLIR's module verifier. Any input must give diagnostics or a module,
// never a crash, a sanitizer report, a leak or a hang. PassesFuzzer.cpp goes
// on from the imported modules through the pass pipelines.
//
// Run it through scripts/fuzz.sh, which builds it (NETC_FUZZ=ON, clang-19) and
// passes the seed corpus, the dictionary and the limits; the replay driver
// netc-frontend-replay (ReplayMain.cpp) runs it in the normal build.
//
//===----------------------------------------------------------------------===//

#include "fuzz/FuzzCommon.h"

#include "frontend/Import.h"

#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {

/// The bound on what `repeat` may unroll to, lower than netc's: under the
/// sanitizers an op costs up to 0.2 ms to build, and a few bytes of input can
/// ask for the most the bound allows, so netc's bound would let one input run
/// past the 10 s hang limit. The limit's own path is exercised either way.
constexpr int64_t kMaxUnrolled = 5000;

} // namespace

/// libFuzzer's entry point: one input, the bytes of a .net file.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view source(reinterpret_cast<const char *>(data), size);
  mlir::MLIRContext &context = netc::fuzz::nextContext();
  netc::fuzz::SwallowDiagnostics swallow(context);

  // The `--emit=ast` path: parse and print the tree.
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(llvm::MemoryBuffer::getMemBufferCopy(
                                   llvm::StringRef(source.data(), source.size()), "fuzz.net"),
                               llvm::SMLoc());
  (void)netc::frontend::emitAST(sourceMgr, context, llvm::nulls());

  // The `--emit=nn` path; a module that comes back has passed the verifier.
  netc::fuzz::importEachModel(source, context, kMaxUnrolled, [](mlir::ModuleOp) {});
  return 0;
}
