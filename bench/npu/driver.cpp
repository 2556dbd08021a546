// Runs the `kernel` GEMM that bench.py generated (f16 A [M, K] x B [K, N]
// -> f16 [M, N]) on the simulator in timing-only mode, once per core with
// its core id, and prints: cycles (the slowest core), and core 0's busy
// cycles and bytes per pipe. With a fifth argument, writes core 0's
// Chrome-trace timeline there; with `--check` instead, computes values
// (random inputs, all cores on one memory) and compares the result with a
// loop nest. Built with -DSINTER_W4A16_GROUP=G, the kernel is W4A16
// instead: B is int4 codes [K, N] (two per byte) with f16 scales per group
// of G rows of k, `kernel(core, a, q, scales, y)`; with -DSINTER_B_NK, B is
// stored [N, K] (nn.Linear's layout).
#include "report.h"
#include "sinter/npu/npu_sim.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using namespace sinter::npu;

#ifdef SINTER_W4A16_GROUP
constexpr int64_t kGroup = SINTER_W4A16_GROUP;
void kernel(Core &core, const Tile &a, const Tile &q, const Tile &s,
            const Tile &y);
#else
void kernel(Core &core, const Tile &a, const Tile &b, const Tile &y);
#endif

int main(int argc, char **argv) {
  if (argc != 5 && argc != 6) {
    std::fprintf(stderr, "usage: %s M N K cores [trace.json | --check]\n",
                 argv[0]);
    return 2;
  }
  int64_t M = std::atoll(argv[1]), N = std::atoll(argv[2]),
          K = std::atoll(argv[3]), cores = std::atoll(argv[4]);
  bool check = argc == 6 && std::string(argv[5]) == "--check";
  Config cfg = Config::npu910();
  cfg.functional = check;
  int64_t slowest = 0;
  std::vector<uint8_t> result; // the output so far, carried core to core
  double worst = 0;
  for (int64_t id = 0; id < cores; ++id) {
    Core core(cfg, id, cores);
    Tile a = core.globalTile(core.global(M * K * 2), DType::F16, M, K),
         y = core.globalTile(core.global(M * N * 2), DType::F16, M, N);
#ifdef SINTER_W4A16_GROUP
    int64_t groups = (K + kGroup - 1) / kGroup;
    Tile b = core.globalTile(core.global(K * N / 2), DType::I4, K, N),
         s = core.globalTile(core.global(groups * N * 2), DType::F16, groups,
                             N);
#elif defined(SINTER_B_NK)
    Tile b = core.globalTile(core.global(K * N * 2), DType::F16, N, K);
#else
    Tile b = core.globalTile(core.global(K * N * 2), DType::F16, K, N);
#endif
    if (check) {
      core.fillUniform(a, 1);
#ifdef SINTER_W4A16_GROUP
      core.fillUniform(b, 2, -8, 8);
      core.fillUniform(s, 3, 0.01f, 0.2f);
#else
      core.fillUniform(b, 2);
#endif
      if (id)
        core.data(y.buffer) = result;
    }
#ifdef SINTER_W4A16_GROUP
    kernel(core, a, b, s, y);
#else
    kernel(core, a, b, y);
#endif
    if (check) {
      result = core.data(y.buffer);
      if (id + 1 == cores)
        for (int64_t i = 0; i < M; ++i)
          for (int64_t n = 0; n < N; ++n) {
            double want = 0;
            for (int64_t k = 0; k < K; ++k) {
#ifdef SINTER_W4A16_GROUP
              // The weight as the vector unit rounds it to f16.
              float w = halfToFloat(
                  floatToHalf(core.get(b, k, n) * core.get(s, k / kGroup, n)));
#elif defined(SINTER_B_NK)
              float w = core.get(b, n, k);
#else
              float w = core.get(b, k, n);
#endif
              want += double(core.get(a, i, k)) * w;
            }
            worst = std::max(worst, std::fabs(core.get(y, i, n) - want) /
                                        (1 + std::fabs(want)));
          }
    }
    slowest = std::max(slowest, core.cycles());
    if (id == 0 && !reportCore(core, argc == 6 && !check ? argv[5] : nullptr))
      return 1;
  }
  std::printf("cycles %lld\n", (long long)slowest);
  if (check) {
    std::printf("max relative error %.3g\n%s\n", worst,
                worst < 2e-3 ? "PASS" : "FAIL");
    return worst < 2e-3 ? 0 : 1;
  }
  return 0;
}
