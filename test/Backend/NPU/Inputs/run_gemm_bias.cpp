// Runs the generated gemm_bias kernel (gemm_bias.mlir through
// npu-plan-scratchpads and npu-to-cpp) on the simulator and checks it
// against a loop nest; prints the simulator's report.
#include "sinter/npu/npu_sim.h"

#include <cmath>
#include <cstdio>

using namespace sinter::npu;

void gemm_bias(Core &core, const Tile &a, const Tile &b, const Tile &bias,
               const Tile &y);

int main() {
  const int64_t M = 64, K = 512, N = 128;
  Core core(Config::npu910());
  Tile a = core.globalTile(core.global(M * K * 2), DType::F16, M, K),
       b = core.globalTile(core.global(K * N * 2), DType::F16, K, N),
       bias = core.globalTile(core.global(N * 4), DType::F32, 1, N),
       y = core.globalTile(core.global(M * N * 4), DType::F32, M, N);
  core.fillUniform(a, 1);
  core.fillUniform(b, 2);
  core.fillUniform(bias, 3);
  gemm_bias(core, a, b, bias, y);
  double maxErr = 0;
  for (int64_t i = 0; i < M; ++i)
    for (int64_t n = 0; n < N; ++n) {
      double want = core.get(bias, 0, n);
      for (int64_t k = 0; k < K; ++k)
        want += double(core.get(a, i, k)) * core.get(b, k, n);
      maxErr = std::max(maxErr, std::fabs(core.get(y, i, n) - want));
    }
  std::printf("max abs error %.3g\n%s", maxErr, core.summary().c_str());
  for (const std::string &h : core.hazards())
    std::printf("hazard: %s\n", h.c_str());
  bool ok = maxErr < 1e-3 && core.hazards().empty();
  std::printf("%s\n", ok ? "PASS" : "FAIL");
  return ok ? 0 : 1;
}
