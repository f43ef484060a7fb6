/* Saves the weights a fresh context of the library starts from: its embedded default
 * weights (io-default-weights.test). Usage: io_default_weights OUT.npz */
#include "mlp2.h"

#include <stdio.h>

int main(int argc, char **argv) {
  if (argc != 2)
    return 2;
  mlp2_context *ctx = mlp2_create(0);
  if (!ctx || mlp2_save_weights(ctx, argv[1]) != 0) {
    fprintf(stderr, "%s\n", ctx ? mlp2_last_error(ctx) : "mlp2_create failed");
    return 1;
  }
  mlp2_destroy(ctx);
  return 0;
}
