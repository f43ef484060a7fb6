//===- ImportState.cpp - buffers and their updates ------------------------===//
//
// Buffers are model state that gradients do not train but train steps
// change: `state NAME: TYPE init=...` declares one (an argument with
// nn.buffer and nn.init), `NAME <- expr` and ops such as batch_norm give its
// next value (a result with nn.buffer_update). Only train steps change
// buffers, so a model without `train` returns no update: batch_norm's
// updates are dropped there, and a `<-` is an error, since it would silently
// do nothing.
//
//===----------------------------------------------------------------------===//

#include "frontend/Importer.h"

#include "ir/NNDialect.h"
#include "ir/Signature.h"

using namespace mlir;

namespace netc::frontend {

Value Importer::newBuffer(Loc loc, const std::string &localName, RankedTensorType type,
                          DictionaryAttr init) {
  std::string name = qualify(localName);
  if (!checkWeight(loc, name, type, "buffer"))
    return nullptr;
  // One namespace for parameters and buffers: weight files hold both.
  for (auto *names : {&params, &buffers})
    if (auto it = names->find(name); it != names->end()) {
      error(loc) << "duplicate " << (names == &params ? "parameter" : "buffer") << " name '"
                 << name << "'; the first is at line " << it->second.second.line << ":"
                 << it->second.second.col;
      return nullptr;
    }
  Value arg = body->addArgument(type, location(loc));
  buffers[name] = {arg, loc};
  bufferNames[arg] = name;
  argAttrs.push_back(builder.getDictionaryAttr(
      {nn::roleAttr(builder.getContext(), nn::ArgRole::Buffer, name),
       builder.getNamedAttr(nn::NNDialect::InitAttrHelper::getNameStr(), init)}));
  return arg;
}

void Importer::updateBuffer(Loc loc, Value buffer, Value next) {
  auto name = bufferNames.find(buffer);
  if (name == bufferNames.end()) {
    error(loc) << "only a buffer (declared with 'state') can be updated with '<-'";
    return;
  }
  if (next.getType() != buffer.getType()) {
    error(loc) << "buffer '" << name->second << "' is " << describe(Val::ofTensor(loc, buffer))
               << ", but its update is " << describe(Val::ofTensor(loc, next));
    return;
  }
  for (const BufferUpdate &u : bufferUpdates)
    if (u.name == name->second) {
      error(loc) << "buffer '" << name->second << "' is updated twice; the first update is at line "
                 << u.loc.line << ":" << u.loc.col;
      return;
    }
  bufferUpdates.push_back(BufferUpdate{name->second, next, loc, std::nullopt});
}

void Importer::importUpdate(const AssignStmt &update) {
  Val next = eval(*update.value);
  // A buffer of the enclosing block call first, then of the model.
  auto buffer = buffers.find(qualify(update.name));
  if (buffer == buffers.end())
    buffer = buffers.find(update.name);
  if (buffer == buffers.end()) {
    bool bound = bindings.count(update.name) || constants.count(update.name);
    error(update.loc) << "'" << update.name << "' "
                      << (bound ? "is not a buffer" : "is not defined")
                      << "; '<-' updates a buffer declared with 'state'";
    return;
  }
  if (next.isPoison())
    return;
  if (next.kind != Val::Kind::Tensor) {
    error(update.value->loc) << "the update of buffer '" << update.name
                             << "' must be a tensor, got " << describe(next);
    return;
  }
  size_t before = bufferUpdates.size();
  updateBuffer(update.loc, buffer->second.first, next.tensor);
  if (bufferUpdates.size() > before)
    bufferUpdates.back().explicitLoc = update.loc;
}

void Importer::finishBuffers(const ModelDecl &model) {
  if (trainLoc || trainedLater) {
    for (const auto &[loc, message] : trainOnlyErrors)
      error(loc) << message;
    return;
  }
  for (const BufferUpdate &u : bufferUpdates)
    if (u.explicitLoc)
      error(*u.explicitLoc) << "'<-' gives buffer '" << u.name
                            << "' its value after each train step, but model '" << model.name
                            << "' has no 'train'";
}

} // namespace netc::frontend
