/* The time of MPI_Allreduce (sum of floats, in place) against the message size, for
 * bench/mpi.py's alpha-beta fit. Run under mpirun; rank 0 prints one line per size:
 * "BYTES MEDIAN_SECONDS MIN_SECONDS". Each size runs `reps` times after a warm-up,
 * every rank waiting at a barrier before each call; the time of a call is the slowest
 * rank's (a reduction of the per-rank times with MPI_MAX).
 *
 *   mpicc -O2 bench/mpi_allreduce.c -o mpi_allreduce
 *   mpirun -np 2 ./mpi_allreduce [MAX_BYTES] [REPS]
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  long maxBytes = argc > 1 ? atol(argv[1]) : 64L << 20;
  int reps = argc > 2 ? atoi(argv[2]) : 20;
  float *data = malloc((size_t)maxBytes);
  double *times = malloc(sizeof(double) * (size_t)reps);
  memset(data, 0, (size_t)maxBytes);
  for (long bytes = 4; bytes <= maxBytes; bytes *= 4) {
    int count = (int)(bytes / 4);
    MPI_Allreduce(MPI_IN_PLACE, data, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
    for (int r = 0; r < reps; ++r) {
      MPI_Barrier(MPI_COMM_WORLD);
      double start = MPI_Wtime();
      MPI_Allreduce(MPI_IN_PLACE, data, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
      double mine = MPI_Wtime() - start, slowest;
      MPI_Allreduce(&mine, &slowest, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
      times[r] = slowest;
    }
    qsort(times, (size_t)reps, sizeof(double), compare);
    if (rank == 0)
      printf("%ld %.9f %.9f\n", bytes, times[reps / 2], times[0]);
    fflush(stdout);
  }
  free(data);
  free(times);
  MPI_Finalize();
  return 0;
}
