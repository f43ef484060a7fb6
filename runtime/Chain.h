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

#ifdef __cplusplus
extern "C" {
#endif

/** An argument or result of a part: args[index] of the entry point when
 *  `temp` is 0, temporary buffer `index` of the chain otherwise. */
typedef struct netc_chain_ref {
  int32_t temp;
  int32_t index;
} netc_chain_ref;

/** One part: its `_argv` function and its arguments then results. */
typedef struct netc_chain_part {
  netc_entry_fn fn;
  int32_t num_refs;
  const netc_chain_ref *refs;
} netc_chain_part;

/** The parts of one entry point, run in order, and their temporaries. */
typedef struct netc_chain {
  int32_t num_temps;
  const netc_tensor *temps;
  int32_t num_parts;
  const netc_chain_part *parts;
} netc_chain;

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
