//===- Tiles.cpp - register tiles of the CPU hand schedule ----------------===//

#include "codegen/Schedules/HandScheduler.h"

#include <algorithm>
#include <thread>

namespace netc::codegen::hand {

int hostCores() { return std::max(1, static_cast<int>(std::thread::hardware_concurrency())); }


/// The largest power of two at most `n` (and at least 1), capped at 2^30 so
/// that it fits an int: callers take the smaller of it and a vector width.
int floorPow2(int64_t n) {
  int64_t p = 1;
  while (p <= (1 << 29) && 2 * p <= n)
    p *= 2;
  return static_cast<int>(p);
}

double tileEfficiency(int64_t extent, int tile) {
  if (tile > extent)
    return 0.0;
  int64_t tiles = (extent + tile - 1) / tile;
  return static_cast<double>(extent) / static_cast<double>(tiles * tile);
}

/// Chooses a tile for `channels` x `height` x `width` outputs. Each step of
/// the reduction loads `vectors * yrows` input vectors (`inputCost` each: a
/// strided input costs shuffles) and broadcasts `rows` weights for
/// `accumulators` multiply-adds. The score prefers full vectors, enough
/// independent accumulators to hide the FMA latency, little recomputation at
/// the edges, then few loads per multiply-add. Lanes are powers of two.
Tile chooseTile(int64_t channels, int64_t height, int64_t width, int naturalLanes,
                double inputCost, bool allowRows, int maxAccumulators, int fullRateLanes) {
  // Vectors of fullRateLanes multiply-add as many lanes per cycle as the
  // natural ones (a CPU whose wide units are two narrower ones).
  if (fullRateLanes <= 0)
    fullRateLanes = naturalLanes;
  Tile best;
  double bestScore = -1e9;
  for (int lanes = naturalLanes; lanes >= 1; lanes /= 2) {
    for (int rows = 1; rows <= std::min<int64_t>(channels, 32); ++rows) {
      if (channels % rows)
        continue;
      for (int vectors = 1; vectors <= 6; ++vectors) {
        for (int yrows : {1, 2, 4}) {
          if (yrows > 1 && (!allowRows || yrows > height))
            continue;
          Tile t{rows, lanes, vectors, yrows};
          int acc = t.accumulators();
          if (acc > maxAccumulators || t.cols() > width)
            continue;
          double eff = tileEfficiency(width, t.cols()) * tileEfficiency(height, yrows);
          double score = eff * std::min(1.0, static_cast<double>(lanes) / fullRateLanes) *
                             std::min(1.0, acc / 8.0) -
                         0.01 * (vectors * yrows * inputCost + rows) / acc;
          if (score > bestScore) {
            bestScore = score;
            best = t;
          }
        }
      }
    }
  }
  return best;
}

/// Row blocks per strip of a convolution's output (the padded input is kept
/// per strip): at most `most`, few enough for a few strips per core,
/// recomputing at most 3% of the rows where the last strip overlaps.
int64_t chooseStrip(int64_t rowBlocks, int64_t batch, int64_t most) {
  int cores = hostCores();
  for (int64_t s = std::max<int64_t>(1, std::min(most, rowBlocks)); s > 1; --s) {
    int64_t strips = (rowBlocks + s - 1) / s;
    if (batch * strips < 4 * cores)
      continue;
    if (static_cast<double>(strips * s - rowBlocks) <= 0.03 * static_cast<double>(rowBlocks))
      return s;
  }
  return 1;
}

void tileInRegisters(Stage s, const std::vector<VarOrRVar> &order, const VarOrRVar &vector,
                     int lanes, std::initializer_list<VarOrRVar> unrolled) {
  s.reorder(order);
  if (lanes > 1)
    s.vectorize(vector);
  for (const VarOrRVar &v : unrolled)
    s.unroll(v);
}

} // namespace netc::codegen::hand
