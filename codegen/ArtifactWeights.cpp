//===- ArtifactWeights.cpp - default weights embedded in artifacts --------===//
//
// The model's default weights travel inside libNAME.a and the executable as
// one read-only symbol, NAME_default_weights, over the bytes of a
// safetensors file. The bytes are never printed as C source (a 500 MB model
// would be gigabytes of text for the compiler): an assembler file includes
// the file with .incbin, so assembling costs a copy. The runtime's Context
// parses them after the seeded initialisation (runtime/Context.h).
//
//===----------------------------------------------------------------------===//

#include "codegen/ArtifactModel.h"

#include "ir/Names.h"
#include "runtime/TensorFile.h"
#include "runtime/Tensors.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/xxhash.h"
#include "llvm/Support/raw_ostream.h"

#include <deque>

using namespace mlir;

namespace netc::codegen {

namespace {

netc_dtype dtypeNamed(const std::string &dtype) {
  return dtype == "f64" ? NETC_F64 : dtype == "i32" ? NETC_I32 : dtype == "i64" ? NETC_I64 : NETC_F32;
}

/// `text` as an assembler string literal, quotes included.
std::string asmString(const std::string &text) { return quoteBackslashed(text); }

LogicalResult writeBytes(ModuleOp module, const std::string &path, const void *data,
                         size_t size) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (!ec) {
    os.write(static_cast<const char *>(data), size);
    os.close();
    ec = os.error();
  }
  if (ec)
    return module.emitError() << "cannot write '" << path << "': " << ec.message();
  return success();
}

} // namespace

LogicalResult writeDefaultWeights(ModuleOp module, ArtifactModel &model,
                                  const std::vector<uint8_t> &weights, const std::string &origin,
                                  const std::string &blobPath, const std::string &asmPath) {
  // The model's weights as the runtime describes them, to match by its rules.
  std::deque<std::vector<int64_t>> shapes;
  std::vector<netc_tensor> descs;
  for (const std::vector<ArtifactTensor> *list : {&model.params, &model.buffers})
    for (const ArtifactTensor &t : *list) {
      const std::vector<int64_t> &shape = shapes.emplace_back(t.shape);
      netc_tensor desc{};
      desc.name = t.name.c_str();
      desc.dtype = dtypeNamed(t.dtype);
      desc.rank = static_cast<int32_t>(shape.size());
      desc.shape = shape.empty() ? nullptr : shape.data();
      descs.push_back(desc);
    }
  runtime::TensorFile file;
  std::vector<runtime::MatchedTensor> matched;
  std::string error;
  if (!file.parse(weights, runtime::TensorFormat::Safetensors,
                  origin.empty() ? "the model's default weights" : origin, "", error) ||
      !runtime::matchTensors(file, descs.data(), static_cast<int>(descs.size()), "parameter",
                             model.name.c_str(), false, matched, error, /*allowMissing=*/true))
    return module.emitError() << error;

  const std::string symbol = model.name + "_default_weights";
  std::string text;
  llvm::raw_string_ostream os(text);
  // The hash makes the assembler source change with the bytes it includes,
  // for compiler caches that key on the source alone.
  os << "# The default weights of model '" << model.name << "' (netc): " << weights.size()
     << " bytes of a safetensors file, xxh3 " << llvm::format_hex(llvm::xxh3_64bits(weights), 18)
     << "\n"
     << "  .section .rodata." << symbol << ",\"a\",@progbits\n"
     << "  .globl " << symbol << "\n"
     << "  .type " << symbol << ", @object\n"
     << "  .balign 64\n"
     << symbol << ":\n"
     << "  .incbin " << asmString(blobPath) << "\n"
     << "  .size " << symbol << ", " << weights.size() << "\n"
     << "  .section .note.GNU-stack,\"\",@progbits\n";
  if (failed(writeBytes(module, blobPath, weights.data(), weights.size())) ||
      failed(writeBytes(module, asmPath, text.data(), text.size())))
    return failure();
  model.defaultWeightsBytes = weights.size();
  return success();
}

} // namespace netc::codegen
