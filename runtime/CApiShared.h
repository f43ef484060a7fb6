/*===- CApiShared.h - the C API of a model's shared library -----*- C -*-===//
 *
 * Plain C. `netc --emit=so` links a model, its descriptor and the runtime into
 * one shared library that exports only the functions below: the same ones in
 * every model's library, each taking the model's descriptor, so that a
 * program (the Python module `netc`) can open any model's library with
 * dlopen, find these names with dlsym and learn the model's tensors from the
 * descriptor (runtime/Model.h) that netc_shared_model returns. They forward to
 * the checked core of the generated C API (runtime/CApi.h): -1 (NULL from
 * create) on failure, with the message in netc_so_last_error.
 *
 *===----------------------------------------------------------------------===*/

#ifndef NETC_RUNTIME_CAPISHARED_H
#define NETC_RUNTIME_CAPISHARED_H

#include "runtime/Model.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The version of this interface; a caller refuses a library of another. */
#define NETC_SO_ABI_VERSION 1

/** The library's model (written by netc into each library). */
const netc_model *netc_shared_model(void);

int netc_so_abi_version(void);
void *netc_so_create(const netc_model *m, uint64_t seed);
void netc_so_destroy(const netc_model *m, void *ctx);
int netc_so_forward(const netc_model *m, void *ctx, const void *const *inputs,
                    const size_t *input_bytes, void *const *outputs, const size_t *output_bytes);
/** Train step `index` (0 in models with one loss; else netc_model::train_steps). */
int netc_so_train_step(const netc_model *m, void *ctx, int index, const void *const *inputs,
                       const size_t *input_bytes, double *loss);
/** The halves of train step `index` and the gradient storage of parameter
 *  `index` (runtime/CApi.h); added within ABI version 1, so callers look
 *  them up as optional. */
int netc_so_compute_gradients(const netc_model *m, void *ctx, int index,
                              const void *const *inputs, const size_t *input_bytes, double *loss);
int netc_so_apply_gradients(const netc_model *m, void *ctx, int index);
void *netc_so_gradient(const netc_model *m, void *ctx, int index, size_t *bytes);
int netc_so_load_weights(const netc_model *m, void *ctx, const char *path);
int netc_so_save_weights(const netc_model *m, void *ctx, const char *path);
int netc_so_set_hyper(const netc_model *m, void *ctx, const char *name, double value);
/** NaN for an unknown name. */
double netc_so_get_hyper(const netc_model *m, const void *ctx, const char *name);
/** Parameter (`buffer` 0) or buffer (`buffer` 1) `name` into `data`, `bytes` long. */
int netc_so_get_tensor(const netc_model *m, void *ctx, int buffer, const char *name, void *data,
                       size_t bytes);
/** The same from `data` into the context. */
int netc_so_set_tensor(const netc_model *m, void *ctx, int buffer, const char *name,
                       const void *data, size_t bytes);
/** The number of train steps run; -1 for a context that is not live. */
int64_t netc_so_steps(const netc_model *m, const void *ctx);
const char *netc_so_last_error(const netc_model *m, const void *ctx);
int netc_so_set_num_threads(const netc_model *m, int n);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* NETC_RUNTIME_CAPISHARED_H */
