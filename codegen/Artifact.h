//===- Artifact.h - static libraries and executables of a model -*- C++ -*-===//
//
// `--emit=lib`, `--emit=so` and `--emit=exe`: from a module prepared for code generation
// (prepareForCodegen), compiles the model's functions with Halide, generates
// its descriptor (runtime/Model.h) and C context API (NAME.h), compiles that
// with the C++ compiler, and packs everything with the runtime
// (libNetCRuntime.a) into libNAME.a, or links it with the runtime's driver
// into an executable. Every file is written atomically: nothing is left
// behind on failure.
//
// The C++ compiler is the one CMake built netc with, or $NETC_CXX. The
// runtime archive is found beside netc (<bin>/../lib/libNetCRuntime.a) or at
// $NETC_RUNTIME_LIB; its headers beside an installed netc
// (<bin>/../include/netc/runtime), else in the source tree netc was built from.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_CODEGEN_ARTIFACT_H
#define NETC_CODEGEN_ARTIFACT_H

#include "codegen/Codegen.h"

#include "llvm/ADT/StringRef.h"

#include <string>

namespace netc::codegen {

/// Writes the static library `libraryPath` (conventionally DIR/libNAME.a)
/// and its C header beside it (DIR/NAME.h: the library's file name without
/// a leading "lib", ending in ".h"). The module must hold exactly one model
/// (its forward function and optionally its train step).
mlir::LogicalResult writeLibrary(mlir::ModuleOp module, const CodegenOptions &options,
                                 const std::string &libraryPath);

/// The C header writeLibrary writes beside `libraryPath`: DIR/libNAME.a gets
/// DIR/NAME.h, DIR/other.a gets DIR/other.h; a file name that is only "lib"
/// takes `modelName` as NAME.
std::string libraryHeaderPath(llvm::StringRef libraryPath, llvm::StringRef modelName);

/// Writes a standalone executable of the model to `executablePath`; its
/// `main` is the runtime's driver (runtime/Driver.h).
mlir::LogicalResult writeExecutable(mlir::ModuleOp module, const CodegenOptions &options,
                                    const std::string &executablePath);

/// Writes a shared library of the model to `libraryPath` (conventionally
/// DIR/libNAME.so): the model, its descriptor and the runtime, exporting the
/// C API of runtime/CApiShared.h and nothing else (the Python module opens it).
mlir::LogicalResult writeSharedLibrary(mlir::ModuleOp module, const CodegenOptions &options,
                                       const std::string &libraryPath);

} // namespace netc::codegen

#endif // NETC_CODEGEN_ARTIFACT_H
