//===- Outputs.cpp - netc's object files and quoted diagnostics ----------===//
//
// Pieces of the driver that read no flag: code generation for each --emit
// kind, writing an object and its header atomically, and keeping the
// diagnostic printer from quoting files netc has not read.
//
//===----------------------------------------------------------------------===//

#include "Outputs.h"
#include "InputFiles.h"

#include "codegen/Artifact.h"
#include "codegen/Codegen.h"
#include "codegen/OutputPaths.h"
#include "codegen/StepMemory.h"
#include "passes/Passes.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Signals.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;

namespace netc::tool {

LogicalResult emitCode(ModuleOp module, Emit kind, const codegen::CodegenOptions &options,
                       const std::string &outputFilename, llvm::raw_ostream &os) {
  // Executables keep the loss in the forward function: validation reports
  // it (runtime/DriverEpochs.cpp). A library's forward, whose C API returns
  // the outputs alone, does not spend time on it.
  bool keepLoss = kind == Emit::Exe;
  if (failed(prepareForCodegen(module, keepLoss)))
    return failure();
  if (kind == Emit::Halide)
    return codegen::emitHalideStatements(module, options, os);
  if (kind == Emit::Obj)
    return emitObject(module, outputFilename, options);
  if (outputFilename == "-")
    return module.emitError() << "--emit="
                              << (kind == Emit::Lib  ? "lib"
                                  : kind == Emit::So ? "so"
                                                     : "exe")
                              << " needs -o";
  if (kind == Emit::Lib)
    return codegen::writeLibrary(module, options, outputFilename);
  if (kind == Emit::So)
    return codegen::writeSharedLibrary(module, options, outputFilename);
  return codegen::writeExecutable(module, options, outputFilename);
}

std::optional<StepPeak> predictStepPeak(func::FuncOp model) {
  // A copy holding this model alone goes the way of --emit=exe: the train
  // pipeline, the preparation, the split. Its errors are no errors of the
  // statistics: without an executable there is nothing to predict.
  MLIRContext *context = model.getContext();
  ScopedDiagnosticHandler quiet(context, [](Diagnostic &) { return success(); });
  OwningOpRef<ModuleOp> copy(model->getParentOfType<ModuleOp>().clone());
  for (auto fn : llvm::to_vector(copy->getOps<func::FuncOp>()))
    if (fn.getSymName() != model.getSymName())
      fn.erase();
  PassManager pm(context);
  buildTrainPipeline(pm, /*gradInputs=*/false);
  if (failed(pm.run(*copy)) || failed(prepareForCodegen(*copy, /*keepLoss=*/true)))
    return std::nullopt;
  FailureOr<codegen::StepMemory> m = codegen::predictStepMemory(*copy);
  if (failed(m))
    return std::nullopt;
  std::string parts = std::to_string(m->parts) + " part" + (m->parts == 1 ? "" : "s");
  StepPeak peak;
  peak.total = m->total();
  peak.rows = {
      {"program", m->program,
       " (" + std::to_string(m->pipelines) + " pipelines, runtimes: estimated)"},
      {"parameters", m->params, ""},
      {"gradients", m->grads, ""},
      {"optimizer state", m->state, ""},
      {"model buffers", m->buffers, ""},
      {"updated copies", m->updated, " (new values written beside the old)"},
      {"inputs and outputs", m->io, ""},
      {"between parts", m->arena,
       " (" + std::to_string(m->temps) + " temporaries over " + parts + ", shared by liveness)"},
      {"within a part", m->within, " (Halide's own buffers in the largest part, estimated)"}};
  return peak;
}

/// Writes NAME.o and NAME.h for `-o NAME.o`; nothing is left behind on failure.
LogicalResult emitObject(ModuleOp module, const std::string &outputFilename,
                         const codegen::CodegenOptions &options) {
  if (outputFilename == "-")
    return module.emitError("--emit=obj needs -o NAME.o");
  llvm::SmallString<128> header(outputFilename);
  llvm::sys::path::replace_extension(header, "h");
  // Halide writes the files itself; it writes beside them and they are moved
  // into place only when both exist.
  // Links are written through: the files go beside their targets.
  std::string object = codegen::resolveOutputLink(outputFilename);
  std::string headerPath = codegen::resolveOutputLink(header);
  std::string objectTemp = object + ".tmp", headerTemp = headerPath + ".tmp";
  llvm::sys::RemoveFileOnSignal(objectTemp);
  llvm::sys::RemoveFileOnSignal(headerTemp);
  auto forget = [&] {
    llvm::sys::fs::remove(objectTemp);
    llvm::sys::fs::remove(headerTemp);
    llvm::sys::DontRemoveFileOnSignal(objectTemp);
    llvm::sys::DontRemoveFileOnSignal(headerTemp);
  };
  if (failed(codegen::compileToObject(module, options, objectTemp, headerTemp))) {
    forget();
    return failure();
  }
  bool moved = !llvm::sys::fs::rename(objectTemp, object) &&
               !llvm::sys::fs::rename(headerTemp, headerPath);
  forget();
  if (!moved)
    return module.emitError() << "cannot write '" << outputFilename << "'";
  return success();
}

/// Keeps the printing of diagnostics from opening files that netc has not
/// read: a location in an untrusted .mlir file may name /dev/zero, a FIFO or
/// a private file, and the printer would read it (forever, or into the error
/// text) to quote a line. Such a file gets an empty buffer, so only its name
/// and position are printed; a .net source a .mlir file was made from (a
/// regular file within the .net size limit) is still quoted.
void guardQuotedFiles(MLIRContext &context, llvm::SourceMgr &sourceMgr) {
  context.getDiagEngine().registerHandler([&sourceMgr](Diagnostic &diag) {
    auto guard = [&](Location loc) {
      loc->walk([&](Location inner) {
        auto file = dyn_cast<FileLineColLoc>(inner);
        if (!file)
          return WalkResult::advance();
        llvm::StringRef name = file.getFilename().getValue();
        for (unsigned i = 1, e = sourceMgr.getNumBuffers(); i <= e; ++i)
          if (sourceMgr.getMemoryBuffer(i)->getBufferIdentifier() == name)
            return WalkResult::advance();
        llvm::sys::fs::file_status status;
        bool quotable = name.ends_with(".net") && !llvm::sys::fs::status(name, status) &&
                        llvm::sys::fs::is_regular_file(status) &&
                        status.getSize() <= kMaxNetFileBytes;
        if (!quotable)
          sourceMgr.AddNewSourceBuffer(llvm::MemoryBuffer::getMemBuffer("", name),
                                       llvm::SMLoc());
        return WalkResult::advance();
      });
    };
    guard(diag.getLocation());
    for (Diagnostic &note : diag.getNotes())
      guard(note.getLocation());
    return failure(); // the printer registered before this handler prints it
  });
}

} // namespace netc::tool
