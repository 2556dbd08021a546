// Two 8 KiB copies from global memory on MTE2: one at a time they take
// 2 x (latency + transfer); with a queue of 4 the second's latency
// overlaps the first (latency + 2 x transfer). A flag after them goes up
// once both have landed.
#include "sinter/npu/npu_sim.h"

#include <cstdio>

using namespace sinter::npu;

int main() {
  for (int64_t depth : {1, 4}) {
    Config cfg = Config::npu910();
    cfg.dmaQueueDepth = depth;
    Core core(cfg);
    Tile g = core.globalTile(core.global(16384), DType::F16, 64, 128);
    Tile u0 = core.local(Space::UB, DType::F16, 32, 128, 0),
         u1 = core.local(Space::UB, DType::F16, 32, 128, 8192);
    core.copy(u0, g.slice(0, 0, 32, 128));
    core.copy(u1, g.slice(32, 0, 32, 128));
    core.setFlag(Pipe::MTE2, Pipe::V, 0);
    core.waitFlag(Pipe::MTE2, Pipe::V, 0);
    core.vunary(Core::Unary::Relu, u1, u1);
    std::printf("depth %lld: cycles %lld, MTE2 busy %lld, hazards %zu\n",
                (long long)depth, (long long)core.cycles(),
                (long long)core.busy(Pipe::MTE2), core.hazards().size());
  }
  return 0;
}
