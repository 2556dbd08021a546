/* The f32 FMA peak of one core, from a loop of independent AVX-512 FMAs on
 * registers (12 accumulators: enough to cover the FMA latency on two ports).
 *   clang-22 -O2 -march=native bench/cpu/peak.c -o peak && (./peak & ./peak; wait)
 * runs one copy per core; docs/performance-cpu.md quotes the sum. */
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

int main(void) {
  __m512 acc[12];
  for (int i = 0; i < 12; i++)
    acc[i] = _mm512_set1_ps(i * 0.001f);
  const __m512 x = _mm512_set1_ps(0.9999f), y = _mm512_set1_ps(1e-6f);
  const long n = 200000000;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (long i = 0; i < n; i++)
#pragma GCC unroll 12
    for (int j = 0; j < 12; j++)
      acc[j] = _mm512_fmadd_ps(acc[j], x, y);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double s = (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec);
  float sink = 0;
  for (int i = 0; i < 12; i++)
    sink += _mm512_reduce_add_ps(acc[i]);
  printf("%.1f GFLOP/s on one core (checksum %g)\n", n * 12.0 * 32 / s / 1e9, sink);
  return 0;
}
