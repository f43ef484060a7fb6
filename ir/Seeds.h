//===- Seeds.h - the seeds of dropouts and random draws ---------*- C++ -*-===//
//
// A train step (and a forward function that draws) has one i64 argument
// marked `nn.seed`. Every dropout and every draw (nn.rand, nn.randn) takes a
// seed derived from it by adding a constant, so that each draws from a
// stream of its own:
//
//   dropout k:  seed + k * 0x632BE59BD9B4E019
//   draw k:     seed + 0xD1B54A32D192ED03 + k * 0x632BE59BD9B4E019
//
// (modulo 2^64; k counts the ops of each kind in program order from 0). Two
// streams coincide only if (k1 - k2) * 0x632BE59BD9B4E019 equals the draws'
// base modulo 2^64, which takes k1 - k2 of about 2^63: never in a model.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_IR_SEEDS_H
#define NETC_IR_SEEDS_H

#include "mlir/IR/Builders.h"

#include <cstdint>

namespace netc::nn {

/// The kinds of ops that take a seed, each with its own streams.
enum class SeedStream { Dropout, Draw };

/// The constant added to the step's seed for op number `k` of `stream`.
uint64_t seedOffset(SeedStream stream, uint64_t k);

/// The seed of op number `k` of `stream`: `seed` itself when the offset is
/// 0, else `arith.addi seed, offset` built at the builder's insertion point.
mlir::Value deriveSeed(mlir::OpBuilder &builder, mlir::Location loc, mlir::Value seed,
                       SeedStream stream, uint64_t k);

} // namespace netc::nn

#endif // NETC_IR_SEEDS_H
