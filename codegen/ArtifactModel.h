//===- ArtifactModel.h - what a model's artifacts describe ------*- C++ -*-===//
//
// Internal to codegen/Artifact*.cpp: the model as the generated descriptor
// (runtime/Model.h) and C API see it, read from the attributes netc's
// passes put on the forward function and the train step (nn.input,
// nn.param + nn.init, nn.seed, nn.state, nn.buffer; nn.output, nn.loss,
// nn.grad, nn.param_update, nn.buffer_update; see ir/Signature.h), and the text generators that turn it into C and C++.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_CODEGEN_ARTIFACTMODEL_H
#define NETC_CODEGEN_ARTIFACTMODEL_H

#include "codegen/Split.h"

#include "mlir/IR/BuiltinOps.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace netc::codegen {

/// One named tensor of the model, in runtime/Model.h's terms.
struct ArtifactTensor {
  std::string name;
  /// "f32", "f64", "i32" or "i64".
  std::string dtype;
  std::vector<int64_t> shape;
  /// Parameters: "constant", "uniform" or "normal", and its two numbers.
  std::string init = "constant";
  double initA = 0, initB = 0;
  /// Integer inputs: the exclusive upper bound of their values, 0 if unknown.
  int64_t bound = 0;
};

/// A run-time hyperparameter of a train step (nn.hyper): its name, the value
/// the model was compiled with, and the train step (index into `steps`, 0
/// with one train step) whose optimizer it belongs to.
struct ArtifactHyper {
  std::string name;
  double value = 0;
  int step = 0;
};

/// One argument or result of an entry point: a netc_slot_kind (without the
/// NETC_SLOT_ prefix) and an index into the list the kind refers to.
struct ArtifactSlot {
  std::string kind;
  int index = 0;
};

/// Everything the generated files say about one model.
struct ArtifactModel {
  std::string name;
  std::vector<ArtifactTensor> inputs, params, outputs, state, scratch;
  /// Non-trainable state saved with the weights (nn.buffer), zero at start.
  std::vector<ArtifactTensor> buffers;
  /// The run-time hyperparameters of every train step (HYPER slots).
  std::vector<ArtifactHyper> hypers;
  std::optional<std::string> lossName;
  std::string lossDType = "f32";
  /// The optimizer as a person reads it ("sgd(lr=0.1)"), empty without one.
  std::string optimizer;
  std::vector<ArtifactSlot> forwardSlots, trainSlots;
  /// One train step of a model with several losses.
  struct Step {
    /// Its loss, which names it (NAME_train_step_<name>).
    std::string name, lossDType = "f32", optimizer, kernel;
    std::vector<ArtifactSlot> slots;
  };
  /// Models with several losses: every train step in the order of their
  /// losses (trainSlots, trainKernel and lossName are the first's); empty
  /// in models with one train step.
  std::vector<Step> steps;
  bool hasTrain = false;
  /// The Halide entry points (without "_argv"); forwardKernel is empty when
  /// the model has no outputs, and so no inference function.
  std::string forwardKernel, trainKernel;
  /// Entry points compiled as chains of parts (codegen/Split.h): the
  /// generated source defines their `_argv` forms over the parts'.
  std::vector<KernelChain> chains;
  /// The file name of the library the header goes with (the -o name);
  /// empty: libNAME.a.
  std::string libraryFile;
  /// The size of the default weights the artifact embeds (symbol
  /// NAME_default_weights, ArtifactWeights.cpp); 0 without.
  uint64_t defaultWeightsBytes = 0;
};

/// The runtime's dtype name of an element type ("f32", "f64", "i32",
/// "i64"), or nullopt.
std::optional<std::string> dtypeOf(mlir::Type element);

/// Describes the one model of a prepared module and renames its functions so
/// that their Halide entry points (NAME_halide_forward,
/// NAME_halide_train_step) leave NAME_forward and NAME_train_step to the C
/// API. Errors are emitted at the function at fault.
mlir::FailureOr<ArtifactModel> describeModel(mlir::ModuleOp module);

/// `text` as a C and C++ string literal, quotes included: printable ASCII
/// stays (with `"`, `\` and `?` escaped, the last against trigraphs); every
/// other byte becomes a three-digit octal escape, which unlike `\x` never
/// swallows the characters that follow.
std::string cStringLiteral(const std::string &text);

/// `text` rendered so that it can sit inside a C comment (block or line)
/// without ending it or changing the code around it: bytes outside printable
/// ASCII, the backslash, a `/` next to a `*` and the second `?` of `??`
/// become `\xNN`, so names never close a comment, break a line or splice one.
std::string commentText(const std::string &text);

/// Whether `name` is a C identifier ([A-Za-z_][A-Za-z0-9_]*): the generated
/// C API names its functions and macros after the model.
bool isCIdentifier(const std::string &name);

/// Checks `weights` (a safetensors file in memory) against the parameters
/// and buffers of `model`: every tensor must be one of them, of its dtype and
/// shape. Then writes the bytes to `blobPath` and an assembler file
/// `asmPath` defining the symbol NAME_default_weights over them (.incbin:
/// the assembler copies the bytes, fast for any size), and records their
/// size in `model`. Errors are emitted at `module`.
mlir::LogicalResult writeDefaultWeights(mlir::ModuleOp module, ArtifactModel &model,
                                        const std::vector<uint8_t> &weights,
                                        const std::string &origin, const std::string &blobPath,
                                        const std::string &asmPath);

/// NAME.h: the documented C API of the model.
std::string generateHeader(const ArtifactModel &model);
/// NAME_model.cpp: the descriptor and the C API's implementation.
std::string generateSource(const ArtifactModel &model);
/// The main of the executable.
std::string generateMain(const ArtifactModel &model);

} // namespace netc::codegen

#endif // NETC_CODEGEN_ARTIFACTMODEL_H
