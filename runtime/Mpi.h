//===- Mpi.h - the Open MPI communicator of data-parallel training -*- C++ -*-===//
//
// Plain C++17. A generated executable started by Open MPI's mpirun trains
// data-parallel (runtime/DriverParallel.cpp) over MPI_COMM_WORLD. libmpi is
// opened with dlopen when, and only when, the process runs under mpirun
// (OMPI_COMM_WORLD_SIZE is set): executables, libraries and shared objects
// link no MPI, and a plain run needs no MPI installed.
//
// Every collective is nonblocking (MPI_Iallreduce, MPI_Ibcast) and waited on
// with MPI_Test against a deadline, with MPI_ERRORS_RETURN on the
// communicator: a peer that died or stopped makes the call fail with
// "peer lost" after the timeout instead of hanging.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_RUNTIME_MPI_H
#define NETC_RUNTIME_MPI_H

#include <cstddef>
#include <memory>
#include <string>

namespace netc::runtime {

/// MPI_COMM_WORLD of an executable started by mpirun.
class MpiWorld {
public:
  /// Whether this process was started by Open MPI's mpirun (or another
  /// launcher that sets OMPI_COMM_WORLD_SIZE).
  static bool launched();
  /// Opens libmpi and initialises MPI; nullptr, with `error`, when it cannot.
  static std::unique_ptr<MpiWorld> open(std::string &error);
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
  /// Waits for `request` until the deadline; fails with "peer lost".
  bool wait(void *request, const std::string &what, std::string &error);
  bool check(int rc, const std::string &what, std::string &error);
  bool reduceSum(void *data, size_t count, size_t elementBytes, bool f64, const std::string &what,
                 std::string &error);

  std::unique_ptr<Api> api;
  int myRank = 0, worldSize = 1;
  double timeout = 300;
};

} // namespace netc::runtime

#endif // NETC_RUNTIME_MPI_H
