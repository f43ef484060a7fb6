//===- Signature.cpp - the roles of a model function's values -------------===//

#include "ir/Signature.h"
#include "ir/NNDialect.h"
#include "ir/Names.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;

namespace netc::nn {

namespace {

/// One role: the attribute that marks it (the dialect's own name for it)
/// and the longest name it may hold.
template <typename Role> struct RoleEntry {
  Role role;
  StringLiteral attr;
  size_t limit;
};

// In order of precedence: a value with several role attributes takes the first.
// A run-time hyperparameter of a train step and its compiled value (0-d f64).
constexpr StringLiteral kHyperAttr = "nn.hyper", kValueAttr = "nn.value";

constexpr RoleEntry<ArgRole> kArgRoles[] = {
    {ArgRole::Input, NNDialect::InputAttrHelper::getNameStr(), kMaxNameBytes},
    {ArgRole::Param, NNDialect::ParamAttrHelper::getNameStr(), kMaxNameBytes},
    {ArgRole::Seed, NNDialect::SeedAttrHelper::getNameStr(), 0},
    {ArgRole::State, NNDialect::StateAttrHelper::getNameStr(), kMaxDerivedNameBytes},
    {ArgRole::Buffer, NNDialect::BufferAttrHelper::getNameStr(), kMaxNameBytes},
    {ArgRole::Hyper, kHyperAttr, kMaxDerivedNameBytes},
};

constexpr RoleEntry<ResultRole> kResultRoles[] = {
    {ResultRole::Loss, NNDialect::LossAttrHelper::getNameStr(), kMaxNameBytes},
    {ResultRole::Output, NNDialect::OutputAttrHelper::getNameStr(), kMaxNameBytes},
    {ResultRole::Grad, NNDialect::GradAttrHelper::getNameStr(), kMaxDerivedNameBytes},
    {ResultRole::GradInput, NNDialect::GradInputAttrHelper::getNameStr(), kMaxDerivedNameBytes},
    {ResultRole::ParamUpdate, NNDialect::ParamUpdateAttrHelper::getNameStr(),
     kMaxDerivedNameBytes},
    {ResultRole::State, NNDialect::StateAttrHelper::getNameStr(), kMaxDerivedNameBytes},
    {ResultRole::BufferUpdate, NNDialect::BufferUpdateAttrHelper::getNameStr(),
     kMaxDerivedNameBytes},
};

/// The entry of `role` in `table`, or null for Other.
template <typename Role, size_t N>
const RoleEntry<Role> *entryOf(const RoleEntry<Role> (&table)[N], Role role) {
  for (const RoleEntry<Role> &entry : table)
    if (entry.role == role)
      return &entry;
  return nullptr;
}

/// The first role of `table` whose attribute `get(attr)` finds, with it.
template <typename Role, size_t N, typename Get>
std::pair<Role, Attribute> firstRole(const RoleEntry<Role> (&table)[N], Role other, Get get) {
  for (const RoleEntry<Role> &entry : table)
    if (Attribute attr = get(entry.attr))
      return {entry.role, attr};
  return {other, Attribute()};
}

/// The name a role attribute gives: its string, or `fallback`.
std::string nameOf(Attribute attr, std::string fallback) {
  if (auto str = dyn_cast_or_null<StringAttr>(attr))
    return str.str();
  return fallback;
}

} // namespace

StringRef roleAttrName(ArgRole role) {
  const RoleEntry<ArgRole> *entry = entryOf(kArgRoles, role);
  return entry ? StringRef(entry->attr) : StringRef();
}

StringRef roleAttrName(ResultRole role) {
  const RoleEntry<ResultRole> *entry = entryOf(kResultRoles, role);
  return entry ? StringRef(entry->attr) : StringRef();
}

ArgRole argRole(func::FuncOp fn, unsigned index) {
  return firstRole(kArgRoles, ArgRole::Other,
                   [&](StringRef attr) { return fn.getArgAttr(index, attr); })
      .first;
}

ResultRole resultRole(func::FuncOp fn, unsigned index) {
  return firstRole(kResultRoles, ResultRole::Other,
                   [&](StringRef attr) { return fn.getResultAttr(index, attr); })
      .first;
}

/// The function whose argument `value` is, or null.
static func::FuncOp ownerOf(Value value, unsigned &index) {
  auto arg = dyn_cast<BlockArgument>(value);
  if (!arg || !arg.getOwner()->isEntryBlock())
    return nullptr;
  index = arg.getArgNumber();
  return dyn_cast_or_null<func::FuncOp>(arg.getOwner()->getParentOp());
}

ArgRole argRole(Value value) {
  unsigned index = 0;
  func::FuncOp fn = ownerOf(value, index);
  return fn ? argRole(fn, index) : ArgRole::Other;
}

StringAttr argName(func::FuncOp fn, unsigned index, ArgRole role) {
  StringRef attr = roleAttrName(role);
  return attr.empty() ? StringAttr() : fn.getArgAttrOfType<StringAttr>(index, attr);
}

StringAttr resultName(func::FuncOp fn, unsigned index, ResultRole role) {
  StringRef attr = roleAttrName(role);
  return attr.empty() ? StringAttr() : fn.getResultAttrOfType<StringAttr>(index, attr);
}

StringAttr argName(Value value, ArgRole role) {
  unsigned index = 0;
  func::FuncOp fn = ownerOf(value, index);
  return fn ? argName(fn, index, role) : StringAttr();
}

NamedAttribute roleAttr(MLIRContext *ctx, ArgRole role, StringRef name) {
  Builder b(ctx);
  if (role == ArgRole::Seed)
    return b.getNamedAttr(roleAttrName(role), b.getUnitAttr());
  return b.getNamedAttr(roleAttrName(role), b.getStringAttr(name));
}

NamedAttribute roleAttr(MLIRContext *ctx, ResultRole role, StringRef name) {
  Builder b(ctx);
  return b.getNamedAttr(roleAttrName(role), b.getStringAttr(name));
}

std::optional<double> hyperValue(func::FuncOp fn, unsigned index) {
  if (auto value = fn.getArgAttrOfType<FloatAttr>(index, kValueAttr))
    return value.getValueAsDouble();
  return std::nullopt;
}

void setHyper(func::FuncOp fn, unsigned index, StringRef name, double value) {
  Builder b(fn.getContext());
  fn.setArgAttr(index, roleAttrName(ArgRole::Hyper), b.getStringAttr(name));
  fn.setArgAttr(index, kValueAttr, b.getF64FloatAttr(value));
}

DictionaryAttr paramInit(func::FuncOp fn, unsigned index) {
  return fn.getArgAttrOfType<DictionaryAttr>(index, NNDialect::InitAttrHelper::getNameStr());
}

StringAttr trainStepOf(Operation *fn) {
  return fn->getAttrOfType<StringAttr>(NNDialect::TrainStepOfAttrHelper::getNameStr());
}

void setTrainStepOf(Operation *step, StringRef forward) {
  step->setAttr(NNDialect::TrainStepOfAttrHelper::getNameStr(),
                StringAttr::get(step->getContext(), forward));
}

DictionaryAttr optimizerOf(Operation *fn) {
  return fn->getAttrOfType<DictionaryAttr>(NNDialect::OptimizerAttrHelper::getNameStr());
}

SmallVector<ArgInfo> describeArguments(func::FuncOp fn) {
  SmallVector<ArgInfo> args;
  for (unsigned i = 0, e = fn.getNumArguments(); i < e; ++i) {
    auto [role, attr] = firstRole(kArgRoles, ArgRole::Other,
                                  [&](StringRef name) { return fn.getArgAttr(i, name); });
    std::string fallback = role == ArgRole::Seed ? "seed" : "arg#" + std::to_string(i);
    args.push_back(ArgInfo{i, role, nameOf(attr, fallback)});
  }
  return args;
}

SmallVector<ResultInfo> describeResults(func::FuncOp fn) {
  SmallVector<ResultInfo> results;
  for (unsigned i = 0, e = fn.getNumResults(); i < e; ++i) {
    auto [role, attr] = firstRole(kResultRoles, ResultRole::Other,
                                  [&](StringRef name) { return fn.getResultAttr(i, name); });
    std::string fallback = role == ResultRole::Loss ? "loss" : "result#" + std::to_string(i);
    results.push_back(ResultInfo{i, role, nameOf(attr, fallback)});
  }
  return results;
}

size_t nameLimit(StringRef attrName) {
  for (const RoleEntry<ArgRole> &entry : kArgRoles)
    if (entry.attr == attrName)
      return entry.limit;
  for (const RoleEntry<ResultRole> &entry : kResultRoles)
    if (entry.attr == attrName)
      return entry.limit;
  if (attrName == NNDialect::TrainStepOfAttrHelper::getNameStr())
    return kMaxDerivedNameBytes;
  return 0;
}

} // namespace netc::nn
