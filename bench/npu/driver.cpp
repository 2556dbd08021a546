// Runs the `kernel` GEMM that bench.py generated (f16 A [M, K] x B [K, N]
// -> f16 [M, N]) on the simulator in timing-only mode, once per core with
// its core id, and prints: cycles (the slowest core), and core 0's busy
// cycles and bytes per pipe. With a fifth argument, writes core 0's
// Chrome-trace timeline there.
#include "sinter/npu/npu_sim.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

using namespace sinter::npu;

void kernel(Core &core, const Tile &a, const Tile &b, const Tile &y);

int main(int argc, char **argv) {
  if (argc != 5 && argc != 6) {
    std::fprintf(stderr, "usage: %s M N K cores [trace.json]\n", argv[0]);
    return 2;
  }
  int64_t M = std::atoll(argv[1]), N = std::atoll(argv[2]),
          K = std::atoll(argv[3]), cores = std::atoll(argv[4]);
  Config cfg = Config::npu910();
  cfg.functional = false;
  int64_t slowest = 0;
  for (int64_t id = 0; id < cores; ++id) {
    Core core(cfg, id, cores);
    Tile a = core.globalTile(core.global(M * K * 2), DType::F16, M, K),
         b = core.globalTile(core.global(K * N * 2), DType::F16, K, N),
         y = core.globalTile(core.global(M * N * 2), DType::F16, M, N);
    kernel(core, a, b, y);
    slowest = std::max(slowest, core.cycles());
    if (id == 0) {
      for (int p = 0; p < kNumPipes; ++p)
        std::printf("pipe %s %lld %lld\n", name(Pipe(p)),
                    (long long)core.busy(Pipe(p)),
                    (long long)core.bytesMoved(Pipe(p)));
      if (!core.hazards().empty())
        std::printf("hazards %zu\n", core.hazards().size());
      if (argc == 6) {
        std::FILE *f = std::fopen(argv[5], "w");
        if (!f) {
          std::fprintf(stderr, "cannot write %s\n", argv[5]);
          return 1;
        }
        std::fputs(core.chromeTrace().c_str(), f);
        std::fclose(f);
      }
    }
  }
  std::printf("cycles %lld\n", (long long)slowest);
  return 0;
}
