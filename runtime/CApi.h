//===- CApi.h - the checked core of every generated C API -------*- C++ -*-===//
//
// Plain C++17. The C API of a generated library (NAME.h, written by
// codegen/ArtifactSource.cpp) forwards each call here with the model's
// descriptor, so that every model shares one implementation of the checks
// a C caller relies on:
//   - a NULL context, path or array is an error, never a crash;
//   - a context is live from NAME_create until NAME_destroy: a process-wide
//     registry (one per process, since this runtime is linked once) refuses
//     a destroyed, foreign or made-up pointer, and a second destroy is a
//     recorded no-op;
//   - every buffer comes with its size in bytes, which must equal the
//     tensor's, so a wrong buffer is refused before compiled code touches it;
//   - no C++ exception crosses the C boundary (bad_alloc included).
// Failures return -1 (NULL from create) and leave a message in the context,
// or, where there is no usable context, in the calling thread's last error,
// which NAME_last_error(NULL) returns.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_RUNTIME_CAPI_H
#define NETC_RUNTIME_CAPI_H

#include "runtime/Model.h"

#include <cstddef>
#include <cstdint>

namespace netc::runtime::capi {

/// NAME_create: a new registered context, or NULL (and a thread error).
void *create(const netc_model &m, uint64_t seed) noexcept;
/// NAME_destroy: frees a live context; NULL is ignored; anything else is a
/// no-op that records why in the thread's last error.
void destroy(const netc_model &m, void *ctx) noexcept;
/// NAME_forward: `inputs[i]` holds `inputBytes[i]` bytes of input i and
/// `outputs[j]` room for `outputBytes[j]` bytes of output j.
int forward(const netc_model &m, void *ctx, const void *const *inputs, const size_t *inputBytes,
            void *const *outputs, const size_t *outputBytes) noexcept;
/// NAME_train_step: inputs as for forward; `loss` may be NULL.
int trainStep(const netc_model &m, void *ctx, const void *const *inputs, const size_t *inputBytes,
              double *loss) noexcept;
/// NAME_train_step_LOSS of a model with several losses: train step `index`
/// (netc_model::train_steps), reported as `function` ("train_step_d").
int trainStepAt(const netc_model &m, void *ctx, int index, const char *function,
                const void *const *inputs, const size_t *inputBytes, double *loss) noexcept;
/// NAME_compute_gradients: the first half of train step `index` (inputs as
/// for forward); NAME_apply_gradients: its update from the gradients as
/// they are then (runtime/Context.h).
int computeGradients(const netc_model &m, void *ctx, int index, const void *const *inputs,
                     const size_t *inputBytes, double *loss) noexcept;
int applyGradients(const netc_model &m, void *ctx, int index) noexcept;
/// NAME_gradient: the storage of the gradient of parameter `index` (its
/// size in `*bytes` unless NULL), or NULL with the context's last error.
void *gradient(const netc_model &m, void *ctx, int index, size_t *bytes) noexcept;
/// NAME_load_weights and NAME_save_weights.
int loadWeights(const netc_model &m, void *ctx, const char *path) noexcept;
int saveWeights(const netc_model &m, void *ctx, const char *path) noexcept;
/// NAME_save_checkpoint and NAME_load_checkpoint (runtime/Checkpoint.h): the
/// whole training state with the context's seed and step count; a C API
/// caller counts no epochs, so the epoch saved is 0.
int saveCheckpoint(const netc_model &m, void *ctx, const char *path) noexcept;
int loadCheckpoint(const netc_model &m, void *ctx, const char *path) noexcept;
/// NAME_set_hyper / NAME_get_hyper: a run-time hyperparameter of the train
/// step ("lr", "momentum", "beta1", "beta2", "weight_decay"; "d.lr" in models
/// with several losses). get returns NaN for an unknown name or context.
int setHyper(const netc_model &m, void *ctx, const char *name, double value) noexcept;
double getHyper(const netc_model &m, const void *ctx, const char *name) noexcept;
/// NAME_last_error: the context's last message for a live context of `m`,
/// the calling thread's last message otherwise (NULL included). Never NULL.
const char *lastError(const netc_model &m, const void *ctx) noexcept;
/// NAME_set_num_threads: the previous number, or -1 for n < 0.
int setNumThreads(const netc_model &m, int n) noexcept;
/// NAME_input_bytes / NAME_output_bytes: the size in bytes of tensor
/// `index` of `list` (`count` long), 0 when out of range.
size_t tensorBytes(const netc_tensor *list, int count, int index) noexcept;

/// Copies parameter (or, with `buffer`, buffer) `name` of a live context
/// into `data` (`bytes` long, the tensor's size), or from it with `write`.
int copyTensor(const netc_model &m, void *ctx, bool buffer, const char *name, void *data,
               size_t bytes, bool write) noexcept;
/// The number of train steps a live context has run; -1 for another pointer.
int64_t steps(const netc_model &m, const void *ctx) noexcept;

/// Whether `ctx` is a live context (created and not yet destroyed).
bool isLive(const void *ctx);

} // namespace netc::runtime::capi

#endif // NETC_RUNTIME_CAPI_H
