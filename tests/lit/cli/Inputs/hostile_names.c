/* Includes the header generated for hostile-names.mlir (exe-hostile-names.test): it
 * compiles without warnings, even with trigraphs on, and declares what it should. */
#include "hostile.h"

#include <stdio.h>

int main(void) {
  printf("input bytes %u, output bytes %u\n", (unsigned)hostile_input_bytes(0),
         (unsigned)hostile_output_bytes(0));
  return 0;
}
