//===- CodegenFlags.cpp - --conv-algo and what code generation is given ---===//

#include "CodegenFlags.h"

#include "CompileCache.h"

namespace cl = llvm::cl;
using netc::codegen::ConvAlgo;

/// Reads a --conv-algo value, named on one line of --help (a value list would
/// take six of the two screens it fits in); an unknown one is an error of the
/// command line.
template <> class llvm::cl::parser<ConvAlgo> : public cl::basic_parser<ConvAlgo> {
public:
  explicit parser(cl::Option &o) : basic_parser(o) {}
  bool parse(cl::Option &o, llvm::StringRef, llvm::StringRef arg, ConvAlgo &value) {
    static const std::pair<llvm::StringRef, ConvAlgo> names[] = {
        {"auto", ConvAlgo::Auto},
        {"direct", ConvAlgo::Direct},
        {"winograd", ConvAlgo::Winograd},
        {"winograd2", ConvAlgo::Winograd2},
        {"winograd4", ConvAlgo::Winograd4}};
    for (const auto &[name, algo] : names)
      if (arg == name) {
        value = algo;
        return false;
      }
    return o.error("'" + arg + "' is not auto, direct, winograd, winograd2 or winograd4");
  }
  llvm::StringRef getValueName() const override { return "algo"; }
  void printOptionDiff(const cl::Option &o, ConvAlgo, const OptVal &, size_t width) const {
    printOptionNoValue(o, width);
  }
};

namespace netc::tool {

namespace {

/// --conv-algo, created by registerCodegenFlags.
cl::opt<ConvAlgo> *convAlgoFlag = nullptr;

} // namespace

void registerCodegenFlags(cl::OptionCategory &category) {
  registerCompileCacheOptions(category);
  static cl::opt<ConvAlgo> flag(
      "conv-algo",
      cl::desc("3x3 stride-1 convolutions: auto (default: direct or winograd2, timed), direct, "
               "winograd (F(4x4,3x3)), winograd2 (F(2x2,3x3)) (docs/user-guide.md)"),
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
