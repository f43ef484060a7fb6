//===- Arena.h - buffers placed in one block by their lifetimes -*- C++ -*-===//
//
// Plain C++17. The temporaries of a chain (runtime/Chain.h) each live from
// the part that writes them to the last part that reads them; temporaries
// whose lifetimes do not overlap can share memory. planArena places them in
// one block: each at the lowest offset where it overlaps no placed buffer
// that is live at the same time, the largest first. The runtime plans a
// chain's block at its first call (Chain.cpp) and --emit=stats plans the same
// chain with the same function to predict the memory of a train step.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_RUNTIME_ARENA_H
#define NETC_RUNTIME_ARENA_H

#include "runtime/Chain.h"

#include <cstdint>
#include <vector>

namespace netc::runtime {

/// A buffer of `bytes` live from step `first` to step `last`, both included.
struct ArenaBlock {
  uint64_t bytes = 0;
  int first = 0, last = 0;
};

/// Where each block of a plan starts, and the bytes of the whole arena.
struct ArenaPlan {
  std::vector<uint64_t> offsets;
  uint64_t total = 0;
};

/// Places `blocks` in one arena: two blocks whose lifetimes overlap never
/// share a byte. Offsets are multiples of `align` (a power of two). Greedy,
/// largest block first, each at the lowest offset that fits; the total is at
/// least the most bytes live at one step and at most the sum of all blocks.
ArenaPlan planArena(const std::vector<ArenaBlock> &blocks, uint64_t align = 64);

/// The bytes a chain gives a temporary: its elements rounded up to 64 bytes,
/// and 64 more (a vector's worth past the end, for Halide's loads).
uint64_t chainTempBytes(const netc_tensor &temp);

/// The temporaries of `chain` as blocks: each lives from the first part that
/// refers to it (the part that writes it) to the last (the last that reads
/// it), steps being the parts' indices.
std::vector<ArenaBlock> chainBlocks(const netc_chain &chain);

} // namespace netc::runtime

#endif // NETC_RUNTIME_ARENA_H
