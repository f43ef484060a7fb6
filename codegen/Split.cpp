//===- Split.cpp - large functions as chains of smaller ones --------------===//

#include "codegen/Split.h"
#include "codegen/ArtifactModel.h"
#include "ir/NNDialect.h"
#include "ir/NNOps.h"
#include "ir/Signature.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/Hashing.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/SmallPtrSet.h"

#include <functional>
#include <map>

using namespace mlir;

namespace netc::codegen {

namespace {

/// The mark of a function that is one part of a split entry point.
constexpr llvm::StringLiteral kPartAttr = nn::NNDialect::PartAttrHelper::getNameStr();

/// Ops every part computes for itself instead of receiving their value:
/// constants and scalar (seed) arithmetic.
bool recomputed(Operation *op) {
  if (op->hasTrait<nn::traits::Collective>())
    return false;
  if (op->getNumOperands() == 0)
    return true;
  return llvm::none_of(op->getResultTypes(), [](Type t) { return isa<RankedTensorType>(t); });
}

/// What an op computes, apart from where its operands come from: its name,
/// attributes and types. Ops of equal shape compile to equal code.
llvm::hash_code opShape(Operation *op) {
  llvm::hash_code h = llvm::hash_combine(op->getName().getAsOpaquePointer(),
                                         op->getAttrDictionary().getAsOpaquePointer());
  for (Type t : op->getOperandTypes())
    h = llvm::hash_combine(h, t.getAsOpaquePointer());
  for (Type t : op->getResultTypes())
    h = llvm::hash_combine(h, t.getAsOpaquePointer());
  return h;
}

/// The first op of every part. Repeated layers (a ResNet stage, an unrolled
/// MLP) make the op sequence periodic; a part that starts where the period
/// does and spans whole periods recurs, and equal parts compile once
/// (shareEqualParts). Elsewhere parts have `opsPerPart` ops. The last part
/// takes a remainder of fewer than `opsPerPart` / 2 ops.
std::vector<size_t> partBoundaries(ArrayRef<Operation *> ops, int64_t opsPerPart) {
  std::vector<llvm::hash_code> shape;
  for (Operation *op : ops)
    shape.push_back(opShape(op));
  size_t n = ops.size(), per = static_cast<size_t>(opsPerPart);
  // The shortest period p at i: ops [i, i + 2p) repeat [i, i + p) twice.
  auto periodAt = [&](size_t i) -> size_t {
    for (size_t p = 1; p <= 2 * per && i + 3 * p <= n; ++p)
      if (std::equal(shape.begin() + i, shape.begin() + i + p, shape.begin() + i + p) &&
          std::equal(shape.begin() + i, shape.begin() + i + p, shape.begin() + i + 2 * p))
        return p;
    return 0;
  };
  std::vector<size_t> starts;
  size_t i = 0;
  while (i < n) {
    starts.push_back(i);
    size_t size = per;
    if (size_t p = periodAt(i)) {
      // Whole periods, as close to opsPerPart as they come.
      size_t periods = std::max<size_t>(1, (per + p / 2) / p);
      size = p * periods;
    }
    i += size;
    if (n > i && n - i < per / 2)
      i = n;
  }
  return starts;
}

/// What a collective op is as a part.
ChainCollective collectiveOf(Operation *op) {
  if (isa<nn::ReplicaMeanOp>(op))
    return ChainCollective::ReplicaMean;
  if (isa<nn::ReplicaCountOp>(op))
    return ChainCollective::ReplicaCount;
  return ChainCollective::None;
}

/// partBoundaries, with every collective op a part of its own: the ops
/// between two collectives are split as partBoundaries splits them.
std::vector<size_t> boundariesAroundCollectives(ArrayRef<Operation *> ops, int64_t opsPerPart) {
  std::vector<size_t> starts;
  size_t begin = 0;
  auto segment = [&](size_t end) {
    for (size_t start : partBoundaries(ops.slice(begin, end - begin), opsPerPart))
      starts.push_back(begin + start);
  };
  for (size_t i = 0; i < ops.size(); ++i)
    if (collectiveOf(ops[i]) != ChainCollective::None) {
      segment(i);
      starts.push_back(i);
      begin = i + 1;
    }
  segment(ops.size());
  return starts;
}

/// A key equal for parts that compile to the same code: the function type
/// and every op (recomputed ones too) with its operands numbered in order of
/// definition. MLIR uniques types and attributes, so their addresses compare
/// them exactly. Argument attributes (names) are left out: they name
/// Halide's buffers but change no code.
using PartKey = std::vector<const void *>;
PartKey partKey(func::FuncOp fn) {
  PartKey key{fn.getFunctionType().getAsOpaquePointer()};
  DenseMap<Value, uintptr_t> number;
  Block &body = fn.getBody().front();
  for (BlockArgument arg : body.getArguments())
    number[arg] = number.size();
  for (Operation &op : body) {
    key.push_back(op.getName().getAsOpaquePointer());
    key.push_back(op.getAttrDictionary().getAsOpaquePointer());
    key.push_back(reinterpret_cast<const void *>(uintptr_t(op.getNumOperands())));
    for (Value v : op.getOperands())
      key.push_back(reinterpret_cast<const void *>(number.lookup(v)));
    key.push_back(reinterpret_cast<const void *>(uintptr_t(op.getNumResults())));
    for (Value v : op.getResults()) {
      key.push_back(v.getType().getAsOpaquePointer());
      number[v] = number.size();
    }
  }
  return key;
}

/// Parts of `chains` equal to an earlier part (partKey), in any chain, run
/// the earlier part's entry point; their own functions are erased, so each
/// distinct part is compiled once.
void shareEqualParts(ModuleOp module, std::vector<KernelChain> &chains) {
  std::map<PartKey, std::string> entryOfKey;
  for (KernelChain &chain : chains)
    for (ChainPart &part : chain.parts) {
      if (part.collective != ChainCollective::None)
        continue;
      auto fn = module.lookupSymbol<func::FuncOp>(part.entry);
      if (!fn)
        continue;
      auto [it, inserted] = entryOfKey.try_emplace(partKey(fn), part.entry);
      if (inserted)
        continue;
      fn.erase();
      part.entry = it->second;
    }
}

class Splitter {
public:
  Splitter(func::FuncOp func, int64_t opsPerPart) : func(func), opsPerPart(opsPerPart) {}

  /// Whether the function is large enough, or a train step with an update,
  /// and simple enough, to split.
  bool worthSplitting() {
    orderOps();
    auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
    bool returnsArgument =
        llvm::any_of(ret.getOperands(), [](Value v) { return isa<BlockArgument>(v); });
    int64_t size = static_cast<int64_t>(tensorOps.size());
    bool collectives = llvm::any_of(
        tensorOps, [](Operation *op) { return collectiveOf(op) != ChainCollective::None; });
    return (size > opsPerPart + opsPerPart / 2 || separateUpdate() || collectives) &&
           !returnsArgument;
  }

  FailureOr<KernelChain> split();

private:
  /// Fills tensorOps: in program order, except that the ops of the
  /// optimizer update (those only PARAM_UPDATE and STATE_UPDATE results
  /// need) come last, from numGradOps on. The others are closed under their
  /// operands, so the order stays a valid schedule.
  void orderOps();
  /// Whether the update gets parts of its own (KernelChain::updatePart).
  bool separateUpdate() const { return numGradOps > 0 && numGradOps < tensorOps.size(); }
  /// Clones into the part what `v` needs when it is a recomputed value.
  Value materialize(Value v, OpBuilder &b, IRMapping &map);
  /// Where the values a part receives are found.
  FailureOr<ChainRef> refOf(Value v);

  func::FuncOp func;
  int64_t opsPerPart;
  std::vector<Operation *> tensorOps;
  size_t numGradOps = 0;
  KernelChain chain;
  /// The home of every value a part produced for others: a result slot of
  /// the entry point, or a temporary.
  DenseMap<Value, ChainRef> homes;
};

void Splitter::orderOps() {
  Block &body = func.getBody().front();
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  // Everything a result other than an update needs.
  llvm::SmallPtrSet<Operation *, 32> needed;
  SmallVector<Value> work;
  bool hasUpdate = false;
  for (auto [j, v] : llvm::enumerate(ret.getOperands())) {
    nn::ResultRole role = nn::resultRole(func, static_cast<unsigned>(j));
    bool update = role == nn::ResultRole::ParamUpdate || role == nn::ResultRole::State;
    hasUpdate |= update;
    if (!update)
      work.push_back(v);
  }
  while (!work.empty()) {
    Operation *def = work.pop_back_val().getDefiningOp();
    if (def && needed.insert(def).second)
      work.append(def->operand_begin(), def->operand_end());
  }
  tensorOps.clear();
  std::vector<Operation *> update;
  for (Operation &op : body.without_terminator()) {
    if (recomputed(&op))
      continue;
    (!hasUpdate || needed.count(&op) ? tensorOps : update).push_back(&op);
  }
  numGradOps = tensorOps.size();
  tensorOps.insert(tensorOps.end(), update.begin(), update.end());
}

Value Splitter::materialize(Value v, OpBuilder &b, IRMapping &map) {
  if (Value mapped = map.lookupOrNull(v))
    return mapped;
  // Anything not recomputed is an argument of the part, mapped already.
  Operation *def = v.getDefiningOp();
  assert(def && recomputed(def) && "a part reads a value it neither receives nor recomputes");
  for (Value operand : def->getOperands())
    materialize(operand, b, map);
  b.clone(*def, map);
  return map.lookup(v);
}

FailureOr<ChainRef> Splitter::refOf(Value v) {
  if (auto arg = dyn_cast<BlockArgument>(v))
    return ChainRef{false, static_cast<int>(arg.getArgNumber())};
  auto it = homes.find(v);
  if (it == homes.end())
    return failure();
  return it->second;
}

FailureOr<KernelChain> Splitter::split() {
  Block &body = func.getBody().front();
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  unsigned numArgs = func.getNumArguments();
  chain.entry = entryPointName(func);

  // Parts in program order (partBoundaries), the update's on their own.
  std::vector<std::vector<Operation *>> parts;
  ArrayRef<Operation *> all(tensorOps);
  bool separate = separateUpdate();
  std::vector<size_t> starts =
      boundariesAroundCollectives(separate ? all.take_front(numGradOps) : all, opsPerPart);
  if (separate) {
    chain.updatePart = static_cast<int>(starts.size());
    for (size_t start : boundariesAroundCollectives(all.drop_front(numGradOps), opsPerPart))
      starts.push_back(numGradOps + start);
  }
  for (size_t k = 0; k < starts.size(); ++k)
    parts.emplace_back(tensorOps.begin() + starts[k],
                       k + 1 < starts.size() ? tensorOps.begin() + starts[k + 1]
                                             : tensorOps.end());
  DenseMap<Operation *, size_t> partOf;
  for (auto [k, ops] : llvm::enumerate(parts))
    for (Operation *op : ops)
      partOf[op] = k;

  // The entry point's results each have their slot; the first result slot
  // of a value is its home when later parts read it too.
  for (auto [j, v] : llvm::enumerate(ret.getOperands()))
    homes.try_emplace(v, ChainRef{false, static_cast<int>(numArgs + j)});

  OpBuilder b(func.getContext());
  b.setInsertionPointAfter(func);
  size_t tempsBeforeUpdate = 0;
  for (auto [k, ops] : llvm::enumerate(parts)) {
    if (static_cast<int>(k) == chain.updatePart)
      tempsBeforeUpdate = chain.temps.size();
    llvm::SmallPtrSet<Operation *, 32> inPart(ops.begin(), ops.end());
    // Arguments: values from outside the part that are not recomputed.
    // A recomputed value's own sources (the seed argument of a dropout
    // mask's seed arithmetic) are arguments too.
    llvm::SetVector<Value> inputs;
    std::function<void(Value)> addSources = [&](Value v) {
      Operation *def = v.getDefiningOp();
      if (def && inPart.count(def))
        return;
      if (def && recomputed(def)) {
        for (Value operand : def->getOperands())
          addSources(operand);
        return;
      }
      inputs.insert(v);
    };
    for (Operation *op : ops)
      for (Value operand : op->getOperands())
        addSources(operand);
    // Results: each result slot of the entry point this part computes, then
    // the values later parts read that have no result slot.
    SmallVector<Value> results;
    SmallVector<ChainRef> resultRefs;
    for (auto [j, v] : llvm::enumerate(ret.getOperands()))
      if (Operation *def = v.getDefiningOp(); def && inPart.count(def)) {
        results.push_back(v);
        resultRefs.push_back(ChainRef{false, static_cast<int>(numArgs + j)});
      }
    for (Operation *op : ops)
      for (Value v : op->getResults()) {
        if (homes.count(v))
          continue;
        bool readLater = llvm::any_of(v.getUsers(), [&](Operation *user) {
          auto it = partOf.find(user);
          return it != partOf.end() && it->second > k;
        });
        if (!readLater)
          continue;
        auto type = cast<RankedTensorType>(v.getType());
        std::optional<std::string> dtype = dtypeOf(type.getElementType());
        if (!dtype)
          return op->emitError() << "cannot hand over a value of type " << type
                                 << " between parts of a function";
        ChainRef ref{true, static_cast<int>(chain.temps.size())};
        chain.temps.push_back(ChainTemp{*dtype, std::vector<int64_t>(type.getShape().begin(),
                                                                     type.getShape().end())});
        homes[v] = ref;
        results.push_back(v);
        resultRefs.push_back(ref);
      }

    ChainPart part;
    part.collective = ops.size() == 1 ? collectiveOf(ops[0]) : ChainCollective::None;
    if (part.collective != ChainCollective::None) {
      // The runtime computes it: its operand (computed by an earlier part)
      // and its result, by reference only.
      for (Value v : inputs)
        if (FailureOr<ChainRef> ref = refOf(v); succeeded(ref))
          part.refs.push_back(*ref);
      if (part.refs.size() != ops[0]->getNumOperands() || resultRefs.size() != 1)
        return ops[0]->emitError() << "a collective op needs an operand an earlier part "
                                      "computes and one result a later part reads";
      part.refs.insert(part.refs.end(), resultRefs.begin(), resultRefs.end());
      chain.parts.push_back(std::move(part));
      continue;
    }
    part.entry = chain.entry + "_part" + std::to_string(k);
    SmallVector<Type> argTypes, resultTypes;
    for (Value v : inputs) {
      argTypes.push_back(v.getType());
      FailureOr<ChainRef> ref = refOf(v);
      if (failed(ref))
        return func.emitError() << "part " << k << " of '" << chain.entry
                                << "' reads a value no earlier part computed";
      // A temporary of the gradient parts read by the update would tie the
      // two halves together: the update then runs only with them.
      if (chain.updatePart >= 0 && static_cast<int>(k) >= chain.updatePart && ref->temp &&
          static_cast<size_t>(ref->index) < tempsBeforeUpdate)
        chain.updatePart = -1;
      part.refs.push_back(*ref);
    }
    for (Value v : results)
      resultTypes.push_back(v.getType());
    part.refs.insert(part.refs.end(), resultRefs.begin(), resultRefs.end());

    auto fn = b.create<func::FuncOp>(func.getLoc(), part.entry,
                                     b.getFunctionType(argTypes, resultTypes));
    fn->setAttr(kPartAttr, b.getUnitAttr());
    // Arguments keep the entry point's names (nn.input, nn.param, nn.state, nn.buffer)
    // for readable loop nests.
    for (auto [i, v] : llvm::enumerate(inputs))
      if (auto arg = dyn_cast<BlockArgument>(v))
        fn.setArgAttrs(i, func.getArgAttrDict(arg.getArgNumber()));
    Block *entry = fn.addEntryBlock();
    OpBuilder pb = OpBuilder::atBlockBegin(entry);
    IRMapping map;
    for (auto [i, v] : llvm::enumerate(inputs))
      map.map(v, entry->getArgument(i));
    for (Operation *op : ops) {
      for (Value operand : op->getOperands())
        materialize(operand, pb, map);
      pb.clone(*op, map);
    }
    SmallVector<Value> mapped;
    for (Value v : results)
      mapped.push_back(map.lookup(v));
    pb.create<func::ReturnOp>(func.getLoc(), mapped);
    b.setInsertionPointAfter(fn);
    chain.parts.push_back(std::move(part));
  }
  return std::move(chain);
}

} // namespace

std::string entryPointName(func::FuncOp func) {
  std::string name = func.getSymName().str();
  if (!nn::trainStepOf(func) && !func->hasAttr(kPartAttr))
    name += "_forward";
  for (char &c : name)
    if (!isalnum(static_cast<unsigned char>(c)))
      c = '_';
  return name;
}

FailureOr<std::vector<KernelChain>> splitLargeFunctions(ModuleOp module, int64_t opsPerPart) {
  std::vector<KernelChain> chains;
  for (auto func : llvm::to_vector(module.getOps<func::FuncOp>())) {
    if (func.isExternal() || func->hasAttr(kPartAttr))
      continue;
    Splitter splitter(func, opsPerPart);
    if (!splitter.worthSplitting())
      continue;
    FailureOr<KernelChain> chain = splitter.split();
    if (failed(chain))
      return failure();
    chains.push_back(std::move(*chain));
    func.erase();
  }
  shareEqualParts(module, chains);
  return chains;
}

} // namespace netc::codegen
