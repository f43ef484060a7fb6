//===- Chain.cpp - entry points run as a chain of parts -------------------===//
//
// Temporaries live for one call: they are allocated (64-byte aligned, not
// zeroed: a part writes every element of its results) before the first part
// and freed after the last, so that a chain, like any Halide entry point,
// can run on several threads for distinct contexts.
//
//===----------------------------------------------------------------------===//

#include "runtime/Chain.h"
#include "runtime/Buffers.h"
#include "runtime/Tensors.h"

#include <cstdlib>
#include <memory>
#include <vector>

using namespace netc::runtime;

namespace {

struct FreeAligned {
  void operator()(void *p) const { std::free(p); }
};

} // namespace

extern "C" int netc_run_chain(const netc_chain *chain, void **args) {
  int count = chain->num_temps;
  std::vector<halide_buffer_t> temps(count, halide_buffer_t());
  std::vector<std::vector<halide_dimension_t>> dims(count);
  std::vector<std::unique_ptr<void, FreeAligned>> storage;
  for (int t = 0; t < count; ++t) {
    const netc_tensor &desc = chain->temps[t];
    size_t bytes = static_cast<size_t>(numel(desc)) * dtypeSize(desc.dtype);
    void *p = std::aligned_alloc(64, (bytes + 63) / 64 * 64 + 64);
    if (!p)
      return -1;
    storage.emplace_back(p);
    describeBuffer(desc, temps[t], dims[t]);
    temps[t].host = static_cast<uint8_t *>(p);
  }
  std::vector<void *> argv;
  for (int k = 0; k < chain->num_parts; ++k) {
    const netc_chain_part &part = chain->parts[k];
    argv.assign(part.num_refs, nullptr);
    for (int i = 0; i < part.num_refs; ++i) {
      const netc_chain_ref &ref = part.refs[i];
      argv[i] = ref.temp ? static_cast<void *>(&temps[ref.index]) : args[ref.index];
    }
    if (int rc = part.fn(argv.data()))
      return rc;
  }
  return 0;
}
