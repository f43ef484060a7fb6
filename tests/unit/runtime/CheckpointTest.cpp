//===- CheckpointTest.cpp - saving and resuming the training state --------===//
//
// A hand-written descriptor with a parameter, a buffer, optimizer state and
// two hyperparameters (no compiled code: checkpoints only move memory)
// drives runtime/Checkpoint.h: a round trip restores everything, and every
// kind of bad file is refused with a message naming it while the context
// stays as it was.
//
//===----------------------------------------------------------------------===//

#include "runtime/Checkpoint.h"
#include "runtime/Context.h"
#include "runtime/FileIO.h"
#include "runtime/Safetensors.h"

#include "ScratchFolder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <string>
#include <vector>

using namespace netc::runtime;

namespace {

const int64_t kShapeW[] = {2, 3};
const int64_t kShapeB[] = {3};
const netc_tensor kParams[] = {{"w", NETC_F32, 2, kShapeW, NETC_INIT_UNIFORM, -1, 1, 0}};
const netc_tensor kBuffers[] = {{"bn.mean", NETC_F64, 1, kShapeB, NETC_INIT_CONSTANT, 0, 0, 0}};
const netc_tensor kState[] = {{"w.m", NETC_F32, 2, kShapeW, NETC_INIT_CONSTANT, 0, 0, 0}};
const netc_hyper kHypers[] = {{"lr", 0.01, 0}, {"momentum", 0.9, 0}};

/// A model of one parameter, buffer and state tensor, named `name`.
netc_model makeModel(const char *name) {
  netc_model m{};
  m.name = name;
  m.num_params = 1;
  m.params = kParams;
  m.num_buffers = 1;
  m.buffers = kBuffers;
  m.num_state = 1;
  m.state = kState;
  m.num_hypers = 2;
  m.hypers = kHypers;
  return m;
}
const netc_model kModel = makeModel("toy");
const netc_model kOther = makeModel("other");

/// Everything a checkpoint holds, copied out of a context.
struct Snapshot {
  std::vector<float> w, m;
  std::vector<double> mean, hypers;
  uint64_t steps = 0, seed = 0;

  explicit Snapshot(Context &ctx)
      : w(static_cast<float *>(ctx.param(0)), static_cast<float *>(ctx.param(0)) + 6),
        m(static_cast<float *>(ctx.stateData(0)), static_cast<float *>(ctx.stateData(0)) + 6),
        mean(static_cast<double *>(ctx.buffer(0)), static_cast<double *>(ctx.buffer(0)) + 3),
        hypers{ctx.hyper(0), ctx.hyper(1)}, steps(ctx.steps()), seed(ctx.seed()) {}
  bool operator==(const Snapshot &o) const {
    return w == o.w && m == o.m && mean == o.mean && hypers == o.hypers && steps == o.steps &&
           seed == o.seed;
  }
};

/// Gives every tensor of `ctx` values of its own.
void scribble(Context &ctx, float base) {
  for (int i = 0; i < 6; ++i) {
    static_cast<float *>(ctx.param(0))[i] = base + i;
    static_cast<float *>(ctx.stateData(0))[i] = -base - i;
  }
  for (int i = 0; i < 3; ++i)
    static_cast<double *>(ctx.buffer(0))[i] = base * 10 + i;
  ctx.setHyper(0, base / 100);
  ctx.setHyper(1, 0.5);
  ctx.setSteps(static_cast<uint64_t>(base) * 7);
}

class CheckpointTest : public ::testing::Test {
protected:
  void SetUp() override { ASSERT_TRUE(dir.create("checkpoint")); }
  void TearDown() override { dir.remove(); }

  /// Loads `path` into a fresh context and expects the error to contain
  /// every piece of `parts`, with the context unchanged.
  void expectRefused(const std::string &path, const std::vector<std::string> &parts) {
    Context ctx(kModel, 3);
    Snapshot before(ctx);
    TrainingPosition pos{11, 12, 13};
    std::string error;
    EXPECT_FALSE(loadCheckpoint(ctx, path, pos, error));
    for (const std::string &part : parts)
      EXPECT_NE(error.find(part), std::string::npos) << error << "\nlacks: " << part;
    EXPECT_TRUE(Snapshot(ctx) == before) << error;
    EXPECT_EQ(pos.epoch, 13u);
  }

  /// Saves a checkpoint of a scribbled context to `name`; returns its path.
  std::string saved(const std::string &name) {
    Context ctx(kModel, 5);
    scribble(ctx, 4);
    std::string error, path = dir.path(name);
    EXPECT_TRUE(saveCheckpoint(ctx, path, {5, 28, 2}, error)) << error;
    return path;
  }

  /// Writes a safetensors file of `tensors` and `meta` to `name`.
  std::string written(const std::string &name, const std::vector<SafetensorsTensorRef> &tensors,
                      const std::map<std::string, std::string> &meta) {
    std::string error, path = dir.path(name);
    EXPECT_TRUE(writeSafetensors(path, tensors, meta, error)) << error;
    return path;
  }

  netc::test::ScratchFolder dir;
};

TEST_F(CheckpointTest, RoundTripRestoresEverything) {
  Context a(kModel, 5);
  scribble(a, 4);
  std::string error, path = dir.path("a.safetensors");
  ASSERT_TRUE(saveCheckpoint(a, path, {77, 28, 2}, error)) << error;
  a.setSeed(77);
  Snapshot want(a);

  Context b(kModel, 9);
  TrainingPosition pos;
  ASSERT_TRUE(loadCheckpoint(b, path, pos, error)) << error;
  EXPECT_TRUE(Snapshot(b) == want);
  EXPECT_EQ(pos.seed, 77u);
  EXPECT_EQ(pos.step, 28u);
  EXPECT_EQ(pos.epoch, 2u);
  EXPECT_EQ(b.steps(), 28u);
  EXPECT_EQ(b.seed(), 77u);
  EXPECT_EQ(dir.files(), std::vector<std::string>{"a.safetensors"});

  // The weights part is a weights file: parameters and buffers load, the rest is passed over.
  Context c(kModel, 9);
  ASSERT_TRUE(c.loadWeights(path)) << c.lastError();
  EXPECT_EQ(std::memcmp(c.param(0), b.param(0), 6 * sizeof(float)), 0);
  EXPECT_EQ(std::memcmp(c.buffer(0), b.buffer(0), 3 * sizeof(double)), 0);
  EXPECT_EQ(c.hyper(0), 0.01);
  EXPECT_EQ(c.steps(), 0u);
}

TEST_F(CheckpointTest, LayoutKeepsStateApartFromWeights) {
  SafetensorsFile file;
  std::string error;
  ASSERT_TRUE(file.read(saved("l.safetensors"), error)) << error;
  std::vector<std::string> names;
  for (const SafetensorsEntry &e : file.tensors())
    names.push_back(e.name);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"bn.mean", "netc:hyper/lr", "netc:hyper/momentum",
                                             "netc:state/w.m", "w"}));
  EXPECT_EQ(file.metadata().at("netc_checkpoint"), "1");
  EXPECT_EQ(file.metadata().at("netc_model"), "toy");
  EXPECT_EQ(file.metadata().at("netc_step"), "28");
  EXPECT_EQ(file.metadata().at("netc_epoch"), "2");
  EXPECT_EQ(file.metadata().at("netc_seed"), "5");
  EXPECT_TRUE(isCheckpointStateName("netc:state/w.m"));
  EXPECT_FALSE(isCheckpointStateName("netc.w"));
}

TEST_F(CheckpointTest, WrongModelIsRefused) {
  Context other(kOther, 1);
  std::string error, path = dir.path("other.safetensors");
  ASSERT_TRUE(saveCheckpoint(other, path, {1, 0, 0}, error)) << error;
  expectRefused(path, {path, "of model 'other', not 'toy'"});
}

TEST_F(CheckpointTest, MismatchedTensorsAreRefused) {
  float w[6] = {}, m[6] = {}, wide[12] = {};
  double mean[3] = {}, lr = 0.1, momentum = 0.9, inf = 1.0 / 0.0;
  std::map<std::string, std::string> meta = {{"netc_checkpoint", "1"}, {"netc_model", "toy"},
                                             {"netc_seed", "1"},       {"netc_step", "2"},
                                             {"netc_epoch", "3"}};
  std::vector<SafetensorsTensorRef> good = {{"w", "F32", {2, 3}, w},
                                            {"bn.mean", "F64", {3}, mean},
                                            {"netc:state/w.m", "F32", {2, 3}, m},
                                            {"netc:hyper/lr", "F64", {}, &lr},
                                            {"netc:hyper/momentum", "F64", {}, &momentum}};
  // The hand-made good file loads: the refusals below are each for one fault.
  Context ctx(kModel, 1);
  TrainingPosition pos;
  std::string error;
  ASSERT_TRUE(loadCheckpoint(ctx, written("good.safetensors", good, meta), pos, error)) << error;
  EXPECT_EQ(pos.epoch, 3u);

  auto with = [&](size_t i, SafetensorsTensorRef ref) {
    std::vector<SafetensorsTensorRef> t = good;
    t[i] = std::move(ref);
    return t;
  };
  expectRefused(written("shape.safetensors", with(0, {"w", "F32", {4, 3}, wide}), meta),
                {"shape.safetensors", "tensor 'w'", "has shape [4, 3]", "expects [2, 3]"});
  expectRefused(written("dtype.safetensors", with(2, {"netc:state/w.m", "F64", {3}, mean}), meta),
                {"dtype.safetensors", "tensor 'netc:state/w.m'", "has dtype F64"});
  expectRefused(written("name.safetensors", with(1, {"bn.var", "F64", {3}, mean}), meta),
                {"name.safetensors", "tensor 'bn.var'", "is not a checkpoint tensor"});
  std::vector<SafetensorsTensorRef> missing(good.begin(), good.end() - 1);
  expectRefused(written("missing.safetensors", missing, meta),
                {"missing.safetensors", "tensor 'netc:hyper/momentum' is missing"});
  expectRefused(written("inf.safetensors", with(3, {"netc:hyper/lr", "F64", {}, &inf}), meta),
                {"inf.safetensors", "tensor 'netc:hyper/lr' is not finite"});

  std::map<std::string, std::string> badStep = meta;
  badStep["netc_step"] = "-1";
  expectRefused(written("step.safetensors", good, badStep),
                {"step.safetensors", "metadata 'netc_step' is '-1'"});
  std::map<std::string, std::string> version = meta;
  version["netc_checkpoint"] = "2";
  expectRefused(written("version.safetensors", good, version),
                {"version.safetensors", "version '2' is not supported"});
  expectRefused(written("weights.safetensors", good, {{"netc_model", "toy"}}),
                {"weights.safetensors", "not a netc checkpoint"});
}

TEST_F(CheckpointTest, TruncatedAndMissingFilesAreRefused) {
  std::string path = saved("t.safetensors");
  std::vector<uint8_t> bytes;
  std::string error;
  ASSERT_TRUE(readRegularFile(path, bytes, error)) << error;
  bytes.resize(bytes.size() - 5);
  std::string cut = dir.path("cut.safetensors");
  ASSERT_TRUE(writeFileAtomically(cut, bytes.data(), bytes.size(), error)) << error;
  expectRefused(cut, {cut});
  expectRefused(dir.path("none.safetensors"), {"none.safetensors"});
}

TEST_F(CheckpointTest, SaveRefusesOtherFormatsAndLeavesNothing) {
  Context ctx(kModel, 1);
  std::string error;
  EXPECT_FALSE(saveCheckpoint(ctx, dir.path("c.npz"), {}, error));
  EXPECT_NE(error.find("c.npz"), std::string::npos) << error;
  EXPECT_FALSE(saveCheckpoint(ctx, dir.path("no/such/c.safetensors"), {}, error));
  EXPECT_NE(error.find("c.safetensors"), std::string::npos) << error;
  EXPECT_TRUE(dir.files().empty());
}

} // namespace
