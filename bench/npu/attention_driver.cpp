// Runs the `kernel` attention that bench/npu/bench.py (or a test)
// generated: f16 Q [B, H, SQ, D], K and V [B, HKV, SK, D] -> f16 O, as
// flat [rows, D] tiles, on the simulator once per core with its core id.
// Prints cycles (the slowest core) and core 0's busy cycles and bytes per
// pipe; with a last argument `--check`, computes values (random inputs,
// all cores on one memory) and compares them with a float64 loop nest;
// with a path instead, writes core 0's Chrome-trace timeline there. Built
// with -DSINTER_SOFTCAP=C, the reference caps the logits (C tanh(x / C));
// with -DSINTER_WINDOW=W (and causal), query p sees keys (p - W, p].
#include "report.h"
#include "sinter/npu/npu_sim.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using namespace sinter::npu;

void kernel(Core &core, const Tile &q, const Tile &k, const Tile &v,
            const Tile &o);

int main(int argc, char **argv) {
  if (argc != 9 && argc != 10) {
    std::fprintf(
        stderr,
        "usage: %s B H HKV SQ SK D causal cores [trace.json | --check]\n",
        argv[0]);
    return 2;
  }
  int64_t B = std::atoll(argv[1]), H = std::atoll(argv[2]),
          HKV = std::atoll(argv[3]), SQ = std::atoll(argv[4]),
          SK = std::atoll(argv[5]), D = std::atoll(argv[6]),
          causal = std::atoll(argv[7]), cores = std::atoll(argv[8]);
  bool check = argc == 10 && std::string(argv[9]) == "--check";
  Config cfg = Config::npu910();
  cfg.functional = check;
  int64_t slowest = 0, qRows = B * H * SQ, kvRows = B * HKV * SK;
  std::vector<uint8_t> result;
  double worst = 0;
  for (int64_t id = 0; id < cores; ++id) {
    Core core(cfg, id, cores);
    Tile q = core.globalTile(core.global(qRows * D * 2), DType::F16, qRows, D),
         k = core.globalTile(core.global(kvRows * D * 2), DType::F16, kvRows,
                             D),
         v = core.globalTile(core.global(kvRows * D * 2), DType::F16, kvRows,
                             D),
         o = core.globalTile(core.global(qRows * D * 2), DType::F16, qRows, D);
    if (check) {
      core.fillUniform(q, 1);
      core.fillUniform(k, 2);
      core.fillUniform(v, 3);
      if (id)
        core.data(o.buffer) = result;
    }
    kernel(core, q, k, v, o);
    if (check) {
      result = core.data(o.buffer);
      if (id + 1 == cores)
        for (int64_t bh = 0; bh < B * H; ++bh) {
          int64_t kvBase = (bh / H * HKV + bh % H / (H / HKV)) * SK;
          for (int64_t i = 0; i < SQ; ++i) {
            std::vector<double> p(SK);
            double mx = -INFINITY, sum = 0;
            // Query i sits at position SK - SQ + i.
            int64_t keys = causal ? SK - SQ + i + 1 : SK, first = 0;
#ifdef SINTER_WINDOW
            first = std::max<int64_t>(0, keys - SINTER_WINDOW);
#endif
            for (int64_t j = 0; j < first; ++j)
              p[j] = -INFINITY;
            for (int64_t j = first; j < keys; ++j) {
              double s = 0;
              for (int64_t d = 0; d < D; ++d)
                s += double(core.get(q, bh * SQ + i, d)) *
                     core.get(k, kvBase + j, d);
              p[j] = s / std::sqrt(double(D));
#ifdef SINTER_SOFTCAP
              p[j] = SINTER_SOFTCAP * std::tanh(p[j] / SINTER_SOFTCAP);
#endif
              mx = std::max(mx, p[j]);
            }
            for (int64_t j = first; j < keys; ++j)
              sum += (p[j] = std::exp(p[j] - mx));
            for (int64_t d = 0; d < D; ++d) {
              double want = 0;
              for (int64_t j = first; j < keys; ++j)
                want += p[j] * core.get(v, kvBase + j, d);
              want /= sum;
              worst = std::max(worst,
                               std::fabs(core.get(o, bh * SQ + i, d) - want));
            }
          }
        }
    }
    slowest = std::max(slowest, core.cycles());
    if (id == 0 && !reportCore(core, argc == 10 && !check ? argv[9] : nullptr))
      return 1;
  }
  std::printf("cycles %lld\n", (long long)slowest);
  if (check) {
    // Inputs in [-1, 1): outputs are averages of V rows, P is rounded to
    // f16 before P V and O to f16 at the end.
    std::printf("max abs error %.3g\n%s\n", worst,
                worst < 5e-3 ? "PASS" : "FAIL");
    return worst < 5e-3 ? 0 : 1;
  }
  return 0;
}
