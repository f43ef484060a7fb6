//===- Artifact.cpp - static libraries and executables of a model ---------===//
//
// Builds in a private folder beside the output: the Halide object and header
// (compileToObject), NAME.h and NAME_model.cpp (ArtifactSource.cpp), the
// model object from the C++ compiler, and libNAME.a written with LLVM's
// archive writer from those two objects and the members of
// libNetCRuntime.a. An executable links a generated main against that
// library; a shared library links all of it with netc_shared_model.
// Finished files are renamed into place; the folder is always removed, so a
// failure leaves nothing behind.
//
//===----------------------------------------------------------------------===//

#include "codegen/Artifact.h"
#include "codegen/ArtifactModel.h"
#include "codegen/OutputPaths.h"
#include "ir/ModelWeights.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Object/Archive.h"
#include "llvm/Object/ArchiveWriter.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>
#include <sstream>

using namespace mlir;
namespace fs = llvm::sys::fs;
namespace path = llvm::sys::path;

namespace netc::codegen {

namespace {

/// A private folder beside the output, removed with everything in it.
struct BuildDir {
  llvm::SmallString<256> dir;
  ~BuildDir() {
    if (!dir.empty())
      dontRemoveDirectoryOnSignal(dir);
    // NETC_KEEP_TEMPS=1 keeps the generated sources for debugging.
    const char *keep = std::getenv("NETC_KEEP_TEMPS");
    if (!dir.empty() && !(keep && *keep == '1'))
      fs::remove_directories(dir);
  }
  std::string file(const llvm::Twine &name) const {
    llvm::SmallString<256> p(dir);
    path::append(p, name);
    return p.str().str();
  }
};

/// Creates the build folder in the folder of `output`, so that the results
/// can be renamed into place.
LogicalResult makeBuildDir(ModuleOp module, const std::string &output, const std::string &name,
                           BuildDir &build) {
  llvm::SmallString<256> parent(path::parent_path(output));
  if (parent.empty())
    parent = ".";
  if (std::error_code ec = fs::make_absolute(parent))
    return module.emitError() << "cannot write '" << output << "': " << ec.message();
  path::remove_dots(parent, /*remove_dot_dot=*/true);
  path::append(parent, ".netc-" + name);
  if (std::error_code ec = fs::createUniqueDirectory(parent, build.dir)) {
    build.dir.clear();
    return module.emitError() << "cannot write '" << output << "': " << ec.message();
  }
  // Ctrl-C or a kill during the minutes of a build must not leave it behind.
  removeDirectoryOnSignal(build.dir);
  return success();
}

LogicalResult writeText(ModuleOp module, const std::string &file, const std::string &text) {
  std::error_code ec;
  llvm::raw_fd_ostream os(file, ec);
  if (!ec) {
    os << text;
    os.close();
    ec = os.error();
  }
  if (ec)
    return module.emitError() << "cannot write '" << file << "': " << ec.message();
  return success();
}

/// The C++ compiler's command: $NETC_CXX (split at spaces, e.g. "ccache g++")
/// or the compiler netc was built with.
FailureOr<std::vector<std::string>> compilerCommand(ModuleOp module) {
  const char *env = std::getenv("NETC_CXX");
  std::string text = env && *env ? env : NETC_DEFAULT_CXX;
  std::vector<std::string> words;
  std::istringstream in(text);
  for (std::string w; in >> w;)
    words.push_back(w);
  if (words.empty())
    return module.emitError("NETC_CXX is empty");
  llvm::ErrorOr<std::string> program = llvm::sys::findProgramByName(words[0]);
  // findProgramByName returns a path with a slash as it is.
  if (!program || !fs::can_execute(*program))
    return module.emitError() << "cannot find the C++ compiler '" << words[0]
                              << "' (set NETC_CXX to one)";
  words[0] = *program;
  return words;
}

/// Runs `argv`; on failure the error shows the command's output.
LogicalResult runTool(ModuleOp module, const std::vector<std::string> &argv, const std::string &log,
                      const std::string &what) {
  std::vector<llvm::StringRef> args(argv.begin(), argv.end());
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, llvm::StringRef(log),
                                                llvm::StringRef(log)};
  std::string message;
  int rc = llvm::sys::ExecuteAndWait(argv[0], args, std::nullopt, redirects, 0, 0, &message);
  if (rc == 0)
    return success();
  std::string output;
  if (auto buffer = llvm::MemoryBuffer::getFile(log))
    output = (*buffer)->getBuffer().rtrim().str();
  InFlightDiagnostic diag = module.emitError() << what << " failed";
  if (!message.empty())
    diag << " (" << message << ")";
  diag << ": " << llvm::join(argv, " ");
  if (!output.empty())
    diag << "\n" << output;
  return failure();
}

/// libNetCRuntime.a: $NETC_RUNTIME_LIB, or <bin>/../lib beside netc.
FailureOr<std::string> runtimeLibrary(ModuleOp module) {
  if (const char *env = std::getenv("NETC_RUNTIME_LIB"); env && *env)
    return std::string(env);
  std::string exe = fs::getMainExecutable(nullptr, reinterpret_cast<void *>(&runtimeLibrary));
  llvm::SmallString<256> lib(path::parent_path(path::parent_path(exe)));
  path::append(lib, "lib", "libNetCRuntime.a");
  if (!fs::exists(lib))
    return module.emitError() << "cannot find the runtime library '" << lib
                              << "' (build the NetCRuntime target or set NETC_RUNTIME_LIB)";
  return lib.str().str();
}

/// The folder holding runtime/*.h: $NETC_RUNTIME_INCLUDE, an installed netc's
/// <bin>/../include/netc, or netc's source tree.
std::string runtimeIncludeDir() {
  if (const char *env = std::getenv("NETC_RUNTIME_INCLUDE"); env && *env)
    return env;
  std::string exe = fs::getMainExecutable(nullptr, reinterpret_cast<void *>(&runtimeLibrary));
  llvm::SmallString<256> installed(path::parent_path(path::parent_path(exe)));
  path::append(installed, "include", "netc");
  if (fs::exists(llvm::Twine(installed) + "/runtime/Model.h"))
    return installed.str().str();
  return NETC_RUNTIME_INCLUDE_DIR;
}

/// Writes `archive` from `objects` and every member of `runtimeLib`.
LogicalResult writeArchive(ModuleOp module, const std::string &archive,
                           const std::vector<std::string> &objects, const std::string &runtimeLib) {
  std::vector<llvm::NewArchiveMember> members;
  auto fail = [&](llvm::Error err) {
    return module.emitError() << "cannot write '" << archive
                              << "': " << llvm::toString(std::move(err));
  };
  for (const std::string &object : objects) {
    llvm::Expected<llvm::NewArchiveMember> member =
        llvm::NewArchiveMember::getFile(object, /*Deterministic=*/true);
    if (!member)
      return fail(member.takeError());
    member->MemberName = path::filename(object);
    members.push_back(std::move(*member));
  }
  auto buffer = llvm::MemoryBuffer::getFile(runtimeLib);
  if (!buffer)
    return module.emitError() << "cannot read the runtime library '" << runtimeLib
                              << "': " << buffer.getError().message();
  llvm::Expected<std::unique_ptr<llvm::object::Archive>> runtime =
      llvm::object::Archive::create((*buffer)->getMemBufferRef());
  if (!runtime)
    return fail(runtime.takeError());
  llvm::Error err = llvm::Error::success();
  for (const llvm::object::Archive::Child &child : (*runtime)->children(err)) {
    llvm::Expected<llvm::NewArchiveMember> member =
        llvm::NewArchiveMember::getOldMember(child, /*Deterministic=*/true);
    if (!member)
      return fail(member.takeError());
    members.push_back(std::move(*member));
  }
  if (err)
    return fail(std::move(err));
  if (llvm::Error e = llvm::writeArchive(archive, members, llvm::SymtabWritingMode::NormalSymtab,
                                         llvm::object::Archive::K_GNU, /*Deterministic=*/true,
                                         /*Thin=*/false))
    return fail(std::move(e));
  return success();
}

/// Everything both artifacts need, built in `build`: libNAME.a and NAME.h.
struct Built {
  ArtifactModel model;
  std::string library, header;
  std::vector<std::string> compiler;
};

LogicalResult buildLibrary(ModuleOp module, const CodegenOptions &options,
                           const std::string &output, BuildDir &build, Built &out) {
  FailureOr<ArtifactModel> model = describeModel(module);
  if (failed(model))
    return failure();
  out.model = std::move(*model);
  out.model.libraryFile = path::filename(output).str();
  // Large functions compile as chains of parts (Halide's lowering time grows
  // with the square of a pipeline's size). GPU targets keep one pipeline per
  // function: temporaries between parts would bounce through the host.
  if (!isGpuTarget(options.target)) {
    FailureOr<std::vector<KernelChain>> chains = splitLargeFunctions(module);
    if (failed(chains))
      return failure();
    out.model.chains = std::move(*chains);
  }
  const std::string &name = out.model.name;
  FailureOr<std::vector<std::string>> compiler = compilerCommand(module);
  FailureOr<std::string> runtimeLib = runtimeLibrary(module);
  if (failed(compiler) || failed(runtimeLib) || failed(makeBuildDir(module, output, name, build)))
    return failure();
  out.compiler = *compiler;
  std::vector<std::string> kernels;
  std::string modelSource = build.file(name + "_model.cpp");
  std::string modelObject = build.file(name + "_model.o");
  out.header = build.file(name + ".h");
  out.library = build.file("lib" + name + ".a");
  if (failed(compileToObjects(module, options, build.file(name + "_kernels"), kernels)))
    return failure();
  if (options.defaultWeights && !options.defaultWeights->empty()) {
    // Assembled on its own (ArtifactWeights.cpp): the bytes never pass through C++ source.
    std::string assembly = build.file(name + "_weights.s"), object = build.file(name + "_weights.o");
    std::vector<std::string> as = out.compiler;
    as.insert(as.end(), {"-c", assembly, "-o", object});
    if (failed(writeDefaultWeights(module, out.model, options.defaultWeights->safetensors,
                                   options.defaultWeights->origin,
                                   build.file(name + "_weights.bin"), assembly)) ||
        failed(runTool(module, as, build.file("as.log"), "assembling " + name + "_weights.s")))
      return failure();
    kernels.push_back(object);
  }
  if (failed(writeText(module, out.header, generateHeader(out.model))) ||
      failed(writeText(module, modelSource, generateSource(out.model))))
    return failure();
  std::vector<std::string> cxx = out.compiler;
  cxx.insert(cxx.end(), {"-std=c++17", "-O2", "-fPIC", "-I" + build.dir.str().str(),
                         "-I" + runtimeIncludeDir(), "-c", modelSource, "-o", modelObject});
  if (failed(runTool(module, cxx, build.file("cxx.log"), "compiling " + name + "_model.cpp")))
    return failure();
  kernels.push_back(modelObject);
  return writeArchive(module, out.library, kernels, *runtimeLib);
}

/// Moves a finished file from the build folder to its place (through a
/// symbolic link at `to`).
LogicalResult moveIntoPlace(ModuleOp module, const std::string &from, const std::string &to) {
  if (std::error_code ec = fs::rename(from, resolveOutputLink(to)))
    return module.emitError() << "cannot write '" << to << "': " << ec.message();
  return success();
}

/// The source of a shared library's one model-specific export.
std::string sharedEntrySource(const std::string &name) {
  std::string model = name + "_model";
  std::string source = "#include \"runtime/CApiShared.h\"\n";
  source += "extern \"C\" const netc_model " + model + ";\n";
  source += "extern \"C\" const netc_model *netc_shared_model(void) { return &" + model + "; }\n";
  return source;
}

/// Exports only the C API of runtime/CApiShared.h: the runtime's and Halide's
/// symbols stay private, so that libraries of several models (or several
/// versions of netc) coexist in one process.
const char *const kSharedExports = "{\n  global: netc_shared_model; netc_so_*;\n  local: *;\n};\n";

} // namespace

std::string libraryHeaderPath(llvm::StringRef libraryPath, llvm::StringRef modelName) {
  llvm::SmallString<256> header(path::parent_path(libraryPath));
  llvm::StringRef stem = path::stem(libraryPath);
  stem.consume_front("lib");
  path::append(header, (stem.empty() ? modelName : stem) + ".h");
  return header.str().str();
}

LogicalResult writeLibrary(ModuleOp module, const CodegenOptions &options,
                           const std::string &libraryPath) {
  BuildDir build;
  Built built;
  if (failed(buildLibrary(module, options, resolveOutputLink(libraryPath), build, built)))
    return failure();
  if (failed(moveIntoPlace(module, built.header, libraryHeaderPath(libraryPath, built.model.name))))
    return failure();
  return moveIntoPlace(module, built.library, libraryPath);
}

LogicalResult writeExecutable(ModuleOp module, const CodegenOptions &options,
                              const std::string &executablePath) {
  BuildDir build;
  Built built;
  if (failed(buildLibrary(module, options, resolveOutputLink(executablePath), build, built)))
    return failure();
  std::string mainSource = build.file("main.cpp"), exe = build.file(built.model.name);
  if (failed(writeText(module, mainSource, generateMain(built.model))))
    return failure();
  std::vector<std::string> link = built.compiler;
  link.insert(link.end(), {"-std=c++17", "-O2", "-I" + runtimeIncludeDir(), mainSource,
                           built.library, "-o", exe, "-lpthread", "-ldl", "-lm"});
  if (failed(runTool(module, link, build.file("link.log"), "linking " + built.model.name)))
    return failure();
  return moveIntoPlace(module, exe, executablePath);
}

LogicalResult writeSharedLibrary(ModuleOp module, const CodegenOptions &options,
                                 const std::string &libraryPath) {
  BuildDir build;
  Built built;
  if (failed(buildLibrary(module, options, resolveOutputLink(libraryPath), build, built)))
    return failure();
  std::string entry = build.file("shared.cpp"), exports = build.file("exports.map");
  std::string so = build.file("lib" + built.model.name + ".so");
  if (failed(writeText(module, entry, sharedEntrySource(built.model.name))) ||
      failed(writeText(module, exports, kSharedExports)))
    return failure();
  std::vector<std::string> link = built.compiler;
  link.insert(link.end(), {"-std=c++17", "-O2", "-fPIC", "-shared", "-I" + runtimeIncludeDir(),
                           entry, "-Wl,--whole-archive", built.library, "-Wl,--no-whole-archive",
                           "-Wl,--version-script=" + exports, "-Wl,-Bsymbolic", "-o", so,
                           "-lpthread", "-ldl", "-lm"});
  std::string what = "linking lib" + built.model.name + ".so";
  if (failed(runTool(module, link, build.file("link.log"), what)))
    return failure();
  return moveIntoPlace(module, so, libraryPath);
}

} // namespace netc::codegen
