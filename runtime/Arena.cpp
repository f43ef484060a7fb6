//===- Arena.cpp - buffers placed in one block by their lifetimes ---------===//
//
// Greedy interval placement: the blocks in order of decreasing size (ties:
// the earlier-living first, then the lower index, so a plan never depends on
// the sort's whims), each at the lowest aligned offset free of the blocks
// already placed that live at an overlapping step. A chain has a few hundred
// temporaries at most, so the quadratic scan costs nothing next to a step.
//
//===----------------------------------------------------------------------===//

#include "runtime/Arena.h"
#include "runtime/Tensors.h"

#include <algorithm>
#include <numeric>

namespace netc::runtime {

namespace {

uint64_t roundUp(uint64_t n, uint64_t align) { return (n + align - 1) / align * align; }

bool overlap(const ArenaBlock &a, const ArenaBlock &b) {
  return a.first <= b.last && b.first <= a.last;
}

} // namespace

ArenaPlan planArena(const std::vector<ArenaBlock> &blocks, uint64_t align) {
  ArenaPlan plan;
  plan.offsets.assign(blocks.size(), 0);
  std::vector<size_t> order(blocks.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (blocks[a].bytes != blocks[b].bytes)
      return blocks[a].bytes > blocks[b].bytes;
    if (blocks[a].first != blocks[b].first)
      return blocks[a].first < blocks[b].first;
    return a < b;
  });
  std::vector<size_t> placed;
  std::vector<size_t> live; // the placed blocks overlapping the one being placed
  for (size_t i : order) {
    const ArenaBlock &block = blocks[i];
    live.clear();
    for (size_t j : placed)
      if (overlap(block, blocks[j]))
        live.push_back(j);
    std::sort(live.begin(), live.end(),
              [&](size_t a, size_t b) { return plan.offsets[a] < plan.offsets[b]; });
    uint64_t offset = 0;
    for (size_t j : live) {
      if (offset + block.bytes <= plan.offsets[j])
        break;
      offset = std::max(offset, roundUp(plan.offsets[j] + blocks[j].bytes, align));
    }
    plan.offsets[i] = offset;
    plan.total = std::max(plan.total, offset + block.bytes);
    placed.push_back(i);
  }
  return plan;
}

uint64_t chainTempBytes(const netc_tensor &temp) {
  uint64_t bytes = static_cast<uint64_t>(numel(temp)) * dtypeSize(temp.dtype);
  return roundUp(bytes, 64) + 64;
}

std::vector<ArenaBlock> chainBlocks(const netc_chain &chain) {
  std::vector<ArenaBlock> blocks(chain.num_temps);
  std::vector<bool> seen(chain.num_temps, false);
  for (int t = 0; t < chain.num_temps; ++t)
    blocks[t].bytes = chainTempBytes(chain.temps[t]);
  for (int k = 0; k < chain.num_parts; ++k) {
    const netc_chain_part &part = chain.parts[k];
    for (int i = 0; i < part.num_refs; ++i) {
      const netc_chain_ref &ref = part.refs[i];
      if (!ref.temp)
        continue;
      ArenaBlock &block = blocks[ref.index];
      if (!seen[ref.index])
        block.first = k;
      seen[ref.index] = true;
      block.last = k;
    }
  }
  return blocks;
}

} // namespace netc::runtime
