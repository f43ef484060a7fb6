//===- netc.cpp - the netc compiler driver --------------------------------===//
//
// Reads a .net model (or an .mlir file of the nn dialect), runs the pipeline
// up to the requested stage and writes that stage's output. Stages live in
// the libraries; this file parses flags, routes diagnostics and writes files
// atomically.
//
//===----------------------------------------------------------------------===//

#include "codegen/Artifact.h"
#include "codegen/Codegen.h"
#include "codegen/OutputPaths.h"
#include "codegen/Register.h"
#include "codegen/Schedules/HostTune.h"
#include "frontend/Import.h"
#include "interp/Driver.h"
#include "interp/Kernels.h"
#include "interp/Model.h"
#include "ir/NNDialect.h"
#include "jit/JIT.h"
#include "onnx/OnnxImport.h"
#include "onnx/OnnxOpList.h"
#include "onnx/OnnxTensorFile.h"
#include "passes/Passes.h"
#include "reports/Reports.h"

#include "CodegenFlags.h"
#include "CompileCache.h"
#include "DefaultWeights.h"
#include "EmitNet.h"
#include "Help.h"
#include "InputFiles.h"
#include "Outputs.h"
#include "TrainingFlags.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Signals.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using netc::codegen::TuneMode;
using netc::tool::Emit;
namespace cl = llvm::cl;

namespace {

// `netc --help` lists these groups (LLVM sorts them by name) and nothing else of LLVM's and
// MLIR's hundreds of options but the MLIR flags of mlirCategory (see showOnlyOptions).
cl::OptionCategory outputCategory("Output", "What netc writes (--emit) and where (-o; text goes "
                                            "to stdout without it).");
cl::OptionCategory modelCategory("Model selection",
                                 "Which model of a file that holds several, and its constants.");
cl::OptionCategory testingCategory("Testing");
cl::OptionCategory mlirCategory("MLIR", "MLIR's flags for looking inside the pass pipeline.");

cl::opt<std::string> inputFilename(cl::Positional, cl::desc("<model.net | model.onnx | file.mlir>"),
                                   cl::Required);
cl::opt<std::string> outputFilename("o", cl::desc("Write the output to <file> (atomically)"),
                                    cl::value_desc("file"), cl::init("-"),
                                    cl::cat(outputCategory));
cl::opt<Emit> emitKind(
    "emit", cl::desc("The stage to write"), cl::init(Emit::NN),
    cl::values(clEnumValN(Emit::Ast, "ast", "the parsed syntax tree of the .net file"),
               clEnumValN(Emit::NN, "nn", "the nn dialect after import and shape inference"),
               clEnumValN(Emit::Opt, "opt", "the nn dialect after fusion and canonicalization"),
               clEnumValN(Emit::Grad, "grad",
                          "the train step: forward, backward and optimizer update"),
               clEnumValN(Emit::RF, "rf", "the receptive field of every layer, as a table"),
               clEnumValN(Emit::RFJson, "rf-json", "the receptive fields as JSON"),
               clEnumValN(Emit::RFSvg, "rf-svg",
                          "the receptive fields drawn on the input plane (SVG)"),
               clEnumValN(Emit::Stats, "stats",
                          "parameters, FLOPs and memory per layer and in total"),
               clEnumValN(Emit::Dot, "dot", "the graph for Graphviz, shapes on the edges"),
               clEnumValN(Emit::Halide, "halide", "Halide's lowered loop nests of each pipeline"),
               clEnumValN(Emit::Obj, "obj", "an object file and a C header (-o NAME.o)"),
               clEnumValN(Emit::Lib, "lib",
                          "a static library and its C API header (-o DIR/libNAME.a)"),
               clEnumValN(Emit::So, "so",
                          "a shared library for the Python module (-o DIR/libNAME.so)"),
               clEnumValN(Emit::Exe, "exe",
                          "a standalone executable (-o NAME; the default with -o)"),
               clEnumValN(Emit::Net, "net",
                          "the model as .net source that compiles back to the same IR")),
    cl::cat(outputCategory));
cl::OptionCategory codegenCategory("Code generation", "For --emit=halide, obj, lib, so and exe.");
cl::opt<std::string> targetName("target", cl::desc("Halide target string (host, host-cuda, ...)"),
                                cl::value_desc("target"), cl::init("host"),
                                cl::cat(codegenCategory));
cl::opt<std::string> scheduleName(
    "schedule",
    cl::desc("hand (default), naive, or a Halide autoscheduler: adams2019, mullapudi2016, li2018"),
    cl::value_desc("name"), cl::init("hand"), cl::cat(codegenCategory));
cl::opt<TuneMode> tuneMode(
    "tune", cl::desc("Multiply-add vector widths for --target=host (docs/user-guide.md)"),
    cl::values(clEnumValN(TuneMode::Off, "off", "the target's natural width"),
               clEnumValN(TuneMode::Cached, "cached",
                          "this CPU's measured width, cached (default)"),
               clEnumValN(TuneMode::Full, "full", "measure this CPU again and cache it")),
    cl::init(TuneMode::Cached), cl::cat(codegenCategory));
cl::opt<std::string> modelName("model", cl::desc("The model to compile when the file has several"),
                               cl::value_desc("name"), cl::cat(modelCategory));
cl::list<std::string> defines("D", cl::Prefix,
                              cl::desc("Override the file-level or model-level 'const NAME' with "
                                       "an integer or float VALUE (repeatable; also "
                                       "-DNAME=VALUE)"),
                              cl::value_desc("NAME=VALUE"), cl::cat(modelCategory));
cl::list<std::string> setDims("set-dim",
                              cl::desc("For an .onnx model, the size N of the symbolic dimension "
                                       "NAME of its inputs (repeatable)"),
                              cl::value_desc("NAME=N"), cl::cat(modelCategory));
// Handled while the command line is read, as --version is, so it needs no model.
cl::opt<bool> listOnnxOps("list-onnx-ops",
                          cl::desc("Print the ONNX op types netc converts, each with the "
                                   "opsets it converts it from, and exit"),
                          cl::ValueDisallowed, cl::cat(modelCategory),
                          cl::callback([](const bool &) {
                            netc::onnx::printOnnxOps(llvm::outs());
                            llvm::outs().flush();
                            std::exit(0);
                          }));
cl::opt<bool> gradInputs("grad-inputs",
                          cl::desc("With --emit=grad, also return the gradient of every float "
                                   "input"),
                          cl::init(false), cl::cat(outputCategory));
cl::opt<bool> verifyDiagnostics(
    "verify-diagnostics",
    cl::desc("Check the errors against '# expected-error @+1 {{...}}' comments in the input"),
    cl::init(false), cl::cat(testingCategory));

// Running models on the reference interpreter (interp/), and gradient checks.
cl::OptionCategory runCategory("Running models",
                               "Running a model (--run, --train) and checking its gradients.");
/// The engines that --run can use; code generation will add one.
enum class Engine { Interp, JIT };
cl::opt<bool> runFlag("run", cl::desc("Run the model and print its outputs and loss"),
                      cl::init(false), cl::cat(runCategory));
cl::opt<Engine> engine("engine", cl::desc("What --run and --gradcheck run on"),
                       cl::init(Engine::Interp),
                       cl::values(clEnumValN(Engine::Interp, "interp",
                                             "the reference interpreter (the default)"),
                                  clEnumValN(Engine::JIT, "jit",
                                             "the generated code, compiled by Halide's JIT "
                                             "(--target and --schedule apply)")),
                       cl::cat(runCategory));
cl::opt<unsigned long long> seedValue(
    "seed", cl::desc("Seed of parameter initialisation, random inputs and dropout (default 0)"),
    cl::value_desc("N"), cl::init(0), cl::cat(runCategory));
cl::opt<std::string> dumpFile("dump",
                              cl::desc("With --run, write inputs, parameters, outputs and loss "
                                       "as JSON to <file> instead of printing a summary"),
                              cl::value_desc("file"), cl::cat(runCategory));
cl::opt<std::string> loadFile("load",
                              cl::desc("Take inputs and parameters from a JSON file in the "
                                       "--dump format"),
                              cl::value_desc("file"), cl::cat(runCategory));
cl::opt<bool> trainFlag("train", cl::desc("With --run, run --steps train steps"),
                        cl::init(false), cl::cat(runCategory));
cl::opt<unsigned> stepCount("steps", cl::desc("The number of train steps of --train"),
                            cl::value_desc("N"), cl::init(1), cl::cat(runCategory));
cl::opt<std::string> weightsFile("weights",
                                 cl::desc("With --run, load the parameters and buffers from a "
                                          "tensor file (as a compiled executable does)"),
                                 cl::value_desc("file"), cl::cat(runCategory));
cl::opt<std::string> saveWeightsFile("save-weights",
                                     cl::desc("With --run, write the parameters and buffers "
                                              "(after training) to a tensor file"),
                                     cl::value_desc("file"), cl::cat(runCategory));
cl::opt<std::string> dataFile("data",
                              cl::desc("With --train, training batches: a tensor file of "
                                       "the inputs, each with a leading axis of batches (step "
                                       "i uses batch i mod count)"),
                              cl::value_desc("file"), cl::cat(runCategory));
// Tensor files of --run (any format of runtime/TensorFile.h; .pb is read here too).
cl::list<std::string> inputsFiles("inputs",
                                  cl::desc("With --run, the inputs by name from tensor files "
                                           "(.safetensors, .npz, NAME=FILE.npy, FILE.pb; "
                                           "repeatable, merged)"),
                                  cl::value_desc("file"), cl::cat(runCategory));
cl::list<std::string> outputsFiles("outputs",
                                   cl::desc("With --run, write the outputs by name to a tensor "
                                            "file (.safetensors, .npz, NAME=FILE.npy) instead of "
                                            "printing them (repeatable)"),
                                   cl::value_desc("file"), cl::cat(runCategory));
cl::opt<std::string> defaultWeightsFile(
    "default-weights",
    cl::desc("Take the model's default weights from a tensor file (tests)"),
    cl::value_desc("file"), cl::Hidden, cl::cat(testingCategory));
cl::opt<bool> gradCheckFlag(
    "gradcheck",
    cl::desc("Check every parameter gradient against central finite differences in f64"),
    cl::init(false), cl::cat(runCategory));

// --grad-stats: per-parameter gradient norms and update/weight ratios of
// --run --train (runtime/GradStats.h; generated executables take the same flags).
cl::opt<std::string> gradStatsSteps(
    "grad-stats",
    cl::desc("With --train, print each parameter's gradient L2 norm and update/weight ratio "
             "at these steps (1,10,100)"),
    cl::value_desc("steps"), cl::cat(runCategory));
cl::opt<std::string> gradStatsEvery("grad-stats-every",
                                    cl::desc("The same at steps 1, N, 2N, ... and the last"),
                                    cl::value_desc("N"), cl::cat(runCategory));
cl::opt<std::string> gradStatsCSV("grad-stats-csv",
                                  cl::desc("Write the statistics as CSV rows "
                                           "(step,loss,param,grad_norm,weight_norm,update_norm,"
                                           "update_ratio) to <file>"),
                                  cl::value_desc("file"), cl::cat(runCategory));
cl::opt<std::string> plotFile("plot",
                              cl::desc("Draw the gradient norm per layer and the loss against "
                                       "the step (SVG) to <file>"),
                              cl::value_desc("file"), cl::cat(runCategory));

/// Set when --gradcheck ran and some parameter failed: netc prints the table
/// and exits 1.
bool gradCheckFailed = false;

/// Whether the input is MLIR text rather than a .net model.
bool isMLIRInput() { return llvm::StringRef(inputFilename).ends_with(".mlir"); }
/// Whether the input is an ONNX model (onnx/), read by the ONNX importer.
bool isOnnxInput() { return netc::onnx::isOnnxPath(inputFilename); }

/// Says which file netc would write over one of its inputs (the model, the
/// --load file, the --data file), if any: -o, the header beside an object or
/// a library, the --dump file, the --save-weights file.
std::optional<std::string> outputOverwritingInput() {
  std::vector<std::string> outputs{outputFilename, dumpFile, saveWeightsFile};
  if (outputFilename != "-" && (emitKind == Emit::Obj || emitKind == Emit::Lib)) {
    llvm::SmallString<128> header(outputFilename);
    if (emitKind == Emit::Obj)
      llvm::sys::path::replace_extension(header, "h");
    else
      // The model's name is not known yet; it names only a library "lib.a".
      header = netc::codegen::libraryHeaderPath(outputFilename, "");
    outputs.push_back(header.str().str());
  }
  // --save-weights over --weights is allowed: a checkpoint updated in place.
  return netc::tool::outputOverwritingInput(outputs, {inputFilename, loadFile, dataFile});
}

/// The frontend's options: --model and the -D constants.
netc::frontend::ImportOptions importOptions;

/// The ONNX importer's options (--set-dim, --model).
netc::onnx::OnnxImportOptions onnxOptions;

/// Reads the -D and --set-dim flags into importOptions and onnxOptions; the
/// misuse of one, or nullopt.
std::optional<std::string> readDefines() {
  importOptions.modelName = modelName;
  importOptions.weights = &netc::tool::modelWeights;
  onnxOptions.modelName = modelName;
  if (!defines.empty() && (isMLIRInput() || isOnnxInput()))
    return "-D applies to .net files only";
  if (!setDims.empty() && !isOnnxInput())
    return "--set-dim applies to .onnx files only";
  for (const std::string &flag : setDims)
    if (std::optional<std::string> misuse = netc::onnx::addSetDim(flag, onnxOptions))
      return misuse;
  for (const std::string &define : defines)
    if (std::optional<std::string> misuse = netc::frontend::addConstOverride(define, importOptions))
      return misuse;
  return std::nullopt;
}

/// The --grad-stats flags as read.
netc::runtime::GradStatsOptions gradStatsOptions;

/// Reads the --grad-stats flags into gradStatsOptions; the misuse of one, or nullopt.
std::optional<std::string> readGradStats() {
  for (cl::opt<std::string> *flag : {&gradStatsSteps, &gradStatsEvery, &gradStatsCSV, &plotFile}) {
    std::string name = "--" + flag->ArgStr.str(), error;
    if (flag->getNumOccurrences() > 1)
      return name + " is given " + std::to_string(flag->getNumOccurrences()) +
             " times; give it once";
    if (flag->getNumOccurrences() &&
        !netc::runtime::setGradStatsFlag(gradStatsOptions, name, *flag, error))
      return error;
  }
  std::string misuse = netc::runtime::gradStatsMisuse(gradStatsOptions, trainFlag, stepCount);
  return misuse.empty() ? std::nullopt : std::optional<std::string>(misuse);
}

/// Says how the command line combines flags that would otherwise be ignored
/// or misread without a word (--steps without --train, --dump without --run,
/// a value flag given twice), or nullopt when it is consistent.
std::optional<std::string> commandLineMisuse() {
  // A value flag given twice would silently keep the last value.
  for (const cl::Option *opt :
       std::initializer_list<const cl::Option *>{&outputFilename, &emitKind, &targetName,
                                                 &scheduleName, &tuneMode, &modelName, &engine,
                                                 &seedValue, &dumpFile, &loadFile, &stepCount,
                                                 &weightsFile, &saveWeightsFile, &dataFile})
    if (opt->getNumOccurrences() > 1)
      return "-" + std::string(opt->ArgStr.size() > 1 ? "-" : "") + opt->ArgStr.str() +
             " is given " + std::to_string(opt->getNumOccurrences()) + " times; give it once";
  bool running = runFlag || gradCheckFlag;
  if (trainFlag && !runFlag)
    return "--train needs --run";
  if (stepCount.getNumOccurrences() && !trainFlag)
    return "--steps needs --train";
  if (stepCount == 0)
    return "--steps must be at least 1";
  if (dumpFile.getNumOccurrences() && !runFlag)
    return "--dump needs --run";
  const cl::Option *runFiles[] = {&weightsFile, &saveWeightsFile,
                                  std::addressof(inputsFiles),
                                  std::addressof(outputsFiles)};
  for (const cl::Option *opt : runFiles)
    if (opt->getNumOccurrences() && !runFlag)
      return "--" + opt->ArgStr.str() + " needs --run";
  if (dataFile.getNumOccurrences() && !trainFlag)
    return "--data needs --train";
  if (loadFile.getNumOccurrences() && !running)
    return "--load needs --run or --gradcheck";
  if (engine.getNumOccurrences() && !running)
    return "--engine needs --run or --gradcheck";
  if (runFlag && gradCheckFlag)
    return "--run and --gradcheck are separate runs; give one of them";
  if (running && emitKind.getNumOccurrences())
    return std::string("--emit does not apply to ") + (runFlag ? "--run" : "--gradcheck");
  if (gradInputs && emitKind != Emit::Grad)
    return "--grad-inputs needs --emit=grad";
  return std::nullopt;
}

/// --run and --gradcheck: builds the functions they need (a .mlir input is
/// taken as written unless it lacks a train step that they need) and runs
/// them on the interpreter.
LogicalResult interpret(ModuleOp module, MLIRContext &context, llvm::raw_ostream &os) {
  PassManager pm(&context);
  if (failed(applyPassManagerCLOptions(pm)))
    return failure();
  applyDefaultTimingPassManagerCLOptions(pm);
  bool needsTrainStep = gradCheckFlag || trainFlag;
  if (!isMLIRInput())
    needsTrainStep ? netc::buildTrainPipeline(pm, false) : netc::buildOptimizePipeline(pm);
  else if (needsTrainStep && !netc::interp::findTrainStep(module, modelName))
    netc::buildTrainPipeline(pm, false);
  else {
    pm.addNestedPass<func::FuncOp>(netc::createNNInferShapes());
    pm.addNestedPass<func::FuncOp>(netc::createNNDecompose());
  }
  if (failed(pm.run(module)))
    return failure();
  if (failed(netc::interp::checkInterpretable(module)))
    return failure();
  // Compiled code runs the same functions as the interpreter (the forward
  // function keeps its loss here, unlike in the artifacts), so results compare.
  netc::interp::Evaluator evaluator;
  if (engine == Engine::JIT) {
    auto jit = std::make_shared<netc::codegen::JITEvaluator>(
        netc::tool::codegenOptions(targetName, scheduleName, tuneMode));
    evaluator = [jit](func::FuncOp fn, llvm::ArrayRef<netc::interp::Tensor> args,
                      bool forceF64) { return (*jit)(fn, args, forceF64); };
  }
  if (gradCheckFlag) {
    netc::interp::GradCheckOptions options;
    options.evaluator = evaluator;
    if (engine == Engine::JIT)
      options.engineName = "compiled code (" + scheduleName + " schedule)";
    options.model = modelName;
    options.seed = seedValue;
    options.loadPath = loadFile;
    options.defaultWeights = netc::tool::modelWeights.empty() ? nullptr : &netc::tool::modelWeights;
    FailureOr<bool> passed = netc::interp::gradCheck(module, options, os);
    if (failed(passed))
      return failure();
    gradCheckFailed = !*passed;
    return success();
  }
  netc::interp::RunOptions options;
  options.evaluator = evaluator;
  options.model = modelName;
  options.seed = seedValue;
  options.dumpPath = dumpFile.empty() ? "" : netc::codegen::resolveOutputLink(dumpFile);
  options.loadPath = loadFile;
  options.train = trainFlag;
  options.steps = stepCount;
  options.weightsPath = weightsFile;
  options.saveWeightsPath =
      saveWeightsFile.empty() ? "" : netc::codegen::resolveOutputLink(saveWeightsFile);
  options.dataPath = dataFile;
  options.inputsPaths.assign(inputsFiles.begin(), inputsFiles.end());
  options.outputsPaths.assign(outputsFiles.begin(), outputsFiles.end());
  options.defaultWeights = netc::tool::modelWeights.empty() ? nullptr : &netc::tool::modelWeights;
  options.gradStats = gradStatsOptions;
  return netc::interp::runModel(module, options, os);
}

/// Runs the stages the requested output needs and prints it to `os`.
LogicalResult compile(llvm::SourceMgr &sourceMgr, MLIRContext &context, llvm::raw_ostream &os) {
  if (emitKind == Emit::Ast) {
    if (isMLIRInput() || isOnnxInput()) {
      emitError(UnknownLoc::get(&context)) << "--emit=ast needs a .net file";
      return failure();
    }
    return netc::frontend::emitAST(sourceMgr, context, os);
  }
  OwningOpRef<ModuleOp> module;
  if (isMLIRInput())
    module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  else if (isOnnxInput()) {
    onnxOptions.training = netc::tool::trainingFlagsGiven();
    module = netc::onnx::importOnnxFile(inputFilename, context, onnxOptions, netc::tool::modelWeights);
  } else
    module = netc::frontend::importNetFile(sourceMgr, context, importOptions);
  if (!module)
    return failure();
  if (failed(netc::tool::applyTrainingFlags(*module, sourceMgr, modelName)))
    return failure();
  if (runFlag || gradCheckFlag || trainFlag)
    return interpret(*module, context, os);
  PassManager pm(&context);
  if (failed(applyPassManagerCLOptions(pm)))
    return failure();
  applyDefaultTimingPassManagerCLOptions(pm);
  switch (emitKind) {
  case Emit::NN:
  case Emit::Net:
    netc::buildImportPipeline(pm);
    break;
  case Emit::Grad:
  case Emit::Halide:
  case Emit::Obj:
  case Emit::Lib:
  case Emit::So:
  case Emit::Exe:
    netc::buildTrainPipeline(pm, gradInputs);
    break;
  case Emit::RF:
  case Emit::RFJson:
  case Emit::RFSvg:
    netc::buildImportPipeline(pm);
    pm.addNestedPass<func::FuncOp>(netc::createNNReceptiveField());
    break;
  default:
    netc::buildOptimizePipeline(pm);
    break;
  }
  if (failed(pm.run(*module)))
    return failure();
  switch (emitKind) {
  case Emit::RF:
    return netc::printReceptiveFieldTable(*module, os);
  case Emit::RFJson:
    return netc::printReceptiveFieldJSON(*module, os);
  case Emit::RFSvg:
    return netc::printReceptiveFieldSvg(*module, os);
  case Emit::Stats:
    return netc::printStats(*module, os, netc::tool::predictStepPeak);
  case Emit::Dot:
    return netc::printDot(*module, os);
  case Emit::Net:
    return netc::tool::emitNetWithWeights(*module, outputFilename, os);
  case Emit::Halide:
  case Emit::Obj:
  case Emit::Lib:
  case Emit::So:
  case Emit::Exe: {
    auto options = netc::tool::codegenOptions(targetName, scheduleName, tuneMode);
    options.defaultWeights = &netc::tool::modelWeights;
    return netc::tool::emitCode(*module, emitKind, options, outputFilename, os);
  }
  default:
    module->print(os);
    return success();
  }
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  netc::onnx::installTensorProtoReader();
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  registerDefaultTimingManagerCLOptions();
  netc::tool::registerCodegenFlags(codegenCategory);
  netc::tool::showOnlyOptions({&outputCategory, &modelCategory, &codegenCategory, &runCategory,
                               &mlirCategory, &testingCategory,
                               &netc::tool::trainingFlagsCategory()},
                              mlirCategory);
  cl::SetVersionPrinter(netc::tool::printVersion);
  // A bad command line exits with 2, keeping 1 for errors in the input.
  if (!cl::ParseCommandLineOptions(argc, argv, netc::tool::kOverview, &llvm::errs()))
    return 2;
  // DESIGN.md: with -o and no --emit, netc writes an executable.
  if (!emitKind.getNumOccurrences() && outputFilename.getNumOccurrences() && !runFlag &&
      !gradCheckFlag)
    emitKind = Emit::Exe;
  std::optional<std::string> misuse = commandLineMisuse();
  if (!misuse)
    misuse = readDefines();
  if (!misuse)
    misuse = readGradStats();
  if (!misuse)
    misuse = netc::tool::trainingFlagsMisuse();
  importOptions.trainedLater = netc::tool::trainingFlagsGiven();
  if (misuse) {
    llvm::errs() << "netc: error: " << *misuse << " (see --help)\n";
    return 2;
  }

  std::string error;
  if (!defaultWeightsFile.empty() &&
      !netc::tool::readModelWeights(defaultWeightsFile, netc::tool::modelWeights, error)) {
    llvm::errs() << "netc: error: " << error << "\n";
    return 1;
  }
  if (std::optional<std::string> clash = outputOverwritingInput()) {
    llvm::errs() << "netc: error: " << *clash << "; refusing to overwrite it\n";
    return 1;
  }
  // An unchanged compile copies its artifacts from the cache (CompileCache.h).
  netc::tool::CompileCache cache(
      {argv, size_t(argc)}, emitKind, inputFilename, outputFilename, !verifyDiagnostics,
      [] { return netc::tool::tuningKey(tuneMode, targetName); });
  if (cache.restore())
    return 0;
  // An ONNX model (and its external data) is read by its importer, which
  // reports a missing or bad file as an error of the model.
  std::unique_ptr<llvm::MemoryBuffer> input =
      isOnnxInput() ? llvm::MemoryBuffer::getMemBuffer("", inputFilename)
                    : netc::tool::readInputFile(inputFilename,
                                                isMLIRInput() ? netc::tool::kMaxMLIRFileBytes
                                                              : netc::tool::kMaxNetFileBytes,
                                                error);
  if (!input) {
    llvm::errs() << "netc: error: " << error << "\n";
    return 1;
  }

  DialectRegistry registry;
  registry.insert<netc::nn::NNDialect, func::FuncDialect, arith::ArithDialect>();
  // The backends' external models of the nn ops.
  netc::codegen::registerHalideAlgorithms(registry);
  netc::interp::registerInterpKernels(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  // Errors point at the .net source; a dump of the op would only repeat it in MLIR's words.
  context.printOpOnDiagnostic(false);

  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(input), llvm::SMLoc());

  // Output is produced in memory and written only on success, so a failed run
  // never leaves a half-written file behind.
  std::string text;
  llvm::raw_string_ostream os(text);
  LogicalResult result = failure();
  if (verifyDiagnostics) {
    SourceMgrDiagnosticVerifierHandler handler(sourceMgr, &context);
    netc::tool::guardQuotedFiles(context, sourceMgr);
    (void)compile(sourceMgr, context, os);
    result = handler.verify();
  } else {
    SourceMgrDiagnosticHandler handler(sourceMgr, &context);
    netc::tool::guardQuotedFiles(context, sourceMgr);
    result = compile(sourceMgr, context, os);
  }
  if (failed(result))
    return 1;
  // Binary artifacts are written by their emitters; only text goes through here.
  if (verifyDiagnostics || emitKind == Emit::Obj || emitKind == Emit::Lib ||
      emitKind == Emit::So || emitKind == Emit::Exe) {
    cache.store();
    return 0;
  }

  // A link given as -o is written through, as cp does.
  std::string outputPath =
      outputFilename == "-" ? outputFilename : netc::codegen::resolveOutputLink(outputFilename);
  if (llvm::Error err = llvm::writeToOutput(outputPath, [&](llvm::raw_ostream &out) {
        out << text;
        return llvm::Error::success();
      })) {
    llvm::errs() << "netc: error: cannot write '" << outputFilename
                 << "': " << llvm::toString(std::move(err)) << "\n";
    return 1;
  }
  return gradCheckFailed ? 1 : 0;
}
