/*===- sinter-c/runtime.h - Runtime for generated Sinter kernels ----------===*
 *
 * The small runtime that objects from sinter-compile and the programs that
 * call them need: the library version, aligned buffers, thread control and
 * error reporting. Plain C; link with -lsinter_runtime -lomp -lm.
 *
 *===----------------------------------------------------------------------===*/
#ifndef SINTER_C_RUNTIME_H
#define SINTER_C_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* "MAJOR.MINOR.PATCH" of the Sinter release the runtime comes from. */
const char *sinter_rt_version(void);

/* A buffer of `bytes` bytes aligned to `alignment` (a power of two, at
 * least sizeof(void *)); NULL (and an error, see below) on failure. Free it
 * with sinter_rt_free. */
void *sinter_rt_aligned_alloc(size_t bytes, size_t alignment);
void sinter_rt_free(void *ptr);

/* Threads the generated kernels use (default: OpenMP's, i.e. all cores or
 * $OMP_NUM_THREADS). */
void sinter_rt_set_num_threads(int threads);
int sinter_rt_get_num_threads(void);

/* The last error of this thread, or NULL; sinter_rt_clear_error resets it. */
const char *sinter_rt_last_error(void);
void sinter_rt_clear_error(void);

/* bf16 <-> f32 on raw bits (round to nearest even; NaN stays NaN). */
uint16_t sinter_rt_f32_to_bf16(float value);
float sinter_rt_bf16_to_f32(uint16_t bits);

#ifdef __cplusplus
}
#endif

#endif /* SINTER_C_RUNTIME_H */
