/* Misuses the C API of examples/mlp2.net (exe-capi-errors.test): NULL arguments, wrong
 * buffer sizes, a destroyed context, a double destroy. Every call must return -1 with a
 * message, and the program must get to its end. Usage: capi_errors DIR */
#include "mlp2.h"

#include <stdio.h>
#include <string.h>

static float x[32 * 10], y[32], p[32];

/* Prints the return code of a call and the message that explains it (called after the
 * call: a message lives until the next call on the same context or thread). */
static void report(const char *what, int rc, const mlp2_context *ctx) {
  printf("%s: %d: %s\n", what, rc, mlp2_last_error(ctx));
}

int main(int argc, char **argv) {
  if (argc != 2)
    return 2;
  const void *inputs[MLP2_NUM_INPUTS] = {x, y};
  size_t input_bytes[MLP2_NUM_INPUTS] = {sizeof x, sizeof y};
  void *outputs[MLP2_NUM_OUTPUTS] = {p};
  size_t output_bytes[MLP2_NUM_OUTPUTS] = {sizeof p};
  double loss = 0;

  report("null forward", mlp2_forward(NULL, inputs, input_bytes, outputs, output_bytes), NULL);
  report("null train", mlp2_train_step(NULL, inputs, input_bytes, &loss), NULL);
  report("null load", mlp2_load_weights(NULL, "w"), NULL);
  report("null save", mlp2_save_weights(NULL, "w"), NULL);
  mlp2_destroy(NULL);

  mlp2_context *ctx = mlp2_create(1);
  if (!ctx)
    return 1;
  report("null path", mlp2_load_weights(ctx, NULL), ctx);
  report("null save path", mlp2_save_weights(ctx, NULL), ctx);
  report("null inputs", mlp2_forward(ctx, NULL, input_bytes, outputs, output_bytes), ctx);
  report("null sizes", mlp2_train_step(ctx, inputs, NULL, &loss), ctx);
  report("null outputs", mlp2_forward(ctx, inputs, input_bytes, NULL, output_bytes), ctx);
  inputs[1] = NULL;
  report("null input", mlp2_forward(ctx, inputs, input_bytes, outputs, output_bytes), ctx);
  inputs[1] = y;
  input_bytes[0] = sizeof x - 4;
  report("short input", mlp2_train_step(ctx, inputs, input_bytes, &loss), ctx);
  input_bytes[0] = sizeof x;
  output_bytes[0] = sizeof p / 2;
  report("short output", mlp2_forward(ctx, inputs, input_bytes, outputs, output_bytes), ctx);
  output_bytes[0] = sizeof p;
  report("directory", mlp2_load_weights(ctx, argv[1]), ctx);
  report("ok", mlp2_forward(ctx, inputs, input_bytes, outputs, output_bytes), ctx);

  mlp2_destroy(ctx);
  report("after destroy", mlp2_forward(ctx, inputs, input_bytes, outputs, output_bytes), ctx);
  report("save after destroy", mlp2_save_weights(ctx, "never.safetensors"), NULL);
  mlp2_destroy(ctx);
  printf("double destroy: %s\n", mlp2_last_error(NULL));
  int rc = mlp2_set_num_threads(-1);
  printf("threads: %d: %s\n", rc, mlp2_last_error(NULL));
  printf("sizes: %u %u %u\n", (unsigned)mlp2_input_bytes(1), (unsigned)mlp2_output_bytes(0),
         (unsigned)mlp2_input_bytes(2));
  printf("end\n");
  return 0;
}
