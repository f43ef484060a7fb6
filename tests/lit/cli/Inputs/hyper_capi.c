/* Trains the model of hyper-model.net through its C API (hyper-capi.test).
 * Usage: hyper_capi WEIGHTS.safetensors [NAME=VALUE...]
 * Sets each hyperparameter, trains five steps on fixed inputs and saves the
 * weights; prints the hyperparameters read back. */
#include "hyp.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  if (argc < 2)
    return 2;
  hyp_context *ctx = hyp_create(7);
  if (!ctx)
    return 1;
  for (int i = 2; i < argc; ++i) {
    char name[64];
    const char *eq = strchr(argv[i], '=');
    if (!eq || (size_t)(eq - argv[i]) >= sizeof name)
      return 2;
    memcpy(name, argv[i], (size_t)(eq - argv[i]));
    name[eq - argv[i]] = '\0';
    if (hyp_set_hyper(ctx, name, atof(eq + 1)) != 0) {
      printf("error: %s\n", hyp_last_error(ctx));
      return 1;
    }
  }
  printf("lr %g momentum %g weight_decay %g\n", hyp_get_hyper(ctx, "lr"),
         hyp_get_hyper(ctx, "momentum"), hyp_get_hyper(ctx, "weight_decay"));
  printf("unknown %s\n", isnan(hyp_get_hyper(ctx, "beta1")) ? "nan" : "a number");
  static float x[8 * 6], y[8];
  for (int i = 0; i < 8 * 6; ++i)
    x[i] = (float)sin(0.3 * i);
  for (int i = 0; i < 8; ++i)
    y[i] = (float)(i % 2);
  const void *inputs[HYP_NUM_INPUTS] = {x, y};
  const size_t input_bytes[HYP_NUM_INPUTS] = {sizeof x, sizeof y};
  for (int step = 0; step < 5; ++step)
    if (hyp_train_step(ctx, inputs, input_bytes, NULL) != 0) {
      printf("error: %s\n", hyp_last_error(ctx));
      return 1;
    }
  if (hyp_save_weights(ctx, argv[1]) != 0) {
    printf("error: %s\n", hyp_last_error(ctx));
    return 1;
  }
  hyp_destroy(ctx);
  return 0;
}
