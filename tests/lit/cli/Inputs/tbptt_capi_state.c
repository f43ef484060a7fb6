/* A C program linking the --emit=lib output of Inputs/buffer.mlir (tbptt-capi-state.test),
 * whose buffer is carried from one train step to the next like a recurrent state.
 * Usage: tbptt_capi_state CHECKPOINT.safetensors
 * Trains three steps and saves the weights (the buffer included); a second context starts
 * from the initial buffer until it loads the checkpoint, then continues the series. */
#include "buf.h"

#include <stdio.h>

/* One train step of `ctx` on a fixed input; prints its loss (the buffer it started from). */
static int step(buf_context *ctx, const char *label) {
  static const float x[4] = {1, 0, 0.5f, -1};
  const void *inputs[BUF_NUM_INPUTS] = {x};
  const size_t input_bytes[BUF_NUM_INPUTS] = {sizeof x};
  double loss = -1;
  if (buf_train_step(ctx, inputs, input_bytes, &loss) != 0) {
    printf("error: %s\n", buf_last_error(ctx));
    return 1;
  }
  printf("%s loss %.6g\n", label, loss);
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 2)
    return 2;
  buf_context *first = buf_create(0);
  if (!first || step(first, "first 1") || step(first, "first 2") || step(first, "first 3"))
    return 1;
  if (buf_save_weights(first, argv[1]) != 0) {
    printf("error: %s\n", buf_last_error(first));
    return 1;
  }
  buf_destroy(first);
  buf_context *second = buf_create(0);
  if (!second || step(second, "fresh"))
    return 1;
  if (buf_load_weights(second, argv[1]) != 0) {
    printf("error: %s\n", buf_last_error(second));
    return 1;
  }
  if (step(second, "loaded") || step(second, "loaded"))
    return 1;
  buf_destroy(second);
  return 0;
}
