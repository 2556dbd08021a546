//===- Runtime.cpp - Runtime for generated Sinter kernels -----------------===//
#include "RuntimeInternal.h"
#include "sinter-c/runtime.h"

#include <cstdlib>
#include <cstring>

extern "C" {
// From the OpenMP runtime that CPU kernels link; weak, so GPU-only programs
// need no OpenMP.
void omp_set_num_threads(int) __attribute__((weak));
int omp_get_max_threads(void) __attribute__((weak));
}

namespace {
thread_local const char *lastError = nullptr;
thread_local std::string lastErrorText;

uint16_t toBF16(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  if ((bits & 0x7fffffffu) > 0x7f800000u) // NaN: keep it quiet and a NaN
    return static_cast<uint16_t>((bits >> 16) | 0x40);
  bits += 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<uint16_t>(bits >> 16);
}
} // namespace

void sinter::setError(std::string msg) {
  lastErrorText = std::move(msg);
  lastError = lastErrorText.c_str();
}

extern "C" {

const char *sinter_rt_version(void) { return SINTER_VERSION; }

void *sinter_rt_aligned_alloc(size_t bytes, size_t alignment) {
  if (alignment < sizeof(void *) || (alignment & (alignment - 1))) {
    lastError = "sinter_rt_aligned_alloc: alignment must be a power of two "
                "of at least sizeof(void *)";
    return nullptr;
  }
  void *p = nullptr;
  if (posix_memalign(&p, alignment, bytes ? bytes : 1) != 0) {
    lastError = "sinter_rt_aligned_alloc: out of memory";
    return nullptr;
  }
  return p;
}

void sinter_rt_free(void *ptr) { std::free(ptr); }

void sinter_rt_set_num_threads(int threads) {
  if (threads < 1) {
    lastError = "sinter_rt_set_num_threads: need at least one thread";
    return;
  }
  if (!omp_set_num_threads) {
    lastError = "sinter_rt_set_num_threads: no OpenMP runtime linked";
    return;
  }
  omp_set_num_threads(threads);
}

int sinter_rt_get_num_threads(void) {
  return omp_get_max_threads ? omp_get_max_threads() : 1;
}

const char *sinter_rt_last_error(void) { return lastError; }
void sinter_rt_clear_error(void) { lastError = nullptr; }

uint16_t sinter_rt_f32_to_bf16(float value) { return toBF16(value); }

float sinter_rt_bf16_to_f32(uint16_t bits) {
  uint32_t wide = static_cast<uint32_t>(bits) << 16;
  float f;
  std::memcpy(&f, &wide, sizeof f);
  return f;
}

// LLVM lowers bf16 stores on CPUs without native bf16 conversion to this
// compiler-rt helper; provide it so objects link without compiler-rt.
// (Compilers without __bf16 build the runtime for GPU programs only.)
#if defined(__clang__) || (defined(__GNUC__) && __GNUC__ >= 13)
__bf16 __truncsfbf2(float value) {
  uint16_t bits = toBF16(value);
  __bf16 out;
  std::memcpy(&out, &bits, sizeof out);
  return out;
}
#endif

} // extern "C"
