//===- StepMemory.cpp - the memory of an executable's train step ----------===//

#include "codegen/StepMemory.h"
#include "codegen/ArtifactModel.h"
#include "codegen/Split.h"
#include "ir/NNInterfaces.h"
#include "runtime/Arena.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"

#include <algorithm>
#include <set>

using namespace mlir;

namespace netc::codegen {

namespace {

/// The bytes of one element of a runtime dtype name.
int64_t dtypeBytes(const std::string &dtype) { return dtype == "f64" || dtype == "i64" ? 8 : 4; }

/// What a HostTensor of the runtime allocates: 64-byte aligned and rounded.
int64_t hostBytes(const ArtifactTensor &t) {
  int64_t n = dtypeBytes(t.dtype);
  for (int64_t d : t.shape)
    n *= d;
  return std::max<int64_t>((n + 63) / 64 * 64, 64);
}

int64_t hostBytes(const std::vector<ArtifactTensor> &list) {
  int64_t n = 0;
  for (const ArtifactTensor &t : list)
    n += hostBytes(t);
  return n;
}

/// The bytes of a statically shaped tensor value; 0 for anything else.
int64_t valueBytes(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || !type.hasStaticShape())
    return 0;
  return type.getNumElements() * ((type.getElementTypeBitWidth() + 7) / 8);
}

/// Whether Halide computes `op`'s result inside its consumers instead of in a
/// buffer: the hand schedule inlines elementwise ops whose users are all
/// elementwise (codegen/Schedules/HandScheduler.cpp).
bool inlined(Operation *op) {
  if (!op->hasTrait<nn::traits::Elementwise>())
    return false;
  return llvm::all_of(op->getUsers(),
                      [](Operation *user) { return user->hasTrait<nn::traits::Elementwise>(); });
}

/// The most bytes live at once in the buffers Halide allocates inside one
/// pipeline: each op result that is neither inlined nor a constant nor only
/// returned (computed into the caller's buffer), from its op to its last
/// use. A result returned and also read inside is computed into a buffer of
/// its own and copied out.
int64_t withinPeak(func::FuncOp fn) {
  Block &body = fn.getBody().front();
  llvm::DenseMap<Operation *, int> index;
  for (Operation &op : body)
    index[&op] = static_cast<int>(index.size());
  std::vector<runtime::ArenaBlock> blocks;
  for (Operation &op : body.without_terminator()) {
    // Constants are compiled into the code.
    if (op.getNumOperands() == 0 || inlined(&op))
      continue;
    for (Value r : op.getResults()) {
      int64_t bytes = valueBytes(r);
      bool onlyReturned = llvm::all_of(r.getUsers(), [&](Operation *user) {
        return user == body.getTerminator();
      });
      if (!bytes || onlyReturned)
        continue;
      int last = index[&op];
      for (Operation *user : r.getUsers())
        last = std::max(last, index.lookup(user));
      blocks.push_back(runtime::ArenaBlock{static_cast<uint64_t>(bytes), index[&op], last});
    }
  }
  // The most bytes live at one op (malloc places Halide's blocks; the
  // arena's planner is not involved).
  int64_t peak = 0;
  for (size_t i = 0; i < index.size(); ++i) {
    int64_t live = 0;
    for (const runtime::ArenaBlock &b : blocks)
      if (b.first <= static_cast<int>(i) && static_cast<int>(i) <= b.last)
        live += static_cast<int64_t>(b.bytes);
    peak = std::max(peak, live);
  }
  return peak;
}

/// The chain's temporaries and parts in the runtime's terms, so that the
/// runtime's own planner lays them out.
struct ChainView {
  std::vector<std::vector<int64_t>> shapes;
  std::vector<netc_tensor> temps;
  std::vector<std::vector<netc_chain_ref>> refs;
  std::vector<netc_chain_part> parts;
  netc_chain chain{};

  explicit ChainView(const KernelChain &kc) {
    for (const ChainTemp &t : kc.temps)
      shapes.push_back(t.shape);
    for (auto [i, t] : llvm::enumerate(kc.temps)) {
      netc_dtype dtype = t.dtype == "f64"   ? NETC_F64
                         : t.dtype == "i32" ? NETC_I32
                         : t.dtype == "i64" ? NETC_I64
                                            : NETC_F32;
      temps.push_back(netc_tensor{"temp", dtype, static_cast<int32_t>(t.shape.size()),
                                  shapes[i].data(), NETC_INIT_CONSTANT, 0, 0, 0});
    }
    for (const ChainPart &p : kc.parts) {
      refs.emplace_back();
      for (const ChainRef &r : p.refs)
        refs.back().push_back(netc_chain_ref{r.temp ? 1 : 0, r.index});
    }
    for (auto &r : refs)
      parts.push_back(netc_chain_part{nullptr, static_cast<int32_t>(r.size()), r.data()});
    chain = netc_chain{static_cast<int32_t>(temps.size()), temps.data(),
                       static_cast<int32_t>(parts.size()), parts.data()};
  }
};

/// The program's own resident memory besides its tensors: its code and
/// data, the C, C++ and Halide runtimes, Halide's thread pool, malloc's
/// overhead. Fitted to the peak resident size of this project's executables
/// (bench/memory.py) less their heap (heaptrack): 4.6 MiB for LeNet (10
/// pipelines), 9.4 MiB for ResNet-18 (67 pipelines).
constexpr int64_t kProgramBytes = 3840 << 10;
constexpr int64_t kPipelineBytes = 85 << 10;

} // namespace

FailureOr<StepMemory> predictStepMemory(ModuleOp module) {
  FailureOr<ArtifactModel> described = describeModel(module);
  if (failed(described))
    return failure();
  const ArtifactModel &model = *described;
  if (!model.hasTrain)
    return module.emitError() << "model '" << model.name << "' has no train step";
  FailureOr<std::vector<KernelChain>> chains = splitLargeFunctions(module);
  if (failed(chains))
    return failure();

  StepMemory m;
  m.params = hostBytes(model.params);
  m.grads = m.params;
  m.state = hostBytes(model.state);
  m.buffers = hostBytes(model.buffers);
  m.io = hostBytes(model.inputs) + hostBytes(model.outputs) + hostBytes(model.scratch);
  std::vector<std::string> kernels;
  std::set<std::pair<std::string, int>> rewritten;
  auto readSteps = [&](const std::vector<ArtifactSlot> &slots) {
    for (const ArtifactSlot &slot : slots)
      if (slot.kind == "PARAM_UPDATE" || slot.kind == "STATE_UPDATE" ||
          slot.kind == "BUFFER_UPDATE")
        rewritten.insert({slot.kind, slot.index});
    m.io += 64; // the step's loss
  };
  if (model.steps.empty()) {
    readSteps(model.trainSlots);
    kernels.push_back(model.trainKernel);
  }
  for (const ArtifactModel::Step &step : model.steps) {
    readSteps(step.slots);
    kernels.push_back(step.kernel);
  }
  for (const auto &[kind, index] : rewritten)
    m.updated += hostBytes(kind == "PARAM_UPDATE"   ? model.params[index]
                           : kind == "STATE_UPDATE" ? model.state[index]
                                                    : model.buffers[index]);

  // Every train step keeps its chain's arena once it ran; Halide's own
  // buffers come and go within a call.
  m.parts = 0;
  for (const std::string &kernel : kernels) {
    auto chain = llvm::find_if(*chains, [&](const KernelChain &c) { return c.entry == kernel; });
    if (chain == chains->end()) {
      if (auto fn = module.lookupSymbol<func::FuncOp>(kernel))
        m.within = std::max(m.within, withinPeak(fn));
      ++m.parts;
      continue;
    }
    ChainView view(*chain);
    runtime::ArenaPlan plan = runtime::planArena(runtime::chainBlocks(view.chain));
    m.arena += static_cast<int64_t>(plan.total);
    m.temps += static_cast<int>(chain->temps.size());
    m.parts += static_cast<int>(chain->parts.size());
    for (const ChainPart &part : chain->parts)
      if (auto fn = module.lookupSymbol<func::FuncOp>(part.entry))
        m.within = std::max(m.within, withinPeak(fn));
  }
  for (auto fn : module.getOps<func::FuncOp>())
    if (!fn.isExternal())
      ++m.pipelines;
  m.program = kProgramBytes + m.pipelines * kPipelineBytes;
  return m;
}

} // namespace netc::codegen
