//===- Queries.cpp - facts about nn values that several stages need -------===//

#include "ir/Queries.h"
#include "ir/NNOps.h"

#include <limits>

using namespace mlir;

namespace netc::nn {

std::pair<std::string, unsigned> dslSource(Location loc) {
  std::string name;
  unsigned line = 0;
  loc->walk([&](Location l) {
    if (auto n = dyn_cast<NameLoc>(l); n && name.empty())
      name = n.getName().str();
    if (auto f = dyn_cast<FileLineColLoc>(l); f && line == 0)
      line = f.getLine();
    return WalkResult::advance();
  });
  return {name, line};
}

int64_t indexBound(Value indices) {
  int64_t bound = std::numeric_limits<int64_t>::max();
  auto classes = [](Value logits) {
    ArrayRef<int64_t> s = cast<RankedTensorType>(logits.getType()).getShape();
    return s.size() == 1 ? s[0] : s[1];
  };
  for (Operation *user : indices.getUsers()) {
    if (auto op = dyn_cast<EmbeddingOp>(user); op && op.getIndices() == indices)
      bound = std::min(bound, cast<RankedTensorType>(op.getWeight().getType()).getShape()[0]);
    if (auto op = dyn_cast<EmbeddingBackwardOp>(user); op && op.getIndices() == indices)
      bound = std::min(bound, static_cast<int64_t>(op.getNum()));
    if (auto op = dyn_cast<CrossEntropyOp>(user); op && op.getTarget() == indices)
      bound = std::min(bound, classes(op.getInput()));
    if (auto op = dyn_cast<CrossEntropyBackwardOp>(user); op && op.getTarget() == indices)
      bound = std::min(bound, classes(op.getInput()));
    // The class targets of nll_loss, its gradient and accuracy.
    auto classTarget = [&](auto op) {
      if (op && op.getTarget() == indices)
        bound = std::min(bound, classes(op.getInput()));
    };
    classTarget(dyn_cast<NllLossOp>(user));
    classTarget(dyn_cast<NllLossBackwardOp>(user));
    classTarget(dyn_cast<AccuracyOp>(user));
  }
  return bound == std::numeric_limits<int64_t>::max() ? 0 : bound;
}

} // namespace netc::nn
