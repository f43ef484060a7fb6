//===- FuseDropout.cpp - one dropout for a chain of dropouts --------------===//
//
// Two inverted dropouts in a row keep an element with probability
// (1 - p1)(1 - p2) and scale kept elements by 1 / ((1 - p1)(1 - p2)): exactly
// one dropout with q = 1 - (1 - p1)(1 - p2). This pass rewrites maximal chains
// at once, so a chain of n dropouts costs one mask instead of n.
//
//===----------------------------------------------------------------------===//

#include "ir/NNOps.h"
#include "passes/Passes.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/Support/Error.h"

#include <cstdio>

namespace netc {
#define GEN_PASS_DEF_NNFUSEDROPOUT
#include "passes/Passes.h.inc"
} // namespace netc

using namespace mlir;
using namespace netc::nn;

namespace {

/// The probability q of the single dropout equivalent to dropouts whose keep
/// probabilities multiply to `keep`.
///
/// The product is kept in quadruple precision, where the product of two
/// doubles is exact. The probabilities themselves come from decimal literals
/// in the .net file, and the product of their binary approximations differs
/// from the decimal product in the 17th digit (0.15, 0.35 and 0.05 give
/// q = 0.47512499999999996 in exact arithmetic, not 0.475125). So the keep
/// probability is rounded to 15 significant digits, which recovers the
/// decimal product whenever it has at most 15 digits (as it does for literals
/// of a few digits) and otherwise changes it by under 5e-15 of its value, far
/// below what a random mask can resolve; q = 1 - keep is then rounded to
/// double once. Rounding the keep probability rather than q bounds the
/// relative error of 1 / (1 - q), the scale of kept elements, even when q is
/// close to 1. Dumps read 0.28 for 0.1 and 0.2.
APFloat toProbability(const APFloat &keep) {
  const llvm::fltSemantics &quad = APFloat::IEEEquad();
  APFloat keepDouble = keep;
  bool losesInfo = false;
  keepDouble.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &losesInfo);
  char digits[32];
  std::snprintf(digits, sizeof(digits), "%.14e", keepDouble.convertToDouble());
  APFloat rounded(quad);
  auto status = rounded.convertFromString(digits, APFloat::rmNearestTiesToEven);
  if (!status) {
    // Not expected (the C locale writes a decimal point); keep full precision.
    llvm::consumeError(status.takeError());
    rounded = keep;
  }
  APFloat q(quad, 1);
  q.subtract(rounded, APFloat::rmNearestTiesToEven);
  q.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &losesInfo);
  return q;
}

/// The keep probability 1 - p of a dropout, in quadruple precision.
APFloat keepProbability(DropoutOp op) {
  APFloat p = op.getP();
  bool losesInfo = false;
  p.convert(APFloat::IEEEquad(), APFloat::rmNearestTiesToEven, &losesInfo);
  APFloat keep(APFloat::IEEEquad(), 1);
  keep.subtract(p, APFloat::rmNearestTiesToEven);
  return keep;
}

/// Whether `next` may absorb `prev`, the producer of its input.
///
/// The intermediate value must have no other use: a branch that reads it sees
/// the mask of `prev` alone, which a fused op no longer computes.
///
/// Seeds: the mask of a training-form dropout is a pure function of its seed
/// operand and the element index, and the backward pass recomputes it from
/// that operand. We fuse when neither op has a seed (both inference form) or
/// both take the same SSA seed value. Then the fused op (the last link, which
/// already takes that seed) has one unambiguous seed, and forward and backward
/// recompute one and the same mask from it: the mask of dropout(q), which is
/// the law of a chain of independent dropouts, the meaning of the source
/// program. (Unfused, two dropouts of one seed would even derive their masks
/// from the same stream.) The exact mask bits change, as with any fusion, and
/// are not part of the contract. We do not fuse when the seeds differ: the
/// fused op could keep only one of them, and the other random stream would
/// silently disappear from the program. A seeded op next to an unseeded one
/// is a training-form dropout beside an identity; fusing them would make the
/// identity drop elements, so we do not.
bool canFuse(DropoutOp prev, DropoutOp next) {
  return next.getInput() == prev.getResult() && prev.getResult().hasOneUse() &&
         prev.getSeed() == next.getSeed() && prev.getType() == next.getType();
}

/// The dropout that may absorb `op` as the next link of a chain, if any.
DropoutOp fusableUser(DropoutOp op) {
  if (!op.getResult().hasOneUse())
    return {};
  auto next = dyn_cast<DropoutOp>(*op.getResult().getUsers().begin());
  return next && canFuse(op, next) ? next : DropoutOp();
}

struct FuseDropoutPass : public netc::impl::NNFuseDropoutBase<FuseDropoutPass> {
  void runOnOperation() override;

  /// Fuses the longest chain that starts at `head` into its last op, records
  /// the ops it erased in `erased`.
  void fuseChainFrom(DropoutOp head, llvm::DenseSet<Operation *> &erased);
};

void FuseDropoutPass::runOnOperation() {
  SmallVector<DropoutOp> dropouts;
  getOperation().walk([&](DropoutOp op) { dropouts.push_back(op); });

  // A dropout with p = 0 keeps everything and scales by one: it is its input.
  llvm::DenseSet<Operation *> erased;
  for (DropoutOp op : dropouts) {
    if (!op.getP().isZero())
      continue;
    op.getResult().replaceAllUsesWith(op.getInput());
    erased.insert(op);
    op.erase();
  }

  // Program order visits the head of every chain before its other links, so
  // each chain is fused once, from its head.
  for (DropoutOp op : dropouts)
    if (!erased.contains(op))
      fuseChainFrom(op, erased);
}

void FuseDropoutPass::fuseChainFrom(DropoutOp head, llvm::DenseSet<Operation *> &erased) {
  SmallVector<DropoutOp> chain = {head};
  APFloat keep = keepProbability(head);
  while (DropoutOp next = fusableUser(chain.back())) {
    APFloat longer = keep;
    longer.multiply(keepProbability(next), APFloat::rmNearestTiesToEven);
    // Keep probabilities are positive, so q < 1 in exact arithmetic; stop
    // before a chain so long that q would round to 1, which is no dropout.
    if (toProbability(longer).isExactlyValue(1.0))
      break;
    keep = longer;
    chain.push_back(next);
  }
  if (chain.size() < 2)
    return;

  // The last op survives, so its result keeps its uses; it reads the head's
  // input and takes the fused probability and every replaced location.
  DropoutOp last = chain.back();
  SmallVector<Location> locs;
  for (DropoutOp op : chain)
    locs.push_back(op.getLoc());
  last.getInputMutable().assign(head.getInput());
  last.setPAttr(FloatAttr::get(Float64Type::get(&getContext()), toProbability(keep)));
  last->setLoc(FusedLoc::get(&getContext(), locs));
  for (DropoutOp op : llvm::reverse(ArrayRef(chain).drop_back())) {
    erased.insert(op);
    op.erase();
  }
}

} // namespace
