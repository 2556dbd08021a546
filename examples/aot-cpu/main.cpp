//===- main.cpp - Run the decoder block compiled ahead of time -------------===//
//
// Links the static library sinter-compile generated from
// examples/decoder_block/block_linalg.mlir and calls its C entry point.
//
//   aot-decoder-block DATA_DIR [REPEATS]
//
// DATA_DIR holds the inputs as raw little-endian f32 files named after the
// block's arguments (x.bin, attn_norm.bin, ...) and, optionally, the
// expected output (expected.bin); run.py writes them.
//
//===----------------------------------------------------------------------===//
#include "decoder_block.h"
#include "sinter-c/runtime.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace {
// Argument names and sizes, in the order of the generated prototype.
struct Buffer {
  const char *name;
  size_t elems;
  float *data = nullptr;
};

bool readFile(const std::string &path, float *dst, size_t elems) {
  FILE *f = std::fopen(path.c_str(), "rb");
  if (!f)
    return false;
  size_t got = std::fread(dst, sizeof(float), elems, f);
  std::fclose(f);
  return got == elems;
}
} // namespace

int main(int argc, char **argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DATA_DIR [REPEATS]\n", argv[0]);
    return 2;
  }
  std::string dir = argv[1];
  int repeats = argc > 2 ? std::atoi(argv[2]) : 20;
  constexpr size_t S = 37, HID = 64, QD = 64, KVD = 32, FF = 96, HALF = 8;
  Buffer inputs[] = {{"x", S * HID},          {"attn_norm", HID},
                     {"wq", HID * QD},        {"wk", HID * KVD},
                     {"wv", HID * KVD},       {"wo", QD * HID},
                     {"mlp_norm", HID},       {"wgate", HID * FF},
                     {"wup", HID * FF},       {"wdown", FF * HID},
                     {"cos", S * HALF},       {"sin", S * HALF}};
  for (Buffer &b : inputs) {
    b.data = static_cast<float *>(
        sinter_rt_aligned_alloc(b.elems * sizeof(float), 64));
    if (!b.data || !readFile(dir + "/" + b.name + ".bin", b.data, b.elems)) {
      std::fprintf(stderr, "cannot read %s/%s.bin (%s)\n", dir.c_str(), b.name,
                   sinter_rt_last_error() ? sinter_rt_last_error() : "I/O");
      return 1;
    }
  }
  std::vector<float> out(S * HID);
  auto call = [&] {
    decoder_block(inputs[0].data, inputs[1].data, inputs[2].data,
                  inputs[3].data, inputs[4].data, inputs[5].data,
                  inputs[6].data, inputs[7].data, inputs[8].data,
                  inputs[9].data, inputs[10].data, inputs[11].data,
                  out.data());
  };
  call(); // warm up
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < repeats; ++i)
    call();
  double us = std::chrono::duration<double, std::micro>(
                  std::chrono::steady_clock::now() - t0)
                  .count() /
              repeats;
  std::printf("decoder block (sinter runtime %s, %d threads): %.1f us per "
              "call\n",
              sinter_rt_version(), sinter_rt_get_num_threads(), us);

  std::vector<float> expected(S * HID);
  if (!readFile(dir + "/expected.bin", expected.data(), expected.size())) {
    std::printf("no expected.bin: output not checked\n");
    return 0;
  }
  double worst = 0;
  size_t bad = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    double err = std::fabs(double(out[i]) - expected[i]);
    worst = std::fmax(worst, err);
    if (!(err <= 1e-4 + 1e-4 * std::fabs(expected[i])))
      ++bad;
  }
  std::printf("%s: max |error| %.3g against the float64 reference (%zu of "
              "%zu outside 1e-4 + 1e-4 |ref|)\n",
              bad ? "FAIL" : "PASS", worst, bad, out.size());
  for (Buffer &b : inputs)
    sinter_rt_free(b.data);
  return bad ? 1 : 0;
}
