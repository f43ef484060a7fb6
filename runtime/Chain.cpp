//===- Chain.cpp - entry points run as a chain of parts -------------------===//
//
// Temporaries live in one block per chain and thread (64-byte aligned, not
// zeroed: a part writes every element of its results), planned by liveness
// (runtime/Arena.h): a temporary lives from the part that writes it to the
// last part that reads it, and temporaries that never live at the same time
// share memory. The block is allocated at a thread's first call of a chain
// and kept for its later calls: fresh large blocks would cost a page fault
// per page on every call. Being per thread, a chain, like any Halide entry
// point, can run on several threads for distinct contexts.
//
//===----------------------------------------------------------------------===//

#include "runtime/Chain.h"
#include "runtime/Arena.h"
#include "runtime/Buffers.h"
#include "runtime/Tensors.h"

#include <cstdlib>
#include <memory>
#include <unordered_map>
#include <vector>

using namespace netc::runtime;

namespace {

struct FreeAligned {
  void operator()(void *p) const { std::free(p); }
};

/// The temporaries of one chain on one thread.
struct Temps {
  std::vector<halide_buffer_t> buffers;
  std::vector<std::vector<halide_dimension_t>> dims;
  std::unique_ptr<void, FreeAligned> arena;

  bool allocate(const netc_chain &chain) {
    int count = chain.num_temps;
    ArenaPlan plan = planArena(chainBlocks(chain));
    buffers.assign(count, halide_buffer_t());
    dims.assign(count, {});
    if (count == 0)
      return true;
    arena.reset(std::aligned_alloc(64, plan.total));
    if (!arena)
      return false;
    for (int t = 0; t < count; ++t) {
      describeBuffer(chain.temps[t], buffers[t], dims[t]);
      buffers[t].host = static_cast<uint8_t *>(arena.get()) + plan.offsets[t];
    }
    return true;
  }
};

/// netc_set_replicas's communicator.
struct Replicas {
  int32_t count = 1;
  netc_replica_mean_fn mean = nullptr;
  void *user = nullptr;
} replicas;

/// A collective part on its buffers (args: operand then result, dense).
int runCollective(const netc_chain_part &part, void *const *argv) {
  auto *out = static_cast<halide_buffer_t *>(argv[part.num_refs - 1]);
  bool f64 = out->type.bits == 64;
  size_t n = out->number_of_elements();
  std::vector<double> values(n, static_cast<double>(replicas.count));
  if (part.collective == NETC_COLLECTIVE_REPLICA_MEAN) {
    const auto *in = static_cast<const halide_buffer_t *>(argv[0]);
    for (size_t i = 0; i < n; ++i)
      values[i] = f64 ? reinterpret_cast<const double *>(in->host)[i]
                      : static_cast<double>(reinterpret_cast<const float *>(in->host)[i]);
    if (replicas.count > 1 && replicas.mean)
      if (int rc = replicas.mean(replicas.user, values.data(), n))
        return rc;
  } else if (part.collective != NETC_COLLECTIVE_REPLICA_COUNT) {
    return -1;
  }
  for (size_t i = 0; i < n; ++i)
    if (f64)
      reinterpret_cast<double *>(out->host)[i] = values[i];
    else
      reinterpret_cast<float *>(out->host)[i] = static_cast<float>(values[i]);
  return 0;
}

} // namespace

extern "C" void netc_set_replicas(int32_t count, netc_replica_mean_fn mean, void *user) {
  replicas = Replicas{count > 1 && mean ? count : 1, mean, user};
}

extern "C" int netc_run_chain(const netc_chain *chain, void **args) {
  return netc_run_chain_range(chain, args, 0, chain->num_parts);
}

extern "C" int netc_run_chain_range(const netc_chain *chain, void **args, int begin, int end) {
  thread_local std::unordered_map<const netc_chain *, std::unique_ptr<Temps>> cache;
  std::unique_ptr<Temps> &temps = cache[chain];
  if (!temps) {
    auto fresh = std::make_unique<Temps>();
    if (!fresh->allocate(*chain))
      return -1;
    temps = std::move(fresh);
  }
  std::vector<void *> argv;
  for (int k = begin; k < end; ++k) {
    const netc_chain_part &part = chain->parts[k];
    argv.assign(part.num_refs, nullptr);
    for (int i = 0; i < part.num_refs; ++i) {
      const netc_chain_ref &ref = part.refs[i];
      argv[i] = ref.temp ? static_cast<void *>(&temps->buffers[ref.index]) : args[ref.index];
    }
    if (int rc = part.fn ? part.fn(argv.data()) : runCollective(part, argv.data()))
      return rc;
  }
  return 0;
}
