//===- ReceptiveField.cpp ----------------------------------------------------------===//

#include "ir/NNOps.h"
#include "passes/Passes.h"

namespace netc {
#define GEN_PASS_DEF_NNRECEPTIVEFIELD
#include "passes/Passes.h.inc"
} // namespace netc

namespace {
struct ReceptiveFieldPass : public netc::impl::NNReceptiveFieldBase<ReceptiveFieldPass> {
  void runOnOperation() override {}
};
} // namespace
