// Runs the gemm_epilogue kernel that convert-sinter-to-npu made of
// gemm_relu_bias.mlir on the simulator, on one core and split over 4, and
// checks it against a loop nest (bf16 output).
#include "sinter/npu/npu_sim.h"

#include <cmath>
#include <cstdio>

using namespace sinter::npu;

// The kernel's name: the function's (sinter-opt), or what sinter-partition
// named it (sinter-compile: -DKERNEL=gemm_epilogue_0_gemm).
#ifndef KERNEL
#define KERNEL gemm_epilogue
#endif
void KERNEL(Core &core, const Tile &a, const Tile &b, const Tile &bias,
            const Tile &scale, const Tile &y);

int main() {
#ifndef GEMM_M // the shape of gemm_relu_bias.mlir unless told
#define GEMM_M 96
#define GEMM_K 384
#define GEMM_N 160
#endif
  const int64_t M = GEMM_M, K = GEMM_K, N = GEMM_N;
  bool ok = true;
  for (int64_t cores : {1, 4}) {
    double worst = 0, total = 0;
    int hazards = 0;
    // Every core runs the kernel on the same global memory: the sketch of
    // the multi-core split (cores do not contend for bandwidth here).
    std::vector<std::vector<uint8_t>> mem;
    for (int64_t id = 0; id < cores; ++id) {
      Core core(Config::npu910(), id, cores);
      Tile a = core.globalTile(core.global(M * K * 2), DType::F16, M, K),
           b = core.globalTile(core.global(K * N * 2), DType::F16, K, N),
           bias = core.globalTile(core.global(N * 4), DType::F32, 1, N),
           scale = core.globalTile(core.global(M * N * 4), DType::F32, M, N),
           y = core.globalTile(core.global(M * N * 2), DType::BF16, M, N);
      core.fillUniform(a, 1);
      core.fillUniform(b, 2);
      core.fillUniform(bias, 3);
      core.fillUniform(scale, 4);
      if (id)
        core.data(4) = mem[0]; // the output the other cores wrote
      KERNEL(core, a, b, bias, scale, y);
      mem.assign(1, core.data(4));
      total = std::max(total, double(core.cycles()));
      hazards += int(core.hazards().size());
      if (id + 1 < cores)
        continue;
      // All tiles are written once every core has run.
      for (int64_t i = 0; i < M; ++i)
        for (int64_t n = 0; n < N; ++n) {
          double acc = 0;
          for (int64_t k = 0; k < K; ++k)
            acc += double(core.get(a, i, k)) * core.get(b, k, n);
          double want =
              std::max(acc + core.get(bias, 0, n), acc * core.get(scale, i, n));
          double err =
              std::fabs(core.get(y, i, n) - want) / (1 + std::fabs(want));
          worst = std::max(worst, err);
        }
    }
    std::printf(
        "cores %lld: max relative error %.3g, cycles %.0f, hazards %d\n",
        (long long)cores, worst, total, hazards);
    ok &= worst < 1e-2 && hazards == 0;
  }
  std::printf("%s\n", ok ? "PASS" : "FAIL");
  return ok ? 0 : 1;
}
