//===- Mpi.cpp - the Open MPI communicator of data-parallel training ------===//
//
// mpi.h gives the types and signatures only: every function is found with
// dlsym in libmpi.so.40, opened RTLD_GLOBAL so that Open MPI's own plugins
// (which it opens with dlopen too) see its symbols. Open MPI's predefined
// handles (MPI_COMM_WORLD, MPI_SUM, MPI_FLOAT ...) are the addresses of
// global objects (ompi_mpi_comm_world ...), found the same way.
//
//===----------------------------------------------------------------------===//

#include "runtime/Mpi.h"

// The C interface only: Open MPI's C++ bindings would need libmpi_cxx.
#define OMPI_SKIP_MPICXX 1
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <dlfcn.h>
#include <thread>
#include <type_traits>

namespace netc::runtime {

/// The functions and handles of libmpi this runtime uses.
struct MpiWorld::Api {
  void *lib = nullptr;
  decltype(&MPI_Init) init = nullptr;
  decltype(&MPI_Initialized) initialized = nullptr;
  decltype(&MPI_Finalize) finalize = nullptr;
  decltype(&MPI_Comm_rank) commRank = nullptr;
  decltype(&MPI_Comm_size) commSize = nullptr;
  decltype(&MPI_Comm_set_errhandler) setErrhandler = nullptr;
  decltype(&MPI_Allreduce) allreduce = nullptr;
  decltype(&MPI_Bcast) bcast = nullptr;
  decltype(&MPI_Barrier) barrier = nullptr;
  decltype(&MPI_Error_string) errorString = nullptr;
  MPI_Comm world = nullptr;
  MPI_Op sum = nullptr;
  MPI_Datatype f32 = nullptr, f64 = nullptr, byte = nullptr;
  MPI_Errhandler errorsReturn = nullptr;
  bool initializedHere = false;

  /// Finds every symbol; the name of the first missing one otherwise.
  std::string bind() {
    const char *missing = nullptr;
    auto find = [&](auto &fn, const char *name) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(lib, name));
      if (!fn && !missing)
        missing = name;
    };
    find(init, "MPI_Init");
    find(initialized, "MPI_Initialized");
    find(finalize, "MPI_Finalize");
    find(commRank, "MPI_Comm_rank");
    find(commSize, "MPI_Comm_size");
    find(setErrhandler, "MPI_Comm_set_errhandler");
    find(allreduce, "MPI_Allreduce");
    find(bcast, "MPI_Bcast");
    find(barrier, "MPI_Barrier");
    find(errorString, "MPI_Error_string");
    find(world, "ompi_mpi_comm_world");
    find(sum, "ompi_mpi_op_sum");
    find(f32, "ompi_mpi_float");
    find(f64, "ompi_mpi_double");
    find(byte, "ompi_mpi_byte");
    find(errorsReturn, "ompi_mpi_errors_return");
    return missing ? missing : "";
  }
};

bool MpiWorld::launched() {
  const char *size = std::getenv("OMPI_COMM_WORLD_SIZE");
  return size && *size;
}

std::unique_ptr<MpiWorld> MpiWorld::open(const std::string &program, std::string &error) {
  std::unique_ptr<MpiWorld> w(new MpiWorld());
  w->api = std::make_unique<Api>();
  Api &a = *w->api;
  for (const char *name : {"libmpi.so.40", "libmpi.so"})
    if ((a.lib = dlopen(name, RTLD_NOW | RTLD_GLOBAL)))
      break;
  if (!a.lib) {
    error = std::string("started by mpirun but cannot open Open MPI's libmpi.so.40 (") +
            dlerror() + "): install openmpi-bin and libopenmpi-dev";
    return nullptr;
  }
  std::string missing = a.bind();
  if (!missing.empty()) {
    error = "libmpi.so.40 lacks '" + missing + "': Open MPI 4 is needed";
    return nullptr;
  }
  int done = 0;
  a.initialized(&done);
  if (!done) {
    if (a.init(nullptr, nullptr) != MPI_SUCCESS) {
      error = "MPI_Init failed";
      return nullptr;
    }
    a.initializedHere = true;
  }
  // Errors come back as codes (and fail the run with a message) instead of
  // aborting every rank from inside MPI.
  a.setErrhandler(a.world, a.errorsReturn);
  a.commRank(a.world, &w->myRank);
  a.commSize(a.world, &w->worldSize);
  w->program = program;
  w->watchdog = std::thread([raw = w.get()] { raw->watch(); });
  return w;
}

MpiWorld::~MpiWorld() {
  if (watchdog.joinable()) {
    {
      std::lock_guard<std::mutex> lock(watchMutex);
      stopWatch = true;
    }
    watchWake.notify_one();
    watchdog.join();
  }
  if (api && api->initializedHere)
    api->finalize();
}

bool MpiWorld::check(int rc, const std::string &what, std::string &error) {
  if (rc == MPI_SUCCESS)
    return true;
  char text[MPI_MAX_ERROR_STRING] = {0};
  int length = 0;
  api->errorString(rc, text, &length);
  error = "rank " + std::to_string(myRank) + ": MPI failed in " + what + ": " + text;
  return false;
}

void MpiWorld::watch() {
  std::unique_lock<std::mutex> lock(watchMutex);
  while (!stopWatch) {
    if (!watching) {
      watchWake.wait(lock);
      continue;
    }
    // The deadline of the collective running now (not of one that ended).
    auto deadline = watchStart + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                     std::chrono::duration<double>(timeout));
    if (std::chrono::steady_clock::now() < deadline) {
      watchWake.wait_until(lock, deadline);
      continue;
    }
    // The collective still waits: its peers are gone or stopped. This
    // thread cannot interrupt MPI, so it ends the process; mpirun then
    // stops the other ranks.
    std::fflush(stdout);
    std::fprintf(stderr,
                 "%s: error: rank %d: %s timed out after %g s: peer lost (a rank died, stopped "
                 "or fell behind; --mpi-timeout sets the wait)\n",
                 program.c_str(), myRank, watchWhat.c_str(), timeout);
    std::fflush(stderr);
    std::_Exit(1);
  }
}

bool MpiWorld::collective(const std::string &what, std::string &error,
                          const std::function<int()> &call) {
  {
    std::lock_guard<std::mutex> lock(watchMutex);
    watching = true;
    watchWhat = what;
    watchStart = std::chrono::steady_clock::now();
  }
  watchWake.notify_one();
  int rc = call();
  {
    std::lock_guard<std::mutex> lock(watchMutex);
    watching = false;
  }
  return check(rc, what, error);
}

/// Elements per collective call: MPI counts are int.
constexpr size_t kChunk = size_t(1) << 28;

bool MpiWorld::reduceSum(void *data, size_t count, size_t elementBytes, bool f64,
                         const std::string &what, std::string &error) {
  auto *p = static_cast<char *>(data);
  for (size_t at = 0; at < count; at += kChunk) {
    int n = static_cast<int>(std::min(kChunk, count - at));
    if (!collective(what, error, [&] {
          return api->allreduce(MPI_IN_PLACE, p + at * elementBytes, n, f64 ? api->f64 : api->f32,
                                api->sum, api->world);
        }))
      return false;
  }
  return true;
}

bool MpiWorld::allreduceSum(float *data, size_t count, const std::string &what,
                            std::string &error) {
  return reduceSum(data, count, sizeof(float), false, what, error);
}

bool MpiWorld::allreduceSum(double *data, size_t count, const std::string &what,
                            std::string &error) {
  return reduceSum(data, count, sizeof(double), true, what, error);
}

bool MpiWorld::broadcast(void *data, size_t bytes, int root, const std::string &what,
                         std::string &error) {
  auto *p = static_cast<char *>(data);
  for (size_t at = 0; at < bytes; at += kChunk) {
    int n = static_cast<int>(std::min(kChunk, bytes - at));
    if (!collective(what, error,
                    [&] { return api->bcast(p + at, n, api->byte, root, api->world); }))
      return false;
  }
  return true;
}

bool MpiWorld::barrier(const std::string &what, std::string &error) {
  return collective(what, error, [&] { return api->barrier(api->world); });
}

} // namespace netc::runtime
