/* Checkpoints through the C API of driver-adam.net (ckpt-capi.test).
 * Usage: ckpt_capi MODE OUT.safetensors [CHECKPOINT]
 *   straight   trains 4 steps from seed 3 and saves the weights
 *   save       trains 2 steps from seed 3 and saves a checkpoint to CHECKPOINT
 *   resume     creates a context from seed 99, loads CHECKPOINT, trains 2 steps
 *   fresh      trains 2 steps from seed 99 without a checkpoint
 * Every step trains on its own fixed batch (step i uses batch i). */
#include "adm.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int train(adm_context *ctx, int first, int count) {
  static float x[8 * 4];
  static int64_t y[8];
  const void *inputs[ADM_NUM_INPUTS] = {x, y};
  const size_t input_bytes[ADM_NUM_INPUTS] = {sizeof x, sizeof y};
  for (int step = first; step < first + count; ++step) {
    for (int i = 0; i < 8 * 4; ++i)
      x[i] = (float)sin(0.37 * i + step);
    for (int i = 0; i < 8; ++i)
      y[i] = (i + step) % 3;
    if (adm_train_step(ctx, inputs, input_bytes, NULL) != 0)
      return -1;
  }
  return 0;
}

static int fail(adm_context *ctx) {
  printf("error: %s\n", adm_last_error(ctx));
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 3)
    return 2;
  const char *mode = argv[1];
  int resume = strcmp(mode, "resume") == 0, fresh = strcmp(mode, "fresh") == 0;
  adm_context *ctx = adm_create(resume || fresh ? 99 : 3);
  if (!ctx)
    return 1;
  int first = 0, count = 2;
  if (strcmp(mode, "straight") == 0)
    count = 4;
  if (resume) {
    if (argc < 4 || adm_load_checkpoint(ctx, argv[3]) != 0)
      return fail(ctx);
    first = 2;
  }
  if (train(ctx, first, count) != 0)
    return fail(ctx);
  if (strcmp(mode, "save") == 0 && (argc < 4 || adm_save_checkpoint(ctx, argv[3]) != 0))
    return fail(ctx);
  if (adm_save_weights(ctx, argv[2]) != 0)
    return fail(ctx);
  adm_destroy(ctx);
  printf("%s: done\n", mode);
  return 0;
}
