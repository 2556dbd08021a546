// Runs the generated kv.append kernel (kv_append.mlir) on the simulator on
// two cores, with the result a separate buffer or the cache itself (the
// update in place), and checks every cache row against a plain loop. In
// place, only the tokens' rows move (the cache copy is skipped).
#include "sinter/npu/npu_sim.h"

#include <cstdio>
#include <vector>

using namespace sinter::npu;

void append(Core &core, const Tile &update, const Tile &slots,
            const Tile &cache, const Tile &out);

int main() {
  const int64_t T = 5, HD = 128, rows = 8 * 16;
  const int64_t slots[T] = {3, -1, 40, 3, 127}; // token 3 overwrites 0
  bool ok = true;
  for (bool inPlace : {false, true}) {
    std::vector<std::vector<uint8_t>> mem;
    int64_t moved = 0;
    Tile u, s, c, o;
    for (int id = 0; id < 2; ++id) {
      Core core(Config::npu910(), id, 2);
      u = core.globalTile(core.global(T * HD * 2), DType::F16, T, HD);
      s = core.globalTile(core.global(T * 8), DType::I64, 1, T);
      c = core.globalTile(core.global(rows * HD * 2), DType::F16, rows, HD);
      o = inPlace ? c
                  : core.globalTile(core.global(rows * HD * 2), DType::F16,
                                    rows, HD);
      if (id == 0) {
        core.fillUniform(u, 1);
        core.fillUniform(c, 2);
        for (int64_t t = 0; t < T; ++t)
          core.set(s, 0, t, float(slots[t]));
      } else {
        for (size_t i = 0; i < mem.size(); ++i)
          core.data(int(i)) = mem[i];
      }
      append(core, u, s, c, o);
      ok &= core.hazards().empty();
      moved += core.bytesMoved(Pipe::MTE3);
      mem.clear();
      for (int i = 0; i < (inPlace ? 3 : 4); ++i)
        mem.push_back(core.data(i));
    }
    // The reference: the cache (as it was: buffer 2 before the call is
    // regenerated from its seed), then the tokens in order.
    Core ref(Config::npu910());
    Tile ru = ref.globalTile(ref.global(T * HD * 2), DType::F16, T, HD);
    ref.global(T * 8);
    Tile rc = ref.globalTile(ref.global(rows * HD * 2), DType::F16, rows, HD);
    ref.fillUniform(ru, 1);
    ref.fillUniform(rc, 2);
    for (int64_t t = 0; t < T; ++t)
      if (slots[t] >= 0)
        for (int64_t j = 0; j < HD; ++j)
          ref.set(rc, slots[t], j, ref.get(ru, t, j));
    Core view(Config::npu910());
    for (auto &m : mem)
      view.data(view.global(int64_t(m.size()))) = m;
    Tile got = view.globalTile(inPlace ? 2 : 3, DType::F16, rows, HD);
    int64_t bad = 0;
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = 0; j < HD; ++j)
        bad += view.get(got, r, j) != ref.get(rc, r, j);
    std::printf("%s: wrong elements %lld, MTE3 bytes %lld\n",
                inPlace ? "in place" : "separate", (long long)bad,
                (long long)moved);
    ok &= bad == 0;
  }
  std::printf("%s\n", ok ? "PASS" : "FAIL");
  return ok ? 0 : 1;
}
