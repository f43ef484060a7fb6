//===- Mpi.h - the Open MPI communicator of data-parallel training -*- C++ -*-===//
//
// Plain C++17. A generated executable started by Open MPI's mpirun trains
// data-parallel (runtime/DriverParallel.cpp) over MPI_COMM_WORLD. libmpi is
// opened with dlopen when, and only when, the process runs under mpirun
// (OMPI_COMM_WORLD_SIZE is set): executables, libraries and shared objects
// link no MPI, and a plain run needs no MPI installed.
//
// MPI_ERRORS_RETURN on the communicator turns MPI's errors into messages,
// and a watchdog thread bounds every collective: one that has not finished
// after the timeout (a peer died or stopped) ends the process with
// "rank R: ... timed out after S s: peer lost" and exit status 1, upon which
// mpirun stops the other ranks, instead of hanging. (Nonblocking collectives
// polled against a deadline would do without a thread, but Open MPI advances
// them only inside MPI calls and they ran several times slower.)
//
//===----------------------------------------------------------------------===//

#ifndef NETC_RUNTIME_MPI_H
#define NETC_RUNTIME_MPI_H

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace netc::runtime {

/// MPI_COMM_WORLD of an executable started by mpirun.
class MpiWorld {
public:
  /// Whether this process was started by Open MPI's mpirun (or another
  /// launcher that sets OMPI_COMM_WORLD_SIZE).
  static bool launched();
  /// Opens libmpi and initialises MPI; nullptr, with `error`, when it cannot.
  /// `program` starts the watchdog's message.
  static std::unique_ptr<MpiWorld> open(const std::string &program, std::string &error);
  /// Finalizes MPI.
  ~MpiWorld();
  MpiWorld(const MpiWorld &) = delete;
  MpiWorld &operator=(const MpiWorld &) = delete;

  int rank() const { return myRank; }
  int size() const { return worldSize; }
  /// The seconds a collective waits for its peers before it fails.
  void setTimeout(double seconds) { timeout = seconds; }

  /// Sums `count` floats (doubles) over all ranks, in place. `what` names
  /// the call in an error ("gradients of step 3").
  bool allreduceSum(float *data, size_t count, const std::string &what, std::string &error);
  bool allreduceSum(double *data, size_t count, const std::string &what, std::string &error);
  /// Copies `bytes` bytes of rank `root` into every other rank's `data`.
  bool broadcast(void *data, size_t bytes, int root, const std::string &what,
                 std::string &error);
  /// Waits for every rank.
  bool barrier(const std::string &what, std::string &error);

  struct Api;

private:
  MpiWorld() = default;
  /// Runs the collective `call` under the watchdog.
  bool collective(const std::string &what, std::string &error, const std::function<int()> &call);
  /// The watchdog thread's loop.
  void watch();
  bool check(int rc, const std::string &what, std::string &error);
  bool reduceSum(void *data, size_t count, size_t elementBytes, bool f64, const std::string &what,
                 std::string &error);

  std::unique_ptr<Api> api;
  int myRank = 0, worldSize = 1;
  double timeout = 300;
  std::string program;
  std::thread watchdog;
  std::mutex watchMutex;
  std::condition_variable watchWake;
  bool watching = false, stopWatch = false;
  std::string watchWhat;
  std::chrono::steady_clock::time_point watchStart;
};

} // namespace netc::runtime

#endif // NETC_RUNTIME_MPI_H
