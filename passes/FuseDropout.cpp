//===- FuseDropout.cpp ----------------------------------------------------------===//

#include "ir/NNOps.h"
#include "passes/Passes.h"

namespace netc {
#define GEN_PASS_DEF_NNFUSEDROPOUT
#include "passes/Passes.h.inc"
} // namespace netc

namespace {
struct FuseDropoutPass : public netc::impl::NNFuseDropoutBase<FuseDropoutPass> {
  void runOnOperation() override {}
};
} // namespace
