/* A C program linking the --emit=lib output of examples/mlp2.net (exe-lib.test).
 * Usage: use_lib WEIGHTS.safetensors
 * Runs forward on fixed inputs, prints the outputs, saves the weights for the
 * test's PyTorch check, trains ten steps and reloads the saved weights. */
#include "mlp2.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
  if (argc != 2)
    return 2;
  mlp2_context *ctx = mlp2_create(42);
  if (!ctx)
    return 1;
  static float x[32 * 10], y[32], p[32], p2[32];
  for (int i = 0; i < 32 * 10; ++i)
    x[i] = (float)sin(0.1 * i);
  for (int i = 0; i < 32; ++i)
    y[i] = (float)(i % 2);
  const void *inputs[MLP2_NUM_INPUTS] = {x, y};
  const size_t input_bytes[MLP2_NUM_INPUTS] = {sizeof x, sizeof y};
  void *outputs[MLP2_NUM_OUTPUTS] = {p};
  const size_t output_bytes[MLP2_NUM_OUTPUTS] = {sizeof p};
  if (mlp2_input_bytes(0) != sizeof x || mlp2_output_bytes(0) != sizeof p ||
      mlp2_output_bytes(1) != 0) {
    printf("error: wrong sizes\n");
    return 1;
  }
  if (mlp2_forward(ctx, inputs, input_bytes, outputs, output_bytes) != 0 || mlp2_save_weights(ctx, argv[1]) != 0) {
    printf("error: %s\n", mlp2_last_error(ctx));
    return 1;
  }
  printf("inputs %d outputs %d train %d\n", MLP2_NUM_INPUTS, MLP2_NUM_OUTPUTS, MLP2_HAS_TRAIN_STEP);
  for (int i = 0; i < 32; ++i)
    printf("p[%d] = %.7f\n", i, p[i]);

  double first = 0, last = 0;
  for (int step = 0; step < 10; ++step) {
    if (mlp2_train_step(ctx, inputs, input_bytes, &last) != 0) {
      printf("error: %s\n", mlp2_last_error(ctx));
      return 1;
    }
    if (step == 0)
      first = last;
  }
  printf("loss %s\n", last < first ? "fell" : "did not fall");

  /* Reloading the saved weights gives back the first outputs exactly. */
  outputs[0] = p2;
  if (mlp2_load_weights(ctx, argv[1]) != 0 ||
      mlp2_forward(ctx, inputs, input_bytes, outputs, output_bytes) != 0) {
    printf("error: %s\n", mlp2_last_error(ctx));
    return 1;
  }
  printf("reloaded outputs %s\n", memcmp(p, p2, sizeof p) == 0 ? "identical" : "differ");

  /* Failures are reported, not fatal. */
  if (mlp2_load_weights(ctx, "/nonexistent/w.safetensors") != 0)
    printf("load error: %s\n", mlp2_last_error(ctx));
  mlp2_destroy(ctx);
  return 0;
}
