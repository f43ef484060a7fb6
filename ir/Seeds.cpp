//===- Seeds.cpp - the seeds of dropouts and random draws -----------------===//

#include "ir/Seeds.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;

namespace netc::nn {

namespace {
/// The multiplier that spreads the seeds of successive ops apart (the 64-bit
/// golden-ratio constant of SplitMix64's relatives).
constexpr uint64_t kSeedStride = 0x632BE59BD9B4E019ULL;
/// Where the draws' streams start, far from every dropout's.
constexpr uint64_t kDrawBase = 0xD1B54A32D192ED03ULL;
} // namespace

uint64_t seedOffset(SeedStream stream, uint64_t k) {
  // Unsigned arithmetic wraps modulo 2^64, as arith.addi does at run time.
  return (stream == SeedStream::Draw ? kDrawBase : 0) + k * kSeedStride;
}

Value deriveSeed(OpBuilder &builder, Location loc, Value seed, SeedStream stream, uint64_t k) {
  uint64_t offset = seedOffset(stream, k);
  if (offset == 0)
    return seed;
  auto constant = builder.create<arith::ConstantOp>(
      loc, builder.getI64IntegerAttr(static_cast<int64_t>(offset)));
  return builder.create<arith::AddIOp>(loc, seed, constant);
}

} // namespace netc::nn
