//===- CudaLauncher.cpp - Driver-API launcher for generated kernels -------===//
//
// Resolves the few driver entry points it needs from libcuda.so.1 at run
// time, so the runtime links and runs (with a clear error) without CUDA.
//
//===----------------------------------------------------------------------===//
#include "RuntimeInternal.h"
#include "sinter-c/cuda.h"

#include <dlfcn.h>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace {
// The driver API's types, as opaque as cuda.h declares them.
using CUresult = int;
using CUcontext = void *;
using CUmodule = void *;
using CUfunction = void *;
using CUstream = void *;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
constexpr int kPointerAttributeMemoryType =
    2; // CU_POINTER_ATTRIBUTE_MEMORY_TYPE
constexpr int kPointerAttributeIsManaged = 8; // CU_POINTER_ATTRIBUTE_IS_MANAGED
constexpr unsigned kMemoryTypeDevice = 2;     // CU_MEMORYTYPE_DEVICE
constexpr int kFuncAttributeMaxDynamicShared = 8;

struct Driver {
  CUresult (*init)(unsigned);
  CUresult (*ctxGetCurrent)(CUcontext *);
  CUresult (*ctxSetCurrent)(CUcontext);
  CUresult (*deviceGet)(CUdevice *, int);
  CUresult (*primaryCtxRetain)(CUcontext *, CUdevice);
  CUresult (*moduleLoadData)(CUmodule *, const void *);
  CUresult (*moduleGetFunction)(CUfunction *, CUmodule, const char *);
  CUresult (*funcSetAttribute)(CUfunction, int, int);
  CUresult (*launchKernel)(CUfunction, unsigned, unsigned, unsigned, unsigned,
                           unsigned, unsigned, unsigned, CUstream, void **,
                           void **);
  CUresult (*pointerGetAttribute)(void *, int, CUdeviceptr);
  CUresult (*getErrorString)(CUresult, const char **);
  CUresult (*memAlloc)(CUdeviceptr *, size_t);
  CUresult (*memcpyHtoD)(CUdeviceptr, const void *, size_t);
  CUresult (*memAllocAsync)(CUdeviceptr *, size_t, CUstream);
  CUresult (*memFreeAsync)(CUdeviceptr, CUstream);
  CUresult (*tensorMapEncodeTiled)(void *, int, unsigned, void *,
                                   const unsigned long long *,
                                   const unsigned long long *, const unsigned *,
                                   const unsigned *, int, int, int, int);
  std::string error; // why loading failed
};

const Driver &driver() {
  static Driver d = [] {
    Driver d{};
    void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      d.error = "cannot load the CUDA driver (libcuda.so.1): no NVIDIA driver "
                "on this machine?";
      return d;
    }
    auto get = [&](auto &fn, const char *name) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(
          dlsym(lib, name));
      if (!fn && d.error.empty())
        d.error = std::string("the CUDA driver lacks ") + name;
    };
    get(d.init, "cuInit");
    get(d.ctxGetCurrent, "cuCtxGetCurrent");
    get(d.ctxSetCurrent, "cuCtxSetCurrent");
    get(d.deviceGet, "cuDeviceGet");
    get(d.primaryCtxRetain, "cuDevicePrimaryCtxRetain");
    get(d.moduleLoadData, "cuModuleLoadData");
    get(d.moduleGetFunction, "cuModuleGetFunction");
    get(d.funcSetAttribute, "cuFuncSetAttribute");
    get(d.launchKernel, "cuLaunchKernel");
    get(d.pointerGetAttribute, "cuPointerGetAttribute");
    get(d.getErrorString, "cuGetErrorString");
    get(d.memAlloc, "cuMemAlloc_v2");
    get(d.memcpyHtoD, "cuMemcpyHtoD_v2");
    get(d.memAllocAsync, "cuMemAllocAsync");
    get(d.memFreeAsync, "cuMemFreeAsync");
    get(d.tensorMapEncodeTiled, "cuTensorMapEncodeTiled");
    if (d.error.empty() && d.init(0) != 0)
      d.error = "cuInit failed: no usable GPU";
    return d;
  }();
  return d;
}

int fail(const std::string &msg) {
  sinter::setError(msg);
  return -1;
}

int cuFail(const Driver &d, CUresult r, const std::string &what) {
  const char *s = nullptr;
  d.getErrorString(r, &s);
  return fail(what + ": " + (s ? s : "CUDA error " + std::to_string(r)));
}

/// The loaded driver and the current context (the primary context of
/// device 0 when there is none: a program that only uses Sinter's
/// launchers); -1 with the error set when either is missing.
int currentContext(const Driver *&driverOut, CUcontext &ctx) {
  const Driver &d = driver();
  driverOut = &d;
  if (!d.error.empty())
    return fail(d.error);
  if (CUresult r = d.ctxGetCurrent(&ctx))
    return cuFail(d, r, "cuCtxGetCurrent");
  if (ctx)
    return 0;
  CUdevice dev;
  if (CUresult r = d.deviceGet(&dev, 0))
    return cuFail(d, r, "cuDeviceGet");
  if (CUresult r = d.primaryCtxRetain(&ctx, dev))
    return cuFail(d, r, "cuDevicePrimaryCtxRetain");
  if (CUresult r = d.ctxSetCurrent(ctx))
    return cuFail(d, r, "cuCtxSetCurrent");
  return 0;
}
} // namespace

extern "C" int sinter_cuda_launch(const void *image, const char *kernel,
                                  const unsigned grid[3],
                                  const unsigned block[3],
                                  unsigned shared_bytes, void *stream,
                                  void **params) {
  const Driver *dp;
  CUcontext ctx;
  if (currentContext(dp, ctx))
    return -1;
  const Driver &d = *dp;
  static std::mutex mutex;
  static std::map<std::pair<CUcontext, const void *>, CUmodule> modules;
  static std::map<std::pair<CUmodule, std::string>, CUfunction> functions;
  CUfunction fn;
  {
    std::lock_guard<std::mutex> lock(mutex);
    CUmodule &mod = modules[{ctx, image}];
    if (!mod)
      if (CUresult r = d.moduleLoadData(&mod, image)) {
        mod = nullptr;
        return cuFail(d, r, std::string("loading the module of ") + kernel);
      }
    CUfunction &f = functions[{mod, kernel}];
    if (!f) {
      if (CUresult r = d.moduleGetFunction(&f, mod, kernel)) {
        f = nullptr;
        return cuFail(d, r, std::string("finding kernel ") + kernel);
      }
      if (shared_bytes > 48 * 1024)
        if (CUresult r = d.funcSetAttribute(f, kFuncAttributeMaxDynamicShared,
                                            int(shared_bytes)))
          return cuFail(d, r,
                        std::string("allowing ") +
                            std::to_string(shared_bytes) +
                            " bytes of shared memory for " + kernel);
    }
    fn = f;
  }
  if (CUresult r =
          d.launchKernel(fn, grid[0], grid[1], grid[2], block[0], block[1],
                         block[2], shared_bytes, stream, params, nullptr))
    return cuFail(d, r, std::string("launching ") + kernel);
  return 0;
}

extern "C" int sinter_cuda_check_pointer(const void *ptr, const char *function,
                                         const char *what) {
  std::string where = std::string(function) + ": argument '" + what + "'";
  if (!ptr)
    return fail(where + " is NULL");
  if (reinterpret_cast<uintptr_t>(ptr) % 16)
    return fail(where + " is not 16-byte aligned (the kernels load 16 bytes "
                        "at a time)");
  const Driver *dp;
  CUcontext ctx;
  if (currentContext(dp, ctx))
    return -1;
  const Driver &d = *dp;
  unsigned type = 0, managed = 0;
  auto addr = static_cast<CUdeviceptr>(reinterpret_cast<uintptr_t>(ptr));
  if (d.pointerGetAttribute(&type, kPointerAttributeMemoryType, addr) != 0 ||
      (type != kMemoryTypeDevice &&
       (d.pointerGetAttribute(&managed, kPointerAttributeIsManaged, addr) !=
            0 ||
        !managed)))
    return fail(where + " is not device memory (pass a pointer from "
                        "cudaMalloc/cuMemAlloc or a CUDA tensor's data_ptr)");
  return 0;
}

extern "C" int sinter_cuda_alloc_async(void **ptr, unsigned long long bytes,
                                       void *stream) {
  const Driver *dp;
  CUcontext ctx;
  if (!ptr)
    return fail("sinter_cuda_alloc_async: NULL result pointer");
  *ptr = nullptr;
  if (currentContext(dp, ctx))
    return -1;
  CUdeviceptr p = 0;
  if (CUresult r = dp->memAllocAsync(&p, bytes, stream))
    return cuFail(*dp, r,
                  "cuMemAllocAsync of " + std::to_string(bytes) + " bytes");
  *ptr = reinterpret_cast<void *>(p);
  return 0;
}

extern "C" int sinter_cuda_free_async(void *ptr, void *stream) {
  const Driver *dp;
  CUcontext ctx;
  if (!ptr)
    return 0;
  if (currentContext(dp, ctx))
    return -1;
  if (CUresult r = dp->memFreeAsync(reinterpret_cast<CUdeviceptr>(ptr), stream))
    return cuFail(*dp, r, "cuMemFreeAsync");
  return 0;
}

extern "C" int sinter_cuda_tensor_map_2d(void *map, const void *base,
                                         unsigned elem_bytes,
                                         unsigned long long rows,
                                         unsigned long long cols,
                                         unsigned box_rows, unsigned box_cols) {
  return sinter_cuda_tensor_map_3d(map, base, elem_bytes, 0, rows, cols,
                                   box_rows, box_cols);
}

extern "C" int sinter_cuda_tensor_map_3d(void *map, const void *base,
                                         unsigned elem_bytes,
                                         unsigned long long batches,
                                         unsigned long long rows,
                                         unsigned long long cols,
                                         unsigned box_rows, unsigned box_cols) {
  const char *fn =
      batches ? "sinter_cuda_tensor_map_3d" : "sinter_cuda_tensor_map_2d";
  // CU_TENSOR_MAP_DATA_TYPE_UINT8/16/32: TMA copies bits, so the unsigned
  // type of the element's width serves every dtype.
  int dtype = elem_bytes == 1   ? 0
              : elem_bytes == 2 ? 1
              : elem_bytes == 4 ? 2
                                : -1;
  if (dtype < 0)
    return fail(std::string(fn) + ": elements of " +
                std::to_string(elem_bytes) + " bytes are not supported");
  if (reinterpret_cast<uintptr_t>(map) % 64)
    return fail(std::string(fn) + ": the map is not 64-byte aligned");
  if ((cols * elem_bytes) % 16)
    return fail(std::string(fn) + ": rows of " +
                std::to_string(cols * elem_bytes) +
                " bytes are not a multiple of 16");
  const Driver *dp;
  CUcontext ctx;
  if (currentContext(dp, ctx))
    return -1;
  // Rank 3 for several matrices of `rows` rows (0 batches: rank 2).
  unsigned rank = batches ? 3 : 2;
  unsigned long long dims[3] = {cols, rows, batches};
  unsigned long long strides[2] = {cols * elem_bytes, rows * cols * elem_bytes};
  unsigned box[3] = {box_cols, box_rows, 1}, elementStrides[3] = {1, 1, 1};
  // No interleave, 128-byte swizzle, L2 promotion of 256 bytes, zeros
  // outside the matrix.
  if (CUresult r = dp->tensorMapEncodeTiled(
          map, dtype, rank, const_cast<void *>(base), dims, strides, box,
          elementStrides, 0, 3, 3, 0))
    return cuFail(*dp, r,
                  "cuTensorMapEncodeTiled of a " + std::to_string(rows) +
                      " x " + std::to_string(cols) + " matrix in boxes of " +
                      std::to_string(box_rows) + " x " +
                      std::to_string(box_cols));
  return 0;
}

extern "C" int sinter_cuda_state(const void *key, const void *constants,
                                 unsigned long long constant_bytes,
                                 unsigned long long total_bytes, void **state,
                                 int *fresh) {
  if (!state || !fresh)
    return fail("sinter_cuda_state: NULL result pointer");
  *state = nullptr;
  *fresh = 0;
  const Driver *dp;
  CUcontext ctx;
  if (currentContext(dp, ctx))
    return -1;
  const Driver &d = *dp;
  static std::mutex mutex;
  static std::map<std::pair<CUcontext, const void *>, CUdeviceptr> states;
  std::lock_guard<std::mutex> lock(mutex);
  CUdeviceptr &p = states[{ctx, key}];
  if (!p) {
    if (CUresult r = d.memAlloc(&p, total_bytes ? total_bytes : 1)) {
      p = 0;
      return cuFail(d, r,
                    "cuMemAlloc of the model's state (" +
                        std::to_string(total_bytes) + " bytes)");
    }
    if (constant_bytes)
      if (CUresult r = d.memcpyHtoD(p, constants, constant_bytes))
        return cuFail(d, r, "copying the model's constants to the device");
    *fresh = 1;
  }
  *state = reinterpret_cast<void *>(p);
  return 0;
}