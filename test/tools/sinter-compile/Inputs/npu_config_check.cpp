// The Config that sinter-compile generated from the npu-910 target
// description equals the simulator's hand-written preset.
#include "g.h"

#include <cstdio>

int main() {
  using namespace sinter::npu;
  Config g = g_config(), h = Config::npu910();
  bool same = g.clockGHz == h.clockGHz && g.capacity == h.capacity &&
              g.gmBytesPerCycle == h.gmBytesPerCycle &&
              g.l1BytesPerCycle == h.l1BytesPerCycle &&
              g.localBytesPerCycle == h.localBytesPerCycle &&
              g.cubeMacsPerCycle == h.cubeMacsPerCycle &&
              g.vectorBytesPerCycle == h.vectorBytesPerCycle &&
              g.dmaLatency == h.dmaLatency && g.cubeLatency == h.cubeLatency &&
              g.vectorLatency == h.vectorLatency &&
              g.dmaQueueDepth == h.dmaQueueDepth;
  std::printf("%s\n", same ? "CONFIG MATCHES" : "CONFIG DIFFERS");
  return same ? 0 : 1;
}
