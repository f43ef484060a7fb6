//===- DriverParallel.cpp - data-parallel training under mpirun -----------===//
//
// `mpirun -np N ./model --train ...` (docs/distributed.md). Every rank holds
// the whole model; global batch k (of N * B samples, B the compiled batch) is
// drawn from the same shuffled order on every rank, and rank r trains on its
// rows [r * B, (r + 1) * B). A train step runs in its two compiled halves
// (Context::computeGradients, applyUpdate): between them one MPI allreduce
// over one fused buffer (every gradient, then the losses and metrics) sums
// them and each rank scales by 1 / N, so every rank applies the same update
// to the same parameters. Batch norm's running statistics follow PyTorch
// DDP: rank 0's are broadcast after every step. With --sync-bn (a model
// compiled with netc --sync-bn) the compiled batch norms normalize with the
// global batch's statistics: the chain of the train step averages them over
// the ranks (runtime/Chain.h's netc_set_replicas, an allreduce in f64), as
// torch.nn.SyncBatchNorm does. Rank 0 alone prints, logs, plots and saves;
// the others write nothing.
//
// Dropout: rank r draws its masks from the seed mixed with r (rank 0 keeps
// the seed itself), so the ranks' shards get independent masks.
//
//===----------------------------------------------------------------------===//

#include "runtime/DriverImpl.h"
#include "runtime/Chain.h"
#include "runtime/SplitMix64.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace netc::runtime::detail {

bool Driver::parseParallelFlag(const std::string &arg, bool hasValue,
                               const std::function<std::string()> &next) {
  if (arg == "--mpi-timeout") {
    std::string v = next();
    if (!parseNumber(v, par.timeout) || !(par.timeout > 0))
      fail("--mpi-timeout expects a number of seconds above 0, got '" + v + "' (try --help)", 2);
    return true;
  }
  if (arg == "--accumulate") {
    std::string v = next();
    if (!parsePositiveInteger(v, par.accumulate) || par.accumulate > 65536)
      fail("--accumulate expects a number of batches from 1 to 65536, got '" + v +
               "' (try --help)",
           2);
    return true;
  }
  if (arg == "--sync-bn" && !hasValue) {
    if (m.num_collectives == 0)
      fail(std::string("--sync-bn: model '") + m.name +
               "' was compiled without synchronized batch norm; compile it with netc --sync-bn",
           2);
    par.syncBn = true;
    return true;
  }
  return false;
}

void Driver::printParallelHelp() {
  std::printf(
      "\ndata-parallel training (docs/distributed.md): mpirun -np N %s --train ...\n"
      "  --mpi-timeout S       seconds a rank waits for the others in a collective before\n"
      "                        it stops with 'peer lost' (default 300)\n"
      "  --sync-bn             batch norms use the statistics of the global batch, as\n"
      "                        torch.nn.SyncBatchNorm (the model compiled with netc --sync-bn)\n"
      "  --accumulate K        a step averages the gradients of K batches (on every rank),\n"
      "                        exactly as K more ranks would\n",
      prog.c_str());
}

void Driver::openParallel() {
  if (!MpiWorld::launched())
    return;
  std::string error;
  par.world = MpiWorld::open(prog, error);
  if (!par.world)
    fail(error);
  par.world->setTimeout(par.timeout);
  par.rank = par.world->rank();
  par.size = par.world->size();
  if (par.rank == 0)
    return;
  // Rank 0 alone prints and writes files.
  if (!std::freopen("/dev/null", "w", stdout))
    fail("rank " + std::to_string(par.rank) + ": cannot silence standard output");
  opt.saveWeights.clear();
  opt.outputs.clear();
  opt.log.clear();
  opt.gradStats.csv.clear();
  opt.training.plot.clear();
  opt.training.checkpoint.clear();
}

/// The bytes of a list of tensors, packed (broadcast from rank 0 as one message).
struct TensorBytes {
  std::vector<std::pair<void *, size_t>> parts;
  void add(void *data, const netc_tensor &t) {
    parts.push_back({data, static_cast<size_t>(numel(t)) * dtypeSize(t.dtype)});
  }
  size_t total() const {
    size_t n = 0;
    for (auto &p : parts)
      n += p.second;
    return n;
  }
};

void Driver::broadcastFromRoot(bool everything, const std::string &what) {
  TensorBytes list;
  for (int i = 0; everything && i < m.num_params; ++i)
    list.add(ctx->param(i), m.params[i]);
  for (int i = 0; everything && i < m.num_state; ++i)
    list.add(ctx->stateData(i), m.state[i]);
  for (int i = 0; i < m.num_buffers; ++i)
    list.add(ctx->buffer(i), m.buffers[i]);
  if (list.parts.empty())
    return;
  std::vector<uint8_t> &bytes = par.bytes;
  bytes.resize(list.total());
  size_t at = 0;
  for (auto &[data, n] : list.parts)
    std::memcpy(bytes.data() + at, data, n), at += n;
  std::string error;
  if (!par.world->broadcast(bytes.data(), bytes.size(), 0, what, error))
    fail(error);
  at = 0;
  for (auto &[data, n] : list.parts)
    std::memcpy(data, bytes.data() + at, n), at += n;
  ctx->touched();
}

/// netc_set_replicas's mean under mpirun: a sum in f64 over the ranks.
static int replicaMean(void *user, double *data, size_t count) {
  auto *par = static_cast<ParallelRun *>(user);
  std::string what = "the batch-norm statistics allreduce";
  if (!par->world->allreduceSum(data, count, what, par->collectiveError))
    return 1;
  for (size_t i = 0; i < count; ++i)
    data[i] /= par->size;
  return 0;
}

void Driver::startParallel() {
  if (par.syncBn) {
    if (par.accumulate > 1)
      fail("--sync-bn and --accumulate do not combine: the batches of one process are "
           "normalized one at a time",
           2);
    if (parallel())
      netc_set_replicas(par.size, replicaMean, &par);
  }
  if (!parallel() && par.accumulate == 1)
    return;
  for (int k : run.chosen)
    if (!ctx->hasGradientSplit(k))
      fail(std::string("model '") + m.name + "' cannot train " +
           (parallel() ? "under mpirun" : "with --accumulate") +
           ": its train step was compiled without separate gradient and update functions "
           "(GPU targets)");
  // Every rank starts from rank 0's state, as PyTorch DDP does.
  if (parallel())
    broadcastFromRoot(true, "the initial weights");
  par.baseSeed = ctx->seed();
  ctx->setSeed(shardSeed(static_cast<uint64_t>(par.rank) * par.accumulate));
  for (int k : run.chosen) {
    const netc_train_step &step = ctx->trainStepInfo(k);
    std::vector<int> grads;
    for (int s = 0; s < step.num_slots; ++s)
      if (step.slots[s].kind == NETC_SLOT_GRAD)
        grads.push_back(step.slots[s].index);
    par.grads.push_back(grads);
  }
  // The sums run in f64 whatever the parameters' type: the sum of a few f32
  // gradients is then exact (up to 2^29 between their magnitudes), so it is
  // the same in whatever order MPI's algorithm adds them, and N ranks train
  // exactly as --accumulate N does. Networks with batch norm on small
  // batches amplify a rounding difference of 1e-7 to percents within a few
  // steps, so this is what makes a run reproducible. It doubles the bytes
  // sent (docs/distributed.md).
  par.f64 = true;
}

/// How moveFused moves values between the gradients and the fused buffer.
enum class Move { Set, Add, TakeScaled };

/// Moves the gradients of `grads`, then the values `extra`, into the fused
/// buffer `buf` (of the gradients' element type) or back, scaled.
template <typename T>
static void moveFused(Context &ctx, const netc_model &m, const std::vector<int> &grads,
                      std::vector<double> &extra, std::vector<T> &buf, Move move, double scale) {
  size_t at = 0;
  auto put = [&](double v) {
    buf[at] = static_cast<T>(move == Move::Add ? buf[at] + static_cast<T>(v) : static_cast<T>(v));
  };
  for (int i : grads) {
    size_t n = static_cast<size_t>(numel(m.params[i]));
    bool f64 = m.params[i].dtype == NETC_F64;
    void *g = ctx.gradData(i);
    for (size_t e = 0; e < n; ++e, ++at) {
      if (move != Move::TakeScaled)
        put(f64 ? static_cast<double *>(g)[e] : static_cast<float *>(g)[e]);
      else if (f64)
        static_cast<double *>(g)[e] = static_cast<double>(buf[at]) * scale;
      else
        static_cast<float *>(g)[e] = static_cast<float>(buf[at] * static_cast<T>(scale));
    }
  }
  for (double &v : extra) {
    if (move != Move::TakeScaled)
      put(v);
    else
      v = static_cast<double>(buf[at]) * scale;
    ++at;
  }
}

uint64_t Driver::shardSeed(uint64_t shard) const {
  return shard == 0 ? par.baseSeed : mix64(par.baseSeed + mix64(shard));
}

bool Driver::trainOn(size_t j, double &loss) {
  int index = run.chosen[j];
  uint64_t k = par.accumulate;
  if (!parallel() && k == 1)
    return ctx->trainStep(index, inputPtrs.data(), &loss);
  // This rank's shards r * K + s of the global batch, the last computed
  // first (s = 0): the buffer updates the update keeps are its own.
  const std::vector<int> &grads = par.grads[j];
  bool last = j + 1 == run.chosen.size();
  std::vector<double> extra;
  for (uint64_t s = k; s-- > 0;) {
    uint64_t shard = static_cast<uint64_t>(par.rank) * k + s;
    if (k > 1) {
      if (par.load)
        par.load(shard);
      ctx->setSeed(shardSeed(shard));
    }
    if (!ctx->computeGradients(index, inputPtrs.data(), &loss)) {
      if (!par.collectiveError.empty())
        fail(par.collectiveError);
      return false;
    }
    // The losses and, after the last step of a batch, the metrics travel
    // with the gradients: rank 0 prints the means over the global batch.
    extra.assign(1, loss);
    for (size_t q = 0; last && q < run.metrics.size(); ++q)
      extra.push_back(run.trainMetric[q] ? scalarOutput(run.metrics[q]) : 0.0);
    size_t count = extra.size();
    for (int i : grads)
      count += static_cast<size_t>(numel(m.params[i]));
    Move move = s + 1 == k ? Move::Set : Move::Add;
    if (par.f64)
      par.fused64.resize(count), moveFused(*ctx, m, grads, extra, par.fused64, move, 1.0);
    else
      par.fused32.resize(count), moveFused(*ctx, m, grads, extra, par.fused32, move, 1.0);
  }
  std::string what = "the gradient allreduce of step " + std::to_string(ctx->steps() + 1);
  std::string error;
  bool ok = !parallel() ||
            (par.f64 ? par.world->allreduceSum(par.fused64.data(), par.fused64.size(), what, error)
                     : par.world->allreduceSum(par.fused32.data(), par.fused32.size(), what, error));
  if (!ok)
    fail(error);
  double scale = 1.0 / (double(par.size) * double(k));
  if (par.f64)
    moveFused(*ctx, m, grads, extra, par.fused64, Move::TakeScaled, scale);
  else
    moveFused(*ctx, m, grads, extra, par.fused32, Move::TakeScaled, scale);
  loss = extra[0];
  if (last)
    par.metrics.assign(extra.begin() + 1, extra.end());
  if (!ctx->applyUpdate(index))
    return false;
  if (parallel())
    broadcastFromRoot(false, "the broadcast of the running statistics");
  return true;
}

double Driver::trainMetric(size_t k) const {
  if (!run.trainMetric[k])
    return NAN;
  return parallel() || par.accumulate > 1 ? par.metrics[k] : scalarOutput(run.metrics[k]);
}

} // namespace netc::runtime::detail
