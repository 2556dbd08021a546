/*===- sinter-c/cuda.h - Launching generated GPU kernels ------------------===*
 *
 * The launch functions that `sinter-compile --target=nvidia-h100` generates
 * call these. They reach the CUDA driver API through libcuda.so.1, loaded at
 * run time: programs need neither the CUDA runtime nor a link-time CUDA
 * dependency, and a machine without a GPU gets an error, not a crash.
 *
 * Functions return 0 on success and -1 on failure, with the reason in
 * sinter_rt_last_error() (see sinter-c/runtime.h).
 *
 *===----------------------------------------------------------------------===*/
#ifndef SINTER_C_CUDA_H
#define SINTER_C_CUDA_H

#ifdef __cplusplus
extern "C" {
#endif

/* Launches `kernel` of the cubin or PTX `image` on `stream` (a CUstream or
 * cudaStream_t; NULL is the legacy default stream) in the calling thread's
 * current context (the device's primary context when none is current). The
 * module is loaded once per context and image. `params` are the kernel's
 * parameters as cuLaunchKernel takes them. */
int sinter_cuda_launch(const void *image, const char *kernel,
                       const unsigned grid[3], const unsigned block[3],
                       unsigned shared_bytes, void *stream, void **params);

/* 0 when `ptr` is 16-byte aligned memory the current device can read and
 * write (device or managed memory); otherwise -1 and an error naming
 * `function` and `what`. */
int sinter_cuda_check_pointer(const void *ptr, const char *function,
                              const char *what);

/* Stream-ordered scratch memory (cuMemAllocAsync / cuMemFreeAsync) for
 * functions that run several kernels: `*ptr` is usable by work queued on
 * `stream` after the call, and freed once the work queued before the free
 * has run. */
int sinter_cuda_alloc_async(void **ptr, unsigned long long bytes,
                            void *stream);
int sinter_cuda_free_async(void *ptr, void *stream);

/* The device memory a compiled module keeps between calls, once per
 * context and `key` (the module's image): `total_bytes`, the first
 * `constant_bytes` copied from `constants` (host memory) when it is made.
 * `*fresh` is 1 for the call that made it (which then runs the module's
 * load-time kernels on its stream), 0 after. */
int sinter_cuda_state(const void *key, const void *constants,
                      unsigned long long constant_bytes,
                      unsigned long long total_bytes, void **state,
                      int *fresh);

/* Writes to `map` (128 bytes, 64-byte aligned; a CUtensorMap) the TMA
 * descriptor of the dense row-major [rows, cols] matrix of `elem_bytes`-byte
 * elements at `base`, read in boxes of box_rows x box_cols elements with
 * the 128-byte swizzle (box_cols * elem_bytes <= 128) and zeros outside the
 * matrix. Rows must be a multiple of 16 bytes. Kernels that load through
 * TMA take such maps as by-value parameters. */
int sinter_cuda_tensor_map_2d(void *map, const void *base,
                              unsigned elem_bytes, unsigned long long rows,
                              unsigned long long cols, unsigned box_rows,
                              unsigned box_cols);
/* The same for `batches` such matrices one after the other (a 3-d map;
 * boxes take one matrix's rows, zeros past its last). */
int sinter_cuda_tensor_map_3d(void *map, const void *base,
                              unsigned elem_bytes, unsigned long long batches,
                              unsigned long long rows, unsigned long long cols,
                              unsigned box_rows, unsigned box_cols);

#ifdef __cplusplus
}
#endif

#endif /* SINTER_C_CUDA_H */
