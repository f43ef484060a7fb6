//===- Help.cpp - netc's --help overview, --version and option groups -----===//

#include "Help.h"

#include "codegen/HalideInfo.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Config/llvm-config.h"

namespace cl = llvm::cl;

namespace netc::tool {

const char *const kOverview =
    "netc: a compiler for neural networks\n\n"
    "  netc model.net                         the nn dialect after shape inference\n"
    "  netc model.net --emit=rf-svg -o rf.svg the receptive fields, drawn\n"
    "  netc model.net -o model                a standalone executable (./model --help)\n"
    "  netc model.net --emit=lib -o libm.a    a static library and its C header m.h\n"
    "  netc model.net --run                   run it on the reference interpreter\n"
    "  netc model.onnx -o model               an ONNX model, compiled the same way\n"
    "  netc model.onnx --emit=net -o m.net    any model as .net source (weights beside it)\n\n"
    "EXIT CODES: 0 success; 1 an error in the input (the .net, .onnx or .mlir file, a file\n"
    "it names, a failed --gradcheck), reported as FILE:LINE:COL: error: ...;\n"
    "2 a bad command line (an unknown flag gets the closest one suggested).\n";

void printVersion(llvm::raw_ostream &os) {
  os << "netc " << NETC_VERSION << "\n"
     << "  LLVM " << LLVM_VERSION_STRING << ", MLIR " << LLVM_VERSION_STRING << ", Halide "
     << netc::codegen::halideVersion() << "\n"
     << "  host target: " << netc::codegen::halideHostTarget() << "\n";
}

void showOnlyOptions(llvm::ArrayRef<const cl::OptionCategory *> shown,
                     cl::OptionCategory &mlir) {
  llvm::StringMap<cl::Option *> &options = cl::getRegisteredOptions();
  for (llvm::StringRef name :
       {"mlir-print-ir-before-all", "mlir-print-ir-after-all", "mlir-print-ir-after-change",
        "mlir-print-debuginfo", "mlir-timing"})
    if (cl::Option *option = options.lookup(name))
      option->addCategory(mlir);
  cl::HideUnrelatedOptions(shown);
}

} // namespace netc::tool
