//===- Inference.cpp ----------------------------------------------------------===//

#include "ir/NNOps.h"
#include "passes/Passes.h"

namespace netc {
#define GEN_PASS_DEF_NNINFERENCE
#include "passes/Passes.h.inc"
} // namespace netc

namespace {
struct InferencePass : public netc::impl::NNInferenceBase<InferencePass> {
  void runOnOperation() override {}
};
} // namespace
