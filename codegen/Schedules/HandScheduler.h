//===- HandScheduler.h - the CPU hand schedule, internals -------*- C++ -*-===//
//
// Internal to codegen/Schedules/: the register tiles the hand schedule
// chooses (Tiles.cpp) and the scheduler itself, whose parts live in
// HandScheduler.cpp (inlining, defaults, contractions) and
// ConvSchedules.cpp (convolutions and their gradients).
//
//===----------------------------------------------------------------------===//

#ifndef NETC_CODEGEN_SCHEDULES_HANDSCHEDULER_H
#define NETC_CODEGEN_SCHEDULES_HANDSCHEDULER_H

#include "codegen/Lowering.h"
#include "codegen/Schedules/LayerTune.h"

#include "llvm/ADT/SmallPtrSet.h"

#include <initializer_list>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace netc::codegen::hand {

// Internal to the schedules: the names their files use unqualified.
using Halide::Func;
using Halide::Stage;
using Halide::Target;
using Halide::VarOrRVar;
using llvm::ArrayRef;
using llvm::DenseMap;
using llvm::SmallPtrSet;
using llvm::SmallVectorImpl;
using mlir::Operation;
using mlir::Value;

/// Below this many multiply-adds (or elements for data movement) a loop nest
/// runs on one thread: waking the thread pool and joining it costs tens of
/// microseconds, which small layers (mlpirate's 64x128x128) do not repay.
constexpr int64_t kParallelWork = 1 << 22;
constexpr int64_t kParallelElements = 1 << 18;
/// Elementwise values this small may be computed twice (by a result and by
/// another consumer) rather than stored once.
constexpr int64_t kSmallElements = 1 << 15;
/// A linear of fewer rows than this runs as dot products along its
/// reduction: below it, copying the weight transposed costs more than the
/// products (a copied element costs about a hundred multiply-adds).
constexpr int64_t kDotRows = 64;
/// Accumulator registers a tile may use (of 32 vector registers on AVX-512
/// and NEON).
constexpr int kMaxAccumulators = 24;

/// The cores of this machine (at least 1).
int hostCores();
/// The largest power of two at most `n` (and at least 1).
int floorPow2(int64_t n);

/// The fraction of work a tiling of `extent` by `tile` keeps (overlapping
/// last tiles recompute); 0 when the tile is larger (Tiles.cpp).
double tileEfficiency(int64_t extent, int tile);

/// A register tile: `rows` output channels (rows of a contraction),
/// `vectors` vectors of `lanes` along x, `yrows` output rows.
struct Tile {
  int rows = 1, lanes = 1, vectors = 1, yrows = 1;
  int cols() const { return lanes * vectors; }
  int accumulators() const { return rows * vectors * yrows; }
};

/// Chooses a tile for `channels` x `height` x `width` outputs (Tiles.cpp).
/// Vectors of `fullRateLanes` (default: the natural width) multiply-add as
/// many lanes per cycle as natural ones.
Tile chooseTile(int64_t channels, int64_t height, int64_t width, int naturalLanes,
                double inputCost, bool allowRows, int maxAccumulators = kMaxAccumulators,
                int fullRateLanes = 0);

/// Orders `s`'s loops (innermost first), vectorizes `vector` when `lanes` is
/// above 1 and unrolls `unrolled`: the loops of a register tile (Tiles.cpp).
void tileInRegisters(Stage s, const std::vector<VarOrRVar> &order, const VarOrRVar &vector,
                     int lanes, std::initializer_list<VarOrRVar> unrolled);

/// Row blocks per strip of a convolution's output (Tiles.cpp).
int64_t chooseStrip(int64_t rowBlocks, int64_t batch, int64_t most);

/// The output extents and work of a convolution or of its input gradient.
/// The reduction runs over (channels, ky, kx) of the weight [O, C/g, KH, KW]:
/// its input channels forward, its output channels (of a group) for the
/// input gradient.
struct ConvExtents {
  int rank = 0;
  int64_t channels = 0, height = 0, width = 0, batch = 1;
  Value weight;
  ArrayRef<int64_t> weightShape;
  int64_t reduced = 0, work = 0, stride = 1;
  bool forward = false;
};
/// The ConvExtents of a conv2d or conv2d_backward_input (ConvSchedules.cpp).
ConvExtents convExtents(Operation *op);

/// Schedules one CPU pipeline op by op (see Schedules.cpp for the rules).
class HandScheduler {
public:
  /// `fullRateF32Lanes`: the f32 lanes that multiply-add at the full rate
  /// (HostTune.h), or 0 for the natural width.
  /// `variants`: the schedule variant of ops that have several (LayerTune.h);
  /// ops absent, or a null map, get their default.
  HandScheduler(FunctionLowering &fl, int fullRateF32Lanes,
                const ScheduleVariants *variants = nullptr)
      : fl(fl), target(fl.target()), fullRateF32(fullRateF32Lanes), variants(variants) {
    cores = hostCores();
  }
  void run();

  /// How many schedule variants `op` has on `target` worth choosing between
  /// by measurement (1: nothing to choose). Variant 0 is the default.
  /// Convolution weight gradients of at least kTunedWork multiply-adds whose
  /// output rows are whole vectors: 0 keeps vectors along the output rows,
  /// 1 along the output channels (both possible: groups 1, output channels a
  /// multiple of 8 or more lanes).
  /// Convolutions and stride-1 input gradients of at least kTunedWork
  /// multiply-adds that channelConvPossible: 0 keeps vectors along the output
  /// rows, 1 along the output channels (ChannelConvSchedule.cpp); absent, the
  /// op takes channelConvByDefault.
  static int variantCount(Operation *op, const Target &target);
  /// Whether `op` may run vectorized along its output channels: a
  /// convolution or stride-1 input gradient of one group whose result
  /// channels are whole vectors.
  static bool channelConvPossible(Operation *op, const Target &target);
  /// The untuned choice between the two: channels where the rows are
  /// shorter than a vector.
  static bool channelConvByDefault(Operation *op, const Target &target);

private:
  /// Lanes of `f`'s type that run at the full multiply-add rate: the
  /// measured share of the natural width (a CPU that runs 512-bit
  /// multiply-adds as two 256-bit halves gets half, so that 8-lane vectors
  /// cost no throughput and tile widths like 56 without waste).
  int fullRateLanes(const Func &f) const {
    int natural = lanes(f);
    int naturalF32 = std::max(1, target.natural_vector_size(Halide::Float(32)));
    if (fullRateF32 <= 0 || fullRateF32 >= naturalF32)
      return natural;
    return std::max(1, natural * fullRateF32 / naturalF32);
  }
  int lanes(const Func &f) const {
    return std::max(1, target.natural_vector_size(f.value().type()));
  }
  bool isInlined(Operation *op) const { return inlined.count(op); }
  void decideInlining();
  /// The Funcs that call `v`'s Func once inlined Funcs are folded into
  /// their callers; false if a caller is not a Func of this pipeline.
  bool rootCallers(Value v, SmallVectorImpl<Func> &out) const;
  /// The elementwise Func that may own `lf`'s tiles, if there is one.
  std::optional<Func> fusableOwner(const LoweredFunc &lf) const;
  /// The Func whose loops own `lf`'s register tiles, computed at the root:
  /// the fusable owner, else a wrapper of `lf.func` that every consumer
  /// reads (sourceOf).
  Func tileOwner(const LoweredFunc &lf);
  /// What a schedule that copies `v` must read: the wrapper of its Func
  /// where tileOwner made one (the Func itself is computed inside the
  /// wrapper's tiles and nowhere else), else the Func.
  Func sourceOf(Value v) const;

  void scheduleConv(const LoweredFunc &lf);
  /// A convolution vectorized along its output channels (ChannelConvSchedule.cpp).
  void scheduleConvByChannel(const LoweredFunc &lf);
  /// A strided input gradient computed through its columns (ChannelConvSchedule.cpp).
  void scheduleConvColumns(const LoweredFunc &lf);
  /// The schedule variant chosen for `op`, or `otherwise` where none was.
  int variantOf(Operation *op, int otherwise) const {
    if (!variants)
      return otherwise;
    auto it = variants->find(op);
    return it == variants->end() ? otherwise : it->second;
  }
  void scheduleConvFilter(const LoweredFunc &lf);
  void scheduleConvFilterByChannel(const LoweredFunc &lf);
  void scheduleStridedConvInput(const LoweredFunc &lf);
  /// A Winograd convolution (WinogradSchedule.cpp).
  void scheduleWinograd(const LoweredFunc &lf);
  void scheduleContraction(const LoweredFunc &lf);
  /// A linear of fewer than kDotRows rows as dot products (ContractionSchedule.cpp).
  void scheduleLinearByDot(const LoweredFunc &lf);
  void scheduleDefault(const LoweredFunc &lf);
  bool scheduleRowReduction(const LoweredFunc &lf);
  /// Sums `red`'s rows of `row` elements (its innermost reduced axis, fused
  /// with the next when `two`) in vectors of partial sums (rfactor) that a
  /// last pass adds up; its kept axes (extents innermost first) are the
  /// parallel loop. False where the rows are shorter than a vector.
  bool sumRowsInVectors(Func red, int64_t row, bool two, const std::vector<int64_t> &keptExtents,
                        int64_t elements);
  void scheduleArgmax(const LoweredFunc &lf);
  /// A recurrence over time (RecurrentSchedule.cpp).
  void scheduleRecurrence(const LoweredFunc &lf);
  /// A recurrence gradient's nonlinearities, act(u, b, t) with u in [0, hidden).
  void scheduleActivations(Func act, int64_t hidden, ArrayRef<int64_t> shape);
  /// Vectorizes `f`'s innermost axis and spreads its outer axes over the
  /// cores when `work` (multiply-adds or so) is large.
  void vectorizeRoot(Func f, ArrayRef<int64_t> extentsInnerFirst, int64_t work);
  /// Makes the loop over `outerToInner[0]` parallel, fused with the next
  /// ones while there are fewer than a few tasks per core.
  void parallelOuter(Stage s, std::vector<VarOrRVar> outerToInner,
                     std::vector<int64_t> extents, int64_t work);

  FunctionLowering &fl;
  const Target &target;
  int cores = 1;
  int fullRateF32 = 0;
  const ScheduleVariants *variants = nullptr;
  DenseMap<Operation *, const LoweredFunc *> byOp;
  SmallPtrSet<Operation *, 32> inlined;
  std::set<std::string> owned; // Funcs scheduled as the owner of another's tiles
  std::map<std::string, Func> wrappers; // a Func's name -> the wrapper owning its tiles
};

} // namespace netc::codegen::hand

#endif // NETC_CODEGEN_SCHEDULES_HANDSCHEDULER_H
