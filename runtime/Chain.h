/*===- Chain.h - entry points run as a chain of parts -----------*- C -*-===//
 *
 * Plain C (and C++). netc compiles a large function as several Halide
 * pipelines ("parts", codegen/Split.h) and generates, for its entry point, a
 * netc_chain that says which buffers each part reads and writes: the entry
 * point's own arguments and results, or temporary buffers for the values
 * that cross from one part to a later one. netc_run_chain is that entry
 * point's body.
 *
 *===----------------------------------------------------------------------===*/

#ifndef NETC_RUNTIME_CHAIN_H
#define NETC_RUNTIME_CHAIN_H

#include "runtime/Model.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** An argument or result of a part: args[index] of the entry point when
 *  `temp` is 0, temporary buffer `index` of the chain otherwise. */
typedef struct netc_chain_ref {
  int32_t temp;
  int32_t index;
} netc_chain_ref;

/** What a part without a function computes (codegen/Split.h): the mean of
 *  refs[0] over the data-parallel replicas into refs[1], or the number of
 *  replicas into refs[0]. */
enum {
  NETC_COLLECTIVE_NONE = 0,
  NETC_COLLECTIVE_REPLICA_MEAN = 1,
  NETC_COLLECTIVE_REPLICA_COUNT = 2
};

/** One part: its `_argv` function and its arguments then results; or, with
 *  `fn` NULL, a collective op (`collective`) the runtime computes. */
typedef struct netc_chain_part {
  netc_entry_fn fn;
  int32_t num_refs;
  const netc_chain_ref *refs;
  int32_t collective;
} netc_chain_part;

/** The parts of one entry point, run in order, and their temporaries. */
typedef struct netc_chain {
  int32_t num_temps;
  const netc_tensor *temps;
  int32_t num_parts;
  const netc_chain_part *parts;
} netc_chain;

/** Averages `count` values over the data-parallel replicas, in place, the
 *  same on every replica; returns 0 or an error code. */
typedef int (*netc_replica_mean_fn)(void *user, double *data, size_t count);

/** The replicas the collective parts of every chain work over, for the whole
 *  process: `count` of them, averaged by `mean`. At start, and with `count`
 *  1 or `mean` NULL, there is one: a mean is its operand, the count 1. */
void netc_set_replicas(int32_t count, netc_replica_mean_fn mean, void *user);

/** Runs the parts of `chain` on the entry point's `args` (as its `_argv`
 *  form receives them). Returns 0, or the first nonzero code of a part
 *  (Halide's error codes), or -1 when temporaries cannot be allocated. */
int netc_run_chain(const netc_chain *chain, void **args);

/** Runs parts [begin, end) of `chain` only, as netc_run_chain does: the
 *  gradient or the update half of a train step (codegen/Split.h). */
int netc_run_chain_range(const netc_chain *chain, void **args, int begin, int end);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* NETC_RUNTIME_CHAIN_H */
