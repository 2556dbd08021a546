// What the NPU benchmark drivers print of core 0 (bench.py parses it):
// per pipe its busy cycles and bytes, the hazards if any, and, given a
// path, its Chrome-trace timeline.
#ifndef SINTER_BENCH_NPU_REPORT_H
#define SINTER_BENCH_NPU_REPORT_H

#include "sinter/npu/npu_sim.h"

#include <cstdio>

/// Returns false if the trace cannot be written.
inline bool reportCore(const sinter::npu::Core &core, const char *trace) {
  using namespace sinter::npu;
  for (int p = 0; p < kNumPipes; ++p)
    std::printf("pipe %s %lld %lld\n", name(Pipe(p)),
                (long long)core.busy(Pipe(p)),
                (long long)core.bytesMoved(Pipe(p)));
  if (!core.hazards().empty())
    std::printf("hazards %zu: %s\n", core.hazards().size(),
                core.hazards()[0].c_str());
  if (!trace)
    return true;
  std::FILE *f = std::fopen(trace, "w");
  if (!f) {
    std::fprintf(stderr, "cannot write %s\n", trace);
    return false;
  }
  std::fputs(core.chromeTrace().c_str(), f);
  std::fclose(f);
  return true;
}

#endif // SINTER_BENCH_NPU_REPORT_H
