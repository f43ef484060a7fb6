/* A C program linking the --emit=lib output of Inputs/gan-small.net (gan-capi.test): a
 * model with two losses, whose C API has gan_train_step_d and gan_train_step_g.
 * Usage: gan_capi DIR. Saves the weights before any step (DIR/w0), after the d step
 * (DIR/wd) and after the g step that follows (DIR/wg), and prints both losses. */
#include "gan.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
  if (argc != 2)
    return 2;
  gan_context *ctx = gan_create(3);
  if (!ctx)
    return 1;
  static float x[4 * 2], z[4 * 2];
  for (int i = 0; i < 8; ++i) {
    x[i] = (float)sin(0.7 * i);
    z[i] = (float)cos(0.3 * i);
  }
  const void *inputs[GAN_NUM_INPUTS] = {x, z};
  const size_t input_bytes[GAN_NUM_INPUTS] = {sizeof x, sizeof z};
  char path[4096];
  double d = 0, g = 0;
  printf("train steps %d\n", GAN_NUM_TRAIN_STEPS);
  snprintf(path, sizeof path, "%s/w0.safetensors", argv[1]);
  if (gan_save_weights(ctx, path) != 0 ||
      gan_train_step_d(ctx, inputs, input_bytes, &d) != 0)
    goto fail;
  snprintf(path, sizeof path, "%s/wd.safetensors", argv[1]);
  if (gan_save_weights(ctx, path) != 0 ||
      gan_train_step_g(ctx, inputs, input_bytes, &g) != 0)
    goto fail;
  snprintf(path, sizeof path, "%s/wg.safetensors", argv[1]);
  if (gan_save_weights(ctx, path) != 0)
    goto fail;
  printf("loss d %.6g g %.6g\n", d, g);
  /* A wrong input size is reported under the step's own name. */
  const size_t wrong[GAN_NUM_INPUTS] = {sizeof x - 4, sizeof z};
  if (gan_train_step_g(ctx, inputs, wrong, NULL) == 0)
    goto fail;
  printf("error: %s\n", gan_last_error(ctx));
  gan_destroy(ctx);
  return 0;
fail:
  printf("error: %s\n", gan_last_error(ctx));
  gan_destroy(ctx);
  return 1;
}
