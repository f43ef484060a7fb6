//===- CApiShared.cpp - the C API of a model's shared library -------------===//
//
// One C function per entry of the checked core (CApi.h), taking the model's
// descriptor: only these and netc_shared_model are exported by a library of
// `netc --emit=so` (codegen/Artifact.cpp links the whole runtime into it).
// Functions given a NULL descriptor fail without touching it.
//
//===----------------------------------------------------------------------===//

#include "runtime/CApiShared.h"
#include "runtime/CApi.h"

#include <limits>

namespace capi = netc::runtime::capi;

namespace {
/// The message of a call given no descriptor.
const char *const kNoModel = "netc: the model descriptor is NULL";
} // namespace

extern "C" {

int netc_so_abi_version(void) { return NETC_SO_ABI_VERSION; }

void *netc_so_create(const netc_model *m, uint64_t seed) {
  return m ? capi::create(*m, seed) : nullptr;
}

void netc_so_destroy(const netc_model *m, void *ctx) {
  if (m)
    capi::destroy(*m, ctx);
}

int netc_so_forward(const netc_model *m, void *ctx, const void *const *inputs,
                    const size_t *input_bytes, void *const *outputs, const size_t *output_bytes) {
  return m ? capi::forward(*m, ctx, inputs, input_bytes, outputs, output_bytes) : -1;
}

int netc_so_train_step(const netc_model *m, void *ctx, int index, const void *const *inputs,
                       const size_t *input_bytes, double *loss) {
  return m ? capi::trainStepAt(*m, ctx, index, "train_step", inputs, input_bytes, loss) : -1;
}

int netc_so_compute_gradients(const netc_model *m, void *ctx, int index,
                              const void *const *inputs, const size_t *input_bytes, double *loss) {
  return m ? capi::computeGradients(*m, ctx, index, inputs, input_bytes, loss) : -1;
}

int netc_so_apply_gradients(const netc_model *m, void *ctx, int index) {
  return m ? capi::applyGradients(*m, ctx, index) : -1;
}

void *netc_so_gradient(const netc_model *m, void *ctx, int index, size_t *bytes) {
  return m ? capi::gradient(*m, ctx, index, bytes) : nullptr;
}

int netc_so_load_weights(const netc_model *m, void *ctx, const char *path) {
  return m ? capi::loadWeights(*m, ctx, path) : -1;
}

int netc_so_save_weights(const netc_model *m, void *ctx, const char *path) {
  return m ? capi::saveWeights(*m, ctx, path) : -1;
}

int netc_so_set_hyper(const netc_model *m, void *ctx, const char *name, double value) {
  return m ? capi::setHyper(*m, ctx, name, value) : -1;
}

double netc_so_get_hyper(const netc_model *m, const void *ctx, const char *name) {
  return m ? capi::getHyper(*m, ctx, name) : std::numeric_limits<double>::quiet_NaN();
}

int netc_so_get_tensor(const netc_model *m, void *ctx, int buffer, const char *name, void *data,
                       size_t bytes) {
  return m ? capi::copyTensor(*m, ctx, buffer != 0, name, data, bytes, /*write=*/false) : -1;
}

int netc_so_set_tensor(const netc_model *m, void *ctx, int buffer, const char *name,
                       const void *data, size_t bytes) {
  return m ? capi::copyTensor(*m, ctx, buffer != 0, name, const_cast<void *>(data), bytes,
                              /*write=*/true)
           : -1;
}

int64_t netc_so_steps(const netc_model *m, const void *ctx) {
  return m ? capi::steps(*m, ctx) : -1;
}

const char *netc_so_last_error(const netc_model *m, const void *ctx) {
  return m ? capi::lastError(*m, ctx) : kNoModel;
}

int netc_so_set_num_threads(const netc_model *m, int n) {
  return m ? capi::setNumThreads(*m, n) : -1;
}

} // extern "C"
