/* Calls sinter_cuda_tensor_map_2d with arguments it must refuse. */
#include "sinter-c/cuda.h"
#include "sinter-c/runtime.h"
#include <stdio.h>

static unsigned char map[256] __attribute__((aligned(64)));

int main(void) {
  static const unsigned short data[64] __attribute__((aligned(16)));
  int rc = sinter_cuda_tensor_map_2d(map, data, 3, 8, 8, 8, 8);
  printf("elem 3: %d %s\n", rc, sinter_rt_last_error());
  rc = sinter_cuda_tensor_map_2d(map + 16, data, 2, 8, 8, 8, 8);
  printf("misaligned: %d %s\n", rc, sinter_rt_last_error());
  rc = sinter_cuda_tensor_map_2d(map, data, 2, 8, 18, 8, 8);
  printf("row bytes: %d %s\n", rc, sinter_rt_last_error());
  return 0;
}
