/* Data-parallel training with synchronized batch norm through the C API of a library
 * compiled with netc --sync-bn (docs/distributed.md): bncnn_set_replicas hands the runtime
 * an MPI average for the batch statistics, and the gradients are averaged as in the
 * page's program. Rank r trains on rows [8 i + 4 r, 8 i + 4 r + 4) of step i's 8 samples
 * (data.bin: x then target of 24 samples, written by the test), 3 steps. */
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include "bncnn.h"

static int mean(void *user, double *data, size_t n) {
  int ranks;
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  if (MPI_Allreduce(MPI_IN_PLACE, data, (int)n, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD))
    return 1;
  for (size_t k = 0; k < n; ++k)
    data[k] /= ranks;
  return 0;
}

static float x[24][3][16][16];
static int64_t target[24];

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, ranks;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  FILE *f = fopen("data.bin", "rb");
  if (!f || fread(x, sizeof x, 1, f) != 1 || fread(target, sizeof target, 1, f) != 1)
    return fprintf(stderr, "cannot read data.bin\n"), 1;
  fclose(f);
  if (argc > 1) /* "local": each rank's own statistics */
    ranks = 1;
  bncnn_set_replicas(ranks, mean, NULL);
  bncnn_context *ctx = bncnn_create(0);
  if (rank == 0)
    bncnn_save_weights(ctx, "start.npz");
  double loss;
  for (int step = 0; step < 3; ++step) {
    int row = 8 * step + 4 * rank;
    const void *inputs[] = {x[row], &target[row]};
    size_t bytes[] = {sizeof x[0] * 4, sizeof target[0] * 4};
    if (bncnn_compute_gradients(ctx, inputs, bytes, &loss))
      return fprintf(stderr, "%s\n", bncnn_last_error(ctx)), 1;
    int size;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    for (int i = 0; i < BNCNN_NUM_PARAMS; ++i) {
      size_t n;
      float *g = bncnn_gradient(ctx, i, &n);
      MPI_Allreduce(MPI_IN_PLACE, g, (int)(n / 4), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
      for (size_t k = 0; k < n / 4; ++k)
        g[k] /= size;
    }
    if (bncnn_apply_gradients(ctx))
      return fprintf(stderr, "%s\n", bncnn_last_error(ctx)), 1;
  }
  char path[64];
  snprintf(path, sizeof path, "rank%d.npz", rank);
  bncnn_save_weights(ctx, path);
  printf("rank %d: loss %.6f\n", rank, loss);
  bncnn_destroy(ctx);
  MPI_Finalize();
  return 0;
}
