/* peak.c - the machine's fp32 FMA throughput, per core and on all cores.
 *
 * Each thread runs CHAINS independent chains of fused multiply-adds on
 * vectors of 16 floats (GCC vector extensions; with -O3 -march=native they
 * become AVX-512 or AVX2 FMAs). Enough independent chains hide the FMA
 * latency, so the loop runs at the FMA units' throughput.
 *
 * Usage: peak THREADS SECONDS; prints one JSON object
 *   {"threads": T, "gflops": total, "gflops_per_thread": total / T}.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef float v16 __attribute__((vector_size(64)));
enum { CHAINS = 24, INNER = 1000 };

static double seconds;
static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

struct result {
  double flops, elapsed;
  float sink;
};

static void *run(void *arg) {
  struct result *r = arg;
  v16 acc[CHAINS], a, b;
  for (int i = 0; i < 16; ++i) {
    a[i] = 0.999999f;
    b[i] = 1e-7f;
  }
  for (int c = 0; c < CHAINS; ++c)
    acc[c] = a * (float)c;
  long iterations = 0;
  double start = now(), t;
  do {
    for (int k = 0; k < INNER; ++k) {
#pragma GCC unroll 24
      for (int c = 0; c < CHAINS; ++c)
        acc[c] = acc[c] * a + b;
      /* Keeps the compiler from collapsing the loop. */
      __asm__ volatile("" : "+x"(a));
    }
    iterations += INNER;
    t = now() - start;
  } while (t < seconds);
  float s = 0;
  for (int c = 0; c < CHAINS; ++c)
    for (int i = 0; i < 16; ++i)
      s += acc[c][i];
  r->sink = s;
  r->flops = (double)iterations * CHAINS * 16 * 2;
  r->elapsed = t;
  return NULL;
}

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 1;
  seconds = argc > 2 ? atof(argv[2]) : 1.0;
  if (threads < 1)
    threads = 1;
  pthread_t *tid = calloc(threads, sizeof *tid);
  struct result *res = calloc(threads, sizeof *res);
  for (int i = 0; i < threads; ++i)
    pthread_create(&tid[i], NULL, run, &res[i]);
  double total = 0, sink = 0;
  for (int i = 0; i < threads; ++i) {
    pthread_join(tid[i], NULL);
    total += res[i].flops / res[i].elapsed;
    sink += res[i].sink;
  }
  printf("{\"threads\": %d, \"gflops\": %.2f, \"gflops_per_thread\": %.2f, \"sink\": %g}\n",
         threads, total / 1e9, total / 1e9 / threads, sink);
  return 0;
}
