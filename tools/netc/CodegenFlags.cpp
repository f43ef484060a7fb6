//===- CodegenFlags.cpp - --conv-algo and what code generation is given ---===//

#include "CodegenFlags.h"

#include "CompileCache.h"

namespace cl = llvm::cl;

namespace netc::tool {

namespace {

using codegen::ConvAlgo;

/// --conv-algo, created by registerCodegenFlags.
cl::opt<ConvAlgo> *convAlgoFlag = nullptr;

} // namespace

void registerCodegenFlags(cl::OptionCategory &category) {
  registerCompileCacheOptions(category);
  static cl::opt<ConvAlgo> flag(
      "conv-algo",
      cl::desc("How 3x3 stride-1 convolutions are computed on CPUs (docs/user-guide.md)"),
      cl::values(
          clEnumValN(ConvAlgo::Auto, "auto",
                     "the fastest on this host, timed per layer shape and cached (default; "
                     "direct under --tune=off or another --target)"),
          clEnumValN(ConvAlgo::Direct, "direct", "the direct convolution"),
          clEnumValN(ConvAlgo::Winograd, "winograd",
                     "Winograd F(4x4,3x3) (F(2x2,3x3) for outputs under 4 rows or columns)"),
          clEnumValN(ConvAlgo::Winograd2, "winograd2", "Winograd F(2x2,3x3)"),
          clEnumValN(ConvAlgo::Winograd4, "winograd4", "the same as winograd")),
      cl::init(ConvAlgo::Auto), cl::cat(category));
  convAlgoFlag = &flag;
}

codegen::CodegenOptions codegenOptions(const std::string &target, const std::string &schedule,
                                       codegen::TuneMode tune) {
  codegen::CodegenOptions options{target, schedule, tune};
  if (convAlgoFlag)
    options.convAlgo = *convAlgoFlag;
  return options;
}

std::string tuningKey(codegen::TuneMode tune, const std::string &target) {
  ConvAlgo algo = convAlgoFlag ? ConvAlgo(*convAlgoFlag) : ConvAlgo::Auto;
  return std::to_string(codegen::fullRateF32Lanes(tune, target)) + "\nconvolutions\n" +
         codegen::convTuningKey(algo, tune, target);
}

} // namespace netc::tool
